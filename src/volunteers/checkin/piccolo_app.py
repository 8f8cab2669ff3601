"""Piccolo app for check-in."""

import os

from piccolo.conf.apps import AppConfig

from volunteers.checkin.tables import CheckinCode, Scan, ScanRefusalTally, ServiceRecord

APP_CONFIG = AppConfig(
    app_name="checkin",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[CheckinCode, Scan, ScanRefusalTally, ServiceRecord],
    migration_dependencies=["volunteers.activities.piccolo_app", "volunteers.auth.piccolo_app"],
)
