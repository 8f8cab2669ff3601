"""Reading figures out of the statistics API's answers."""

from __future__ import annotations

from typing import Any


def value(body: dict[str, Any], figure: str) -> Any:
    """The value of `figure` in an answer."""
    return body["figures"][figure]["value"]


def figures(row: dict[str, Any]) -> dict[str, Any]:
    """{figure: value} of a row of a view."""
    return {name: f["value"] for name, f in row["figures"].items()}
