"""Piccolo configuration: the engine and one app per domain folder."""

import os

from piccolo.conf.apps import AppRegistry

from volunteers.db import Engine

DB = Engine(config={"dsn": os.environ.get("DATABASE_URL", "")})

APP_REGISTRY = AppRegistry(
    apps=[
        "volunteers.areas.piccolo_app",
        "volunteers.auth.piccolo_app",
        "volunteers.audit.piccolo_app",
        "volunteers.people.piccolo_app",
        "volunteers.teams.piccolo_app",
        "volunteers.venues.piccolo_app",
        "volunteers.activities.piccolo_app",
        "volunteers.checkin.piccolo_app",
        "volunteers.stats.piccolo_app",
    ]
)
