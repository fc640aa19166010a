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

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SYSTEM_USER = "tournages"
SUPERUSER = "tournages"
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

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.socket_dir}&port={PORT}"


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
def _lock(cluster: Cluster) -> Iterator[None]:
    """Serialise creation and start-up between commands launched at the same time."""
    cluster.base.mkdir(parents=True, exist_ok=True)
    with open(cluster.base / ".lock", "w") as handle:
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
    with _lock(cluster):
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


def ensure_database(cluster: Cluster, name: str) -> None:
    """Create database NAME with PostGIS if it does not exist yet."""
    import psycopg

    for _attempt in range(50):
        try:
            conn = psycopg.connect(
                host=str(cluster.socket_dir), port=PORT, user=SUPERUSER, dbname="postgres"
            )
            break
        except psycopg.OperationalError:
            time.sleep(0.1)  # the server is still starting up
    else:
        raise EmbeddedDatabaseError(f"cannot connect to the embedded cluster ({cluster.log_file})")
    with conn:
        conn.autocommit = True
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(
        host=str(cluster.socket_dir), port=PORT, user=SUPERUSER, dbname=name, autocommit=True
    ) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def fresh_database_url(database: str) -> str:
    """Drop DATABASE in the embedded cluster if it exists, create it anew with PostGIS and
    return its URL (the tests and the benchmarks start from an empty schema)."""
    import psycopg

    cluster = ensure_running()
    with psycopg.connect(
        host=str(cluster.socket_dir), port=PORT, user=SUPERUSER, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    ensure_database(cluster, database)
    return cluster.url(database)


def default_url(database: str = "tournages") -> str:
    """Start the embedded cluster if needed and return the URL of DATABASE in it."""
    cluster = ensure_running()
    ensure_database(cluster, database)
    return cluster.url(database)
