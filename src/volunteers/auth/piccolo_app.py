"""Piccolo app for staff access."""

import os

from piccolo.conf.apps import AppConfig

from volunteers.auth.tables import LoginAttempt, LoginKnownAddress, StaffSession, StaffUser

APP_CONFIG = AppConfig(
    app_name="auth",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[StaffUser, StaffSession, LoginAttempt, LoginKnownAddress],
    migration_dependencies=["volunteers.areas.piccolo_app"],
)
