"""Statistics for people: XLSX/CSV files (exports.py), SVG charts (charts.py), and the dashboard
page (pages.py serves it, dashboard.py fills it); each shows the figures the API answers."""

__all__: list[str] = []
