"""A seeded demo district modelled on the report in docs/architecture.md, written in one transaction.

`volunteers demo` (commands.py) and `volunteers serve --demo` call `build_demo` (generate.py).
Exports load lazily: the generator pulls in most of the app, the CLI should not pay for it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DEFAULT_SEED", "DatabaseNotEmpty", "DemoResult", "Login", "build_demo", "is_empty"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from volunteers.demo import generate

        return getattr(generate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
