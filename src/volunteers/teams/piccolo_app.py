"""Piccolo app for teams and memberships."""

import os

from piccolo.conf.apps import AppConfig

from volunteers.teams.tables import Membership, Team

APP_CONFIG = AppConfig(
    app_name="teams",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Team, Membership],
    migration_dependencies=["volunteers.people.piccolo_app"],
)
