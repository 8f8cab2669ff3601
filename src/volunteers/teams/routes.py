"""HTTP routes for teams."""

from typing import Any

CONTROLLERS: list[Any] = []
