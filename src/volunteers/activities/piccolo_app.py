"""Piccolo app for activities and their categories."""

import os

from piccolo.conf.apps import AppConfig

from volunteers.activities.tables import Activity, ActivityCategory, ActivityTeam

APP_CONFIG = AppConfig(
    app_name="activities",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[ActivityCategory, Activity, ActivityTeam],
    migration_dependencies=["volunteers.teams.piccolo_app", "volunteers.venues.piccolo_app"],
)
