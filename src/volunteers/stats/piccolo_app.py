"""Piccolo app for statistics."""

import os

from piccolo.conf.apps import AppConfig

from volunteers.stats.tables import (
    StatsActiveDelta,
    StatsActiveInterval,
    StatsActiveMonth,
    StatsAreaDay,
    StatsAreaMonth,
    StatsDirty,
    StatsPlaceDay,
    StatsPlaceMonth,
    StatsRegisteredDelta,
    StatsRegisteredMonth,
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
        StatsRegisteredMonth,
        StatsActiveMonth,
        StatsAreaMonth,
        StatsPlaceMonth,
        StatsSnapshot,
    ],
    migration_dependencies=["volunteers.checkin.piccolo_app"],
)
