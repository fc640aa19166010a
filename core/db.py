"""Engine and session handling (plain SQLAlchemy 2, one session per application context)."""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from sqlalchemy import Engine, MetaData, create_engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SRID = 3812  # Belgian Lambert 2008: metres, so distances and areas need no reprojection
WGS84 = 4326


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


_engines: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """One engine (and connection pool) per URL for the whole process."""
    if url not in _engines:
        _engines[url] = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    return _engines[url]


class Database:
    """Gives each application context its own Session, closed at teardown."""

    def __init__(self) -> None:
        self.factory = sessionmaker(expire_on_commit=False)

    def init_app(self, app: Flask) -> None:
        app.extensions["tournages.db"] = self
        app.teardown_appcontext(self._remove)

    def engine(self, app: Flask) -> Engine:
        return engine_for(database_url(app))

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = self.factory(**self._bind_arguments())
        return g.db_session

    def _bind_arguments(self) -> dict[str, Any]:
        from flask import current_app

        if self.factory.kw.get("bind") is not None:
            return {}  # tests bind the factory to one connection
        return {"bind": self.engine(current_app)}

    @staticmethod
    def _remove(_exc: BaseException | None = None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def database_url(app: Flask) -> str:
    """The configured URL, or the embedded cluster's (started on demand)."""
    url = app.config.get("DATABASE_URL")
    if not url:
        from core import embedded_db

        url = embedded_db.default_url(app.config.get("EMBEDDED_DATABASE_NAME", "tournages"))
        app.config["DATABASE_URL"] = url
    return url


db = Database()
