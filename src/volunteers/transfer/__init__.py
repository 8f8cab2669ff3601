"""Excel and CSV in and out: imports of volunteers, teams, memberships, activities and service records, and exports."""

from volunteers.transfer.columns import KINDS
from volunteers.transfer.imports import run_import

__all__ = ["KINDS", "run_import"]
