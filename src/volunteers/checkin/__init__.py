"""Check-in by link: codes, scans, service records and hours."""
