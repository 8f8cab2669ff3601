"""Participation statistics: definitions, figures, reconciliation, snapshots."""
