"""Piccolo app for the audit trail."""

import os

from piccolo.conf.apps import AppConfig

from volunteers.audit.tables import AuditEntry

APP_CONFIG = AppConfig(
    app_name="audit",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[AuditEntry],
    migration_dependencies=["volunteers.auth.piccolo_app"],
)
