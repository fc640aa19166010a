"""Engine and session handling (plain SQLAlchemy 2, one session per application context)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
)
from sqlalchemy import Connection, Engine, MetaData, TextClause, create_engine, event, inspect, text
from sqlalchemy.dialects.postgresql import psycopg as psycopg_dialect
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from core.errors import ApiError, Conflict, ServiceUnavailable
from core.versioning import changed_meanwhile, versioned_changes

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
_READ_ONLY_VIEWS: set[Callable[..., Any]] = set()


IDLE_PING_SECONDS = 10.0
# The app's statements run in milliseconds, but PostGIS searches are estimated far above their
# real cost: past jit_above_cost PostgreSQL would compile them to machine code first, which
# took 80 ms for the 1 ms conflict check. Off for every connection the app opens.
SESSION_OPTIONS = "-c jit=off"


def engine_for(url: str) -> Engine:
    """One engine (and connection pool) per URL for the whole process."""
    if url not in _engines:
        _engines[url] = make_engine(url, pool_size=10, max_overflow=20)
    return _engines[url]


def make_engine(url: str, **pool: Any) -> Engine:
    """An engine whose pool tests a connection before lending it only when it sat idle for
    IDLE_PING_SECONDS: a database restarted while the app was quiet costs no request, and a
    busy app does not pay a `SELECT 1` round trip on every request (pool_pre_ping does)."""
    engine = create_engine(url, connect_args={"options": SESSION_OPTIONS}, **pool)

    @event.listens_for(engine, "checkin")
    def _idle_from_now(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return  # just opened, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("idle connection is dead") from exc  # the pool reconnects

    return engine


class DriverStatement:
    """A statement of every request's path (the bearer token, the conflict check) run on the
    driver's cursor of the session's connection: SQLAlchemy's execution and result layers cost
    80-200 µs a statement over the driver's 40 µs (docs/shoots.md, "Profile"). It runs in the
    session's transaction (or autocommit, in a read-only view) like any other statement, and a
    driver error comes back as SQLAlchemy's (a lost connection invalidated: a 503 as anywhere);
    SQLAlchemy's cursor events do not see it."""

    def __init__(self, statement: TextClause) -> None:
        # SQLAlchemy's own rendering for psycopg: :name as %(name)s, a literal % escaped.
        self.sql = str(statement.compile(dialect=psycopg_dialect.dialect()))

    def first(self, session: Session, params: dict[str, Any]) -> tuple[Any, ...] | None:
        """The statement's first row (a tuple), or None."""
        connection = session.connection()
        try:
            with connection.connection.cursor() as cursor:
                cursor.execute(self.sql, params)
                return cursor.fetchone()
        except connection.dialect.loaded_dbapi.Error as error:
            raise _sqlalchemy_error(connection, self.sql, params, error) from error


def _sqlalchemy_error(
    connection: Connection, sql: str, params: dict[str, Any], error: Exception
) -> DBAPIError:
    """ERROR of the driver as SQLAlchemy would have raised it, the connection invalidated when
    it is gone (the pool then replaces it)."""
    dialect = connection.dialect
    gone = dialect.is_disconnect(error, connection.connection.dbapi_connection, None)
    if gone:
        connection.invalidate(error)
    return DBAPIError.instance(
        sql, params, error, dialect.loaded_dbapi.Error, connection_invalidated=gone, dialect=dialect
    )


class UnitOfWorkSession(Session):
    """The app's session: a flush that finds a versioned row changed by a concurrent save is a
    409 naming the record (core.versioning), never a 500, wherever it happens."""

    def flush(self, objects: Any = None) -> None:
        pending = versioned_changes(itertools.chain(self.dirty, self.deleted))
        try:
            super().flush(objects)
        except StaleDataError as error:
            raise changed_meanwhile(error, pending) from error


