"""The statistics views beside participation: activities grouped, per team, star levels, months.

Every view is limited to an area the caller may read (404 otherwise, as participation is),
and every figure carries its definition; the SQL lives in sql/stats/views/.
"""

from volunteers.stats.views.activities import activity_groups
from volunteers.stats.views.monthly import monthly_series
from volunteers.stats.views.stars import parse_thresholds, star_levels
from volunteers.stats.views.teams import team_figures

__all__ = ["activity_groups", "monthly_series", "parse_thresholds", "star_levels", "team_figures"]
