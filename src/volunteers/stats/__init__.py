"""Participation statistics, grouped by what a reader looks for.

- Figures and their definitions: `definitions` (every figure's definition and Chinese name),
  `figures` (the participation figures, and the arithmetic every view shares), `counts` (where
  their counts come from), `targets` (the areas counted), `schemas` (FigureQuery and every answer).
- Breakdowns and views: `views` (activities grouped, per team, star levels, a monthly series).
- The refresh: `refresh` (the derived tables brought up to date; which queries they answer),
  `tables` (the derived tables themselves).
- Published figures: `reconcile` (against the records), `snapshots` (frozen for good).
- Outputs: `outputs` (XLSX/CSV exports, SVG charts, the dashboard page).
- Doors: `routes` (the API; `query` reads its query string into a FigureQuery), `commands`
  (`volunteers stats`).
"""

__all__: list[str] = []
