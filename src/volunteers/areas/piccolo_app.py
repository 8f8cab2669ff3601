"""Piccolo app for areas."""

import os

from piccolo.conf.apps import AppConfig

from volunteers.areas.tables import Area, AreaPopulation

APP_CONFIG = AppConfig(
    app_name="areas",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Area, AreaPopulation],
)
