"""Optimistic locking, the one helper: two people may press save at the same moment.

A `Versioned` model's rows carry a version that SQLAlchemy checks and moves on with every UPDATE
and DELETE (`version_id_col`): of two saves made from the same version, the second matches no
row. The session's flush (core.db) turns that StaleDataError into `ChangedMeanwhile`, a 409 that
names the record in the user's language, wherever the flush happens (in a view, an operation,
a savepoint or the request's commit). A client that edited an older copy is refused before
anything is written by `check_version` (the API's `version` field, the forms' hidden version).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar

from flask_babel import LazyString
from flask_babel import gettext as _
from sqlalchemy import Integer, inspect
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from core.errors import Conflict


class Versioned:
    """Mixin of a model whose saves are checked against the version they were made from."""

    # How the 409 names a row, e.g. _l("location %(id)s"), in the user's language.
    record_label: ClassVar[LazyString]

    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]

    @classmethod
    def record_name(cls, record_id: Any) -> str:
        return str(cls.record_label) % {"id": record_id}


class ChangedMeanwhile(Conflict):
    """Someone else saved the record since the version this change was made from."""


def check_version(record: Versioned, edited: int | None) -> None:
    """The version a client edited (None: it did not say) must still be RECORD's, else a 409
    before anything is written: its copy is out of date."""
    if edited is not None and edited != record.version:
        name = type(record).record_name(inspect(record).identity[0])
        raise ChangedMeanwhile(
            _(
                "Someone else changed %(record)s meanwhile (version %(current)s; you edited "
                "version %(edited)s). Reload it and apply your changes again.",
                record=name,
                current=record.version,
                edited=edited,
            ),
            current_version=record.version,
        )


def versioned_changes(objects: Iterable[object]) -> list[Versioned]:
    """Of a flush's dirty and deleted OBJECTS, those whose version the flush checks."""
    return [o for o in objects if isinstance(o, Versioned)]


_STALE_TABLE = re.compile(r"on table '([^']+)'")


def changed_meanwhile(error: StaleDataError, pending: list[Versioned]) -> ChangedMeanwhile:
    """The 409 for a flush that matched no row (a concurrent save won), naming the record from
    PENDING (the flush's versioned changes, taken before it: a failed flush forgets them)."""
    table = _STALE_TABLE.search(str(error))
    same = [o for o in pending if table and o.__table__.name == table.group(1)]  # type: ignore[attr-defined]
    if len(same) == 1 and (identity := inspect(same[0]).identity):
        record = type(same[0]).record_name(identity[0])
        detail = _(
            "Someone else saved %(record)s at the same moment. Reload it and apply your "
            "changes again.",
            record=record,
        )
    else:
        detail = _(
            "Someone else saved this record at the same moment. Reload it and apply your "
            "changes again."
        )
    return ChangedMeanwhile(detail)
