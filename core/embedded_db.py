"""The embedded default database: a private PostGIS cluster under the project folder.

Used whenever DATABASE_URL is unset. The cluster listens only on a Unix socket inside its own
folder (no TCP, so no clash with a system server on 5432) and is created and started on demand.
PostgreSQL refuses to run as root, so as root it runs as an unprivileged system user.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pwd
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SYSTEM_USER = "tournages"
SUPERUSER = "tournages"  # cluster administration only: databases, extensions, roles
OWNER_ROLE = "tournages_owner"  # owns the schema: migrations, backups, restores
APP_ROLE = "tournages_app"  # what the app connects as: the rows it needs (core.privileges)
PORT = 5432
POSTGRESQL_ROOT = Path("/usr/lib/postgresql")
EXTENSION_ROOT = Path("/usr/share/postgresql")


class EmbeddedDatabaseError(RuntimeError):
    """The private cluster cannot be created or started; the message says what to do."""


@dataclass(frozen=True)
class Cluster:
    base: Path
    bindir: Path
    run_as: str | None  # OS user the server runs as; None means the current user

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "run"

    @property
    def log_file(self) -> Path:
        return self.base / "postgresql.log"

    def url(self, database: str, role: str = APP_ROLE) -> str:
        return f"postgresql+psycopg://{role}@/{database}?host={self.socket_dir}&port={PORT}"

    def urls(self, database: str) -> DatabaseUrls:
        return DatabaseUrls(app=self.url(database), owner=self.url(database, OWNER_ROLE))


class DatabaseUrls(NamedTuple):
    app: str  # DATABASE_URL: the app's least-privileged role
    owner: str  # MIGRATION_DATABASE_URL: the schema owner's


def find_bindir() -> Path:
    """The newest installed PostgreSQL whose PostGIS extension is installed too."""
    versions = sorted(
        (p for p in POSTGRESQL_ROOT.glob("*") if p.name.isdigit()),
        key=lambda p: int(p.name),
        reverse=True,
    )
    for version_dir in versions:
        postgis = EXTENSION_ROOT / version_dir.name / "extension" / "postgis.control"
        if (version_dir / "bin" / "postgres").exists() and postgis.exists():
            return version_dir / "bin"
    raise EmbeddedDatabaseError(
        "PostgreSQL with PostGIS is not installed. Run `make run` or "
        "`scripts/install-system-deps.sh` (as root or with sudo), or install "
        "`postgresql` and `postgresql-NN-postgis-3` yourself."
    )


def _can_reach(user: str, path: Path) -> bool:
    result = subprocess.run(
        ["runuser", "-u", user, "--", "test", "-w", str(path)],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def _ensure_system_user() -> None:
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SYSTEM_USER,
            ],
            check=True,
        )


def locate_cluster() -> Cluster:
    """Where the cluster lives, and as whom it runs."""
    bindir = find_bindir()
    base = Path(os.environ.get("TOURNAGES_DB_DIR", PROJECT_ROOT / "var" / "postgres"))
    if os.geteuid() != 0:
        return Cluster(base=base, bindir=bindir, run_as=None)
    _ensure_system_user()
    base.mkdir(parents=True, exist_ok=True)
    shutil.chown(base, SYSTEM_USER, SYSTEM_USER)
    if not _can_reach(SYSTEM_USER, base):
        # The clone sits below a folder the unprivileged user cannot enter (such as /root):
        # keep the cluster in a per-project folder it can reach instead.
        digest = hashlib.sha256(str(base).encode()).hexdigest()[:12]
        base = Path("/var/tmp") / f"tournages-{digest}" / "postgres"
        base.mkdir(parents=True, exist_ok=True)
        shutil.chown(base.parent, SYSTEM_USER, SYSTEM_USER)
        shutil.chown(base, SYSTEM_USER, SYSTEM_USER)
    return Cluster(base=base, bindir=bindir, run_as=SYSTEM_USER)


def _run(cluster: Cluster, *args: str) -> subprocess.CompletedProcess[str]:
    command = list(args)
    if cluster.run_as:
        command = ["runuser", "-u", cluster.run_as, "--", *command]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _check(result: subprocess.CompletedProcess[str], what: str) -> None:
    if result.returncode != 0:
        raise EmbeddedDatabaseError(f"{what} failed:\n{result.stdout}{result.stderr}")


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Serialise creation and start-up of the server in FOLDER between commands launched at the
    same time (the embedded Redis uses it too)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _initdb(cluster: Cluster) -> None:
    cluster.socket_dir.mkdir(parents=True, exist_ok=True)
    if cluster.run_as:
        for path in (cluster.base, cluster.socket_dir):
            shutil.chown(path, cluster.run_as, cluster.run_as)
    _check(
        _run(
            cluster,
            str(cluster.bindir / "initdb"),
            "-D",
            str(cluster.data_dir),
            "-U",
            SUPERUSER,
            "--auth-local=trust",
            "--auth-host=reject",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ),
        "initdb",
    )
    settings = {
        "listen_addresses": "''",
        "unix_socket_directories": f"'{cluster.socket_dir}'",
        "unix_socket_permissions": "0700",
        "port": str(PORT),
        # A development cluster: losing the last second of commits on a crash is acceptable.
        "synchronous_commit": "off",
        "max_connections": "200",
        "shared_buffers": "256MB",
        "timezone": "'Europe/Brussels'",
    }
    conf = "".join(f"{key} = {value}\n" for key, value in settings.items())
    auto_conf = cluster.data_dir / "postgresql.auto.conf"
    with open(auto_conf, "a") as handle:
        handle.write(conf)


def _is_running(cluster: Cluster) -> bool:
    result = _run(cluster, str(cluster.bindir / "pg_ctl"), "status", "-D", str(cluster.data_dir))
    return result.returncode == 0


def ensure_running() -> Cluster:
    """Create the cluster on first use and start it if it is not running."""
    cluster = locate_cluster()
    with folder_lock(cluster.base):
        if not (cluster.data_dir / "PG_VERSION").exists():
            _initdb(cluster)
        if not _is_running(cluster):
            result = _run(
                cluster,
                str(cluster.bindir / "pg_ctl"),
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(cluster.data_dir),
                "-l",
                str(cluster.log_file),
            )
            _check(result, f"starting PostgreSQL (log: {cluster.log_file})")
    return cluster


def stop() -> bool:
    """Stop the cluster if it runs; True if it was running."""
    cluster = locate_cluster()
    if not (cluster.data_dir / "PG_VERSION").exists() or not _is_running(cluster):
        return False
    result = _run(
        cluster,
        str(cluster.bindir / "pg_ctl"),
        "stop",
        "-w",
        "-m",
        "fast",
        "-D",
        str(cluster.data_dir),
    )
    _check(result, "stopping PostgreSQL")
    return True


# Neither role may create roles, databases or extensions; trust on the private socket
# (only its OS user can open it). Real installs give them passwords: see docs/security.md.
ROLES_SQL = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN
        CREATE ROLE {OWNER_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
        CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
    END IF;
END $$
"""

