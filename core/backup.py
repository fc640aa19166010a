"""Backups: the database (pg_dump, custom format) and the upload folder in one archive.

An archive is a tar file holding `manifest.json` (what it contains, with row counts and
SHA-256 checksums), `database.dump` and `uploads/…`. It is written under a temporary name and
renamed when complete, so a backup that fails half-way never looks like a good one. Restoring
checks every checksum first, restores into a new or empty database in one transaction, copies
the files, and compares the row counts with the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import URL, create_engine, make_url
from sqlalchemy.pool import NullPool

from core import embedded_db
from core.privileges import grant_app_privileges

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
UPLOADS = "uploads"
PRIVATE_FILE = 0o600  # the archive holds personal data: its owner only
SKIPPED_TABLES = {"spatial_ref_sys"}  # PostGIS reference data, recreated with the extension
# Trusted extensions a migration creates as the schema owner (pg_trgm, migration 0011): the
# owner restores them too. The administrator creates the others in the target beforehand.
OWNER_EXTENSIONS = {"pg_trgm"}


class BackupError(RuntimeError):
    """The backup or restore cannot be done; nothing was overwritten."""


@dataclass(frozen=True)
class RestoreReport:
    database: str
    tables: dict[str, int]
    files: int


def _tool(name: str) -> str:
    """pg_dump/pg_restore of the newest installed PostgreSQL (never older than the server)."""
    try:
        return str(embedded_db.find_bindir() / name)
    except embedded_db.EmbeddedDatabaseError:
        found = shutil.which(name)
        if found is None:
            raise BackupError(f"{name} is not installed (Debian: postgresql-client)") from None
        return found


def _libpq(url: str | URL) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password (which goes to PGPASSWORD, not the process list)."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    uri = parsed.set(drivername="postgresql", password=None).render_as_string()
    return uri, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed:\n{result.stderr.strip()}")


def _connect(url: str | URL, **kwargs: Any) -> psycopg.Connection:
    uri, env = _libpq(url)
    return psycopg.connect(uri, password=env.get("PGPASSWORD"), **kwargs)


def table_counts(url: str | URL) -> dict[str, int]:
    """Rows per table of the public schema (the manifest's check of a restore)."""
    with _connect(url) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
            if name not in SKIPPED_TABLES
        ]
        return {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]  # type: ignore[index]
            for table in tables
        }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _upload_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def create_backup(database_url: str, upload_folder: Path, directory: Path) -> Path:
    """Write a backup archive into DIRECTORY and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    archive = directory / f"tournages-{stamp}.tar"
    uri, env = _libpq(database_url)
    with tempfile.TemporaryDirectory(dir=directory, prefix=".backup-") as work:
        dump = Path(work) / DUMP
        # The dump is one consistent snapshot; files are copied after it, so every file a
        # dumped row refers to is there (uploads are written once under new names).
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              f"--file={dump}", f"--dbname={uri}"], env)  # fmt: skip
        files = _upload_files(upload_folder)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(),
            "database": make_url(database_url).database,
            "tables": table_counts(database_url),
            "dump_sha256": _sha256(dump),
            "uploads": [
                {
                    "path": path.relative_to(upload_folder).as_posix(),
                    "size": path.stat().st_size,
                    "sha256": _sha256(path),
                }
                for path in files
            ],
        }
        (Path(work) / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        partial = Path(work) / "archive.tar"
        with tarfile.open(partial, "w") as tar:
            tar.add(Path(work) / MANIFEST, arcname=MANIFEST)
            tar.add(dump, arcname=DUMP)
            for path in files:
                tar.add(path, arcname=f"{UPLOADS}/{path.relative_to(upload_folder).as_posix()}")
        os.chmod(partial, PRIVATE_FILE)  # password hashes, contacts, insurance certificates
        os.replace(partial, archive)
    return archive


def _safe_extract(tar: tarfile.TarFile, target: Path) -> None:
    """Regular files and folders only, all inside TARGET: what extractall's "data" filter does,
    written out because Debian 12's Python (3.11.2) predates that filter."""
    for member in tar.getmembers():
        parts = PurePosixPath(member.name).parts
        if member.name.startswith("/") or ".." in parts or not (member.isfile() or member.isdir()):
            raise tarfile.TarError(f"unsafe member {member.name!r}")
        destination = target.joinpath(*parts)
        if member.isdir():
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        with tar.extractfile(member) as source, destination.open("wb") as out:  # type: ignore[union-attr]
            shutil.copyfileobj(source, out)


