"""Piccolo configuration: the engine and one app per domain folder.

Piccolo reads `DB` and `APP_REGISTRY` from the module `PICCOLO_CONF` names (`db` sets it to this one).
The engine itself lives in `db`, which does not import this module back.
"""

from piccolo.conf.apps import AppRegistry

from volunteers.db import ENGINE

DB = ENGINE

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