class Database:
    """Gives each application context its own Session, closed at teardown, and makes each
    request one unit of work: views and domain operations flush but never commit; the request
    commits once, after the view, when its response is a success or a redirect (status < 400),
    and rolls back otherwise, so a handler that wrote and then refused stores nothing."""

    def __init__(self) -> None:
        self.factory = sessionmaker(class_=UnitOfWorkSession, expire_on_commit=False)

    def init_app(self, app: Flask) -> None:
        app.extensions["tournages.db"] = self
        # Registered first, so it runs after every other after_request hook (Flask runs them in
        # reverse): whatever they write is part of the request's unit of work.
        app.after_request(self._end_request)
        app.teardown_appcontext(self._remove)

    def _end_request(self, response: Response) -> Response:
        session = g.get("db_session")
        if session is None or session.info.get("read_only"):
            return response
        if response.status_code >= 400 and not g.get("keep_on_error"):
            session.rollback()
            return response
        try:
            commit(session)
        except ApiError as failure:
            # An error raised here is past the view's error handlers: answer it as the view
            # would have (JSON for the API, a page for HTML) through the app's own handlers.
            return current_app.make_response(current_app.handle_user_exception(failure))
        return response

    def engine(self, app: Flask) -> Engine:
        return engine_for(database_url(app))

    @staticmethod
    def read_only(view: Callable[..., Any]) -> Callable[..., Any]:
        """Mark a view that only reads (put it right under the route decorator). Its session
        runs every statement on an autocommit connection: no BEGIN and ROLLBACK round trips,
        and under READ COMMITTED each statement had its own snapshot anyway. Its session
        refuses to flush, so nothing can be stored by accident."""
        _READ_ONLY_VIEWS.add(view)
        return view

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            read_only = _in_read_only_view()
            g.db_session = self.factory(
                **self._bind_arguments(read_only), info={"read_only": read_only}
            )
        return g.db_session

    def _bind_arguments(self, read_only: bool) -> dict[str, Any]:
        if self.factory.kw.get("bind") is not None:
            return {}  # tests bind the factory to one connection
        url = database_url(current_app)
        return {"bind": autocommit_engine_for(url) if read_only else engine_for(url)}

    @staticmethod
    def _remove(_exc: BaseException | None = None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def keep_despite_error_response() -> None:
    """This request's writes are the record of a refusal (a failed log-in counted by the
    throttle): the unit of work commits although the response is an error."""
    g.keep_on_error = True


def commit(session: Session) -> None:
    """The one commit of a unit of work (a request or a CLI command). A constraint that fires
    only at commit (deferred) or a concurrent save of a versioned row becomes a 409 Conflict, a
    serialisation failure or lost connection a 503 ServiceUnavailable; the session is rolled
    back first."""
    try:
        session.commit()
    except ApiError:  # a concurrent save of a versioned row (UnitOfWorkSession.flush)
        session.rollback()
        raise
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("The change conflicts with data stored meanwhile.") from exc
    except DBAPIError as exc:
        session.rollback()
        raise ServiceUnavailable("The database could not store the change; try again.") from exc


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """Commit once if the block completes, roll back if it raises (CLI commands, workers)."""
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    commit(session)


def _in_read_only_view() -> bool:
    if not has_request_context() or request.endpoint is None:
        return False
    return current_app.view_functions.get(request.endpoint) in _READ_ONLY_VIEWS


_autocommit_engines: dict[str, Engine] = {}


def autocommit_engine_for(url: str) -> Engine:
    """The read-only views' engine for URL: a pool of its own whose connections are in
    autocommit from the start. Switching a connection of the main pool to autocommit on
    checkout and back on checkin cost about 60 µs a request (docs/shoots.md, "Profile")."""
    if url not in _autocommit_engines:
        _autocommit_engines[url] = make_engine(
            url, pool_size=10, max_overflow=20, isolation_level="AUTOCOMMIT"
        )
    return _autocommit_engines[url]


def dispose_engines(url: str) -> None:
    """Close every pooled connection to URL (the main pool and the read-only views'), e.g.
    before dropping its database."""
    for engines in (_engines, _autocommit_engines):
        if url in engines:
            engines[url].dispose()


def database_url(app: Flask) -> str:
    """The app's URL (its least-privileged role), or the embedded cluster's (started on demand)."""
    if not app.config.get("DATABASE_URL"):
        from core import embedded_db

        urls = embedded_db.default_urls(app.config.get("EMBEDDED_DATABASE_NAME", "tournages"))
        app.config["DATABASE_URL"] = urls.app
        app.config["MIGRATION_DATABASE_URL"] = urls.owner
    return app.config["DATABASE_URL"]


def migration_database_url(app: Flask) -> str:
    """The schema owner's URL (migrations, backups, restores); unset, the app's own: a
    single-role install, where the app could rewrite the audit log (docs/security.md)."""
    app_url = database_url(app)
    return app.config.get("MIGRATION_DATABASE_URL") or app_url


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
    if session.info.get("read_only"):
        return  # it writes nothing, and a transaction-local setting needs a transaction
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
    if session.info.get("read_only"):
        raise ReadOnlyViolation("A read-only view tried to store something.")
    _tag_with_user(session.connection(), session)


class ReadOnlyViolation(RuntimeError):
    """A view marked `db.read_only` changed objects of its session (a bug: a 500)."""