def _unpack(archive: Path, work: Path) -> dict[str, Any]:
    """Extract (no absolute paths, links or '..') and check every checksum."""
    try:
        with tarfile.open(archive, "r") as tar:
            _safe_extract(tar, work)
        manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, tarfile.TarError, json.JSONDecodeError) as exc:
        raise BackupError(f"{archive}: not a readable backup archive ({exc})") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"{archive}: unknown backup format {manifest.get('format')!r}")
    if _sha256(work / DUMP) != manifest["dump_sha256"]:
        raise BackupError(f"{archive}: the database dump is damaged (checksum mismatch)")
    for entry in manifest["uploads"]:
        path = work / UPLOADS / entry["path"]
        if not path.is_file() or _sha256(path) != entry["sha256"]:
            raise BackupError(f"{archive}: uploaded file {entry['path']} is missing or damaged")
    return manifest


def _prepare_database(target: URL) -> None:
    """Create TARGET, or accept it if it exists and holds no table yet."""
    maintenance = target.set(database="postgres")
    with _connect(maintenance, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)
        ).fetchone()
        if not exists and embedded_db.serves(target.render_as_string()):
            # The cluster's superuser creates it, owned by the owner role, with the extensions.
            embedded_db.ensure_database(embedded_db.locate_cluster(), str(target.database))
            return
        if not exists:  # an existing server: the owner needs CREATEDB, else create it first
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database)))
            return
    with _connect(target) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> ALL(%s)",
            (list(SKIPPED_TABLES),),
        ).fetchone()[0]  # type: ignore[index]
    if tables:
        raise BackupError(
            f"database {target.database!r} is not empty: restore into a new database "
            "(--database NAME) or drop it first"
        )


def check_private(archive: Path) -> None:
    """Refuse an archive that group or others may read: it was copied carelessly, and anyone
    on the machine may have read (or changed) the password hashes and contacts inside."""
    mode = archive.stat().st_mode
    if mode & 0o077:
        raise BackupError(
            f"{archive} is readable by other users (mode {mode & 0o777:o}): chmod 600 it, or "
            "pass --allow-readable if you trust it"
        )


def _without_extensions(dump: Path, env: dict[str, str]) -> Path:
    """The dump's table of contents less the extensions, their comments and reference data:
    the schema owner restores, and only the extensions' owner (the administrator, who created
    them in the target as for a new install) may create, comment on or fill them. The
    OWNER_EXTENSIONS stay (not their comments: the administrator may have created one)."""
    listing = subprocess.run(
        [_tool("pg_restore"), "--list", str(dump)], capture_output=True, text=True, env=env
    )
    if listing.returncode != 0:
        raise BackupError(f"pg_restore --list failed:\n{listing.stderr.strip()}")
    extension_data = tuple(f" TABLE DATA public {table} " for table in SKIPPED_TABLES)
    kept = [
        line
        for line in listing.stdout.splitlines()
        if (" EXTENSION " not in line or _owner_extension(line))
        and not any(part in line for part in extension_data)
    ]
    contents = dump.with_name("contents.list")
    contents.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return contents


def _owner_extension(line: str) -> bool:
    """Whether a table-of-contents LINE creates one of the OWNER_EXTENSIONS
    ("5; 3079 103261 EXTENSION - pg_trgm")."""
    words = line.split()
    return len(words) >= 3 and words[-3:-1] == ["EXTENSION", "-"] and words[-1] in OWNER_EXTENSIONS


def _grant(target: URL, app_role: str | None) -> None:
    if not app_role or app_role == target.username:
        return  # a single-role install: the owner is the app
    engine = create_engine(target.set(drivername="postgresql+psycopg"), poolclass=NullPool)
    with engine.begin() as connection:
        grant_app_privileges(connection, app_role)


def restore_backup(
    archive: Path,
    target_url: str,
    upload_folder: Path,
    app_role: str | None,
    *,
    allow_readable: bool = False,
) -> RestoreReport:
    """Restore ARCHIVE into the new or empty database TARGET_URL (as its schema owner) and
    UPLOAD_FOLDER, then grant APP_ROLE its privileges (the dump carries none)."""
    if not allow_readable:
        check_private(archive)
    target = make_url(target_url)
    if upload_folder.exists() and any(upload_folder.iterdir()):
        raise BackupError(f"upload folder {upload_folder} is not empty")
    with tempfile.TemporaryDirectory(prefix="tournages-restore-") as work_dir:
        work = Path(work_dir)
        manifest = _unpack(archive, work)
        _prepare_database(target)
        uri, env = _libpq(target)
        contents = _without_extensions(work / DUMP, env)
        _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", f"--use-list={contents}", f"--dbname={uri}",
              str(work / DUMP)], env)  # fmt: skip
        _grant(target, app_role)
        upload_folder.mkdir(parents=True, exist_ok=True)
        if (work / UPLOADS).is_dir():
            shutil.copytree(work / UPLOADS, upload_folder, dirs_exist_ok=True)
    counts = table_counts(target)
    if counts != manifest["tables"]:
        raise BackupError(f"restored rows {counts} differ from the backup's {manifest['tables']}")
    return RestoreReport(str(target.database), counts, len(manifest["uploads"]))
