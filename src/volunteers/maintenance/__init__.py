"""Operating the installation: `volunteers backup` and `volunteers restore` (commands.py)."""

from __future__ import annotations

__all__: list[str] = []
