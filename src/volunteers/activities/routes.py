"""HTTP routes for activities."""

from typing import Any

CONTROLLERS: list[Any] = []
