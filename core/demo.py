"""Demo data for `make run`: each feature package registers a loader, run in order.

Loaders must be idempotent (`make run` loads the demo every time) and mark what they create as
demo data.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

DemoLoader = Callable[[Session], str]  # returns a one-line summary for the console

LOADERS: list[tuple[str, DemoLoader]] = []


def register(name: str, loader: DemoLoader) -> None:
    if all(existing != name for existing, _ in LOADERS):
        LOADERS.append((name, loader))


def load_all(session: Session) -> list[str]:
    """Run every loader in one transaction; the caller commits."""
    return [f"{name}: {loader(session)}" for name, loader in LOADERS]
