"""Piccolo app for statistics."""

import os

from piccolo.conf.apps import AppConfig

from volunteers.stats.tables import (
    StatsActiveDelta,
    StatsActiveInterval,
    StatsAreaDay,
    StatsDirty,
    StatsPlaceDay,
    StatsRegisteredDelta,
    StatsSnapshot,
    StatsVolunteer,
    StatsVolunteerDay,
)

APP_CONFIG = AppConfig(
    app_name="stats",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[
        StatsDirty,
        StatsVolunteer,
        StatsVolunteerDay,
        StatsActiveInterval,
        StatsRegisteredDelta,
        StatsActiveDelta,
        StatsAreaDay,
        StatsPlaceDay,
        StatsSnapshot,
    ],
    migration_dependencies=["volunteers.checkin.piccolo_app"],
)
