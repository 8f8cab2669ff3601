"""HTTP routes for people."""

from typing import Any

CONTROLLERS: list[Any] = []
