"""Engine and session handling (plain SQLAlchemy 2, one session per application context)."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, has_app_context
from sqlalchemy import Connection, Engine, MetaData, create_engine, event, inspect, text
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction, sessionmaker

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


def _acting_user_id() -> int | None:
    """The signed-in user if Flask-Login has already loaded it (loading it here would query
    through the very session that is beginning)."""
    if not has_app_context():
        return None
    user = g.get("_login_user")
    if user is None or not isinstance(user, Base):
        return None  # anonymous
    # The primary key from the identity map: reading user.id after a rollback would reload the
    # expired user through the session whose transaction is starting.
    identity = inspect(user).identity
    return identity[0] if identity else None


def _tag_with_user(connection: Connection, session: Session) -> None:
    user_id = _acting_user_id()
    if user_id is not None and session.info.get("tagged_user") != user_id:
        connection.execute(
            text("SELECT set_config('tournages.user_id', :user_id, true)"),
            {"user_id": str(user_id)},
        )
        session.info["tagged_user"] = user_id


# The audit triggers (migration 0005) read the acting user from the transaction-local setting
# tournages.user_id. It is set when a transaction begins, and again before a flush in case the
# transaction began with the query that loaded the user.
@event.listens_for(Session, "after_begin")
def _audit_user_on_begin(session: Session, _tx: SessionTransaction, connection: Connection) -> None:
    session.info.pop("tagged_user", None)
    _tag_with_user(connection, session)


@event.listens_for(Session, "before_flush")
def _audit_user_on_flush(session: Session, _context: object, _instances: object) -> None:
    _tag_with_user(session.connection(), session)
