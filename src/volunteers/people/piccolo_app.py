"""Piccolo app for volunteers."""

import os

from piccolo.conf.apps import AppConfig

from volunteers.people.tables import Volunteer

APP_CONFIG = AppConfig(
    app_name="people",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Volunteer],
    migration_dependencies=["volunteers.areas.piccolo_app", "volunteers.audit.piccolo_app"],
)