# A database created before the roles existed belongs to the superuser: hand its schema objects
# (not the extensions') to the owner role, or the owner could neither migrate nor grant.
ADOPT_SQL = f"""
DO $$
DECLARE
    object record;
BEGIN
    FOR object IN
        SELECT format('ALTER TABLE %s OWNER TO {OWNER_ROLE}', c.oid::regclass) AS command
        FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND c.relowner <> '{OWNER_ROLE}'::regrole
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
        UNION ALL
        SELECT format('ALTER ROUTINE %s OWNER TO {OWNER_ROLE}', p.oid::regprocedure)
        FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> '{OWNER_ROLE}'::regrole
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                          AND d.objid = p.oid AND d.deptype = 'e')
        UNION ALL
        SELECT format('ALTER TYPE %s OWNER TO {OWNER_ROLE}', t.oid::regtype)
        FROM pg_type t
        WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd')
          AND t.typowner <> '{OWNER_ROLE}'::regrole
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                          AND d.objid = t.oid AND d.deptype = 'e')
    LOOP
        EXECUTE object.command;
    END LOOP;
END $$
"""
# The extensions the migrations use: only a superuser may create PostGIS.
EXTENSIONS = ("postgis", "btree_gist", "unaccent")


def _admin_connection(cluster: Cluster, database: str = "postgres"):
    import psycopg

    for _attempt in range(50):
        try:
            return psycopg.connect(
                host=str(cluster.socket_dir),
                port=PORT,
                user=SUPERUSER,
                dbname=database,
                autocommit=True,
            )
        except psycopg.OperationalError:
            time.sleep(0.1)  # the server is still starting up
    raise EmbeddedDatabaseError(f"cannot connect to the embedded cluster ({cluster.log_file})")


def ensure_database(cluster: Cluster, name: str) -> None:
    """Create the two roles, and database NAME owned by the owner role with the extensions,
    if they do not exist yet."""
    with _admin_connection(cluster) as conn:
        conn.execute(ROLES_SQL)
        owner = conn.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not owner:
            conn.execute(f'CREATE DATABASE "{name}" OWNER {OWNER_ROLE}')
        elif owner[0] != OWNER_ROLE:
            conn.execute(f'ALTER DATABASE "{name}" OWNER TO {OWNER_ROLE}')
    with _admin_connection(cluster, name) as conn:
        for extension in EXTENSIONS:
            conn.execute(f"CREATE EXTENSION IF NOT EXISTS {extension} SCHEMA public")
        if owner and owner[0] != OWNER_ROLE:
            conn.execute(ADOPT_SQL)


def drop_database(cluster: Cluster, name: str) -> None:
    with _admin_connection(cluster) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def serves(url: str) -> bool:
    """Whether URL points into this project's embedded cluster."""
    from sqlalchemy import make_url

    host = make_url(url).query.get("host")
    try:
        return host == str(locate_cluster().socket_dir)
    except EmbeddedDatabaseError:
        return False


def fresh_database(database: str) -> DatabaseUrls:
    """Drop DATABASE in the embedded cluster if it exists, create it anew with PostGIS and
    return its URLs (the tests and the benchmarks start from an empty schema)."""
    cluster = ensure_running()
    drop_database(cluster, database)
    ensure_database(cluster, database)
    return cluster.urls(database)


def default_urls(database: str = "tournages") -> DatabaseUrls:
    """Start the embedded cluster if needed and return the URLs of DATABASE in it."""
    cluster = ensure_running()
    ensure_database(cluster, database)
    return cluster.urls(database)
