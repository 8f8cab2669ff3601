"""Piccolo app for venues."""

import os

from piccolo.conf.apps import AppConfig

from volunteers.venues.tables import Venue

APP_CONFIG = AppConfig(
    app_name="venues",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Venue],
    migration_dependencies=["volunteers.areas.piccolo_app"],
)
