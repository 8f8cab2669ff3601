"""HTTP routes for venues."""

from typing import Any

CONTROLLERS: list[Any] = []
