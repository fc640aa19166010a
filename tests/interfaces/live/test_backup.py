"""Backup and restore round-trip: every record and every uploaded file comes back."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import make_url

from core import embedded_db
from core.auth.operations import create_token
from core.backup import SKIPPED_TABLES, BackupError, _unpack, table_counts
from core.db import db

RESTORED = "restore_interfaces_test"


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def table_fingerprints(url: str) -> dict[str, tuple[int, str]]:
    """Rows and a digest of their full text, per table: equal means the same records."""
    with psycopg.connect(libpq(url)) as conn:
        tables = [
            t
            for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            if t not in SKIPPED_TABLES
        ]
        return {
            table: conn.execute(
                sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                    " FROM {} AS t"
                ).format(sql.Identifier(table))
            ).fetchone()
            for table in tables
        }


@pytest.fixture
def restored_url(committed_app):
    """The restored database's URL for the app's role (which the restore grants its rights)."""
    url = make_url(committed_app.config["DATABASE_URL"])
    cluster = embedded_db.locate_cluster()
    embedded_db.drop_database(cluster, RESTORED)
    yield url.set(database=RESTORED).render_as_string(hide_password=False)
    embedded_db.drop_database(cluster, RESTORED)


@pytest.fixture
def records(committed_app, make_user, create_location, create_shoot, tmp_path, monkeypatch):
    uploads = tmp_path / "uploads"
    monkeypatch.setitem(committed_app.config, "UPLOAD_FOLDER", str(uploads))
    user = make_user("coordinator")
    create_token(db.session, user, "backup test")
    location = create_location(name="Abbaye de Villers", owner_notes="clé chez le voisin")
    create_shoot(location_id=location.id)
    db.session.commit()
    photos = {
        f"locations/{location.id}/front.jpg": os.urandom(50_000),
        f"locations/{location.id}/plan d'accès.pdf": b"%PDF-1.4 accents: \xc3\xa9",
        "permits/2027/PER-0001.pdf": os.urandom(1000),
    }
    for name, content in photos.items():
        (uploads / name).parent.mkdir(parents=True, exist_ok=True)
        (uploads / name).write_bytes(content)
    return photos


def test_backup_restores_every_record_and_file(committed_app, records, restored_url, tmp_path):
    runner = committed_app.test_cli_runner()
    made = runner.invoke(args=["backup", str(tmp_path / "backups")])
    assert made.exit_code == 0, made.output
    archive = Path(made.output.strip())
    assert archive.parent == tmp_path / "backups" and archive.suffix == ".tar"
    assert [p.name for p in archive.parent.iterdir()] == [archive.name]  # no leftovers

    restored_files = tmp_path / "restored-uploads"
    done = runner.invoke(
        args=[
            "restore",
            str(archive),
            "--database",
            RESTORED,
            "--upload-folder",
            str(restored_files),
        ]
    )
    assert done.exit_code == 0, done.output
    assert f"into database '{RESTORED}'" in done.output and "3 files" in done.output

    source = committed_app.config["DATABASE_URL"]
    fingerprints = table_fingerprints(source)
    assert fingerprints["locations"][0] == 1 and fingerprints["shoots"][0] == 1
    assert fingerprints["api_tokens"][0] == 1 and fingerprints["communes"][0] == 262
    assert table_fingerprints(restored_url) == fingerprints
    for name, content in records.items():
        assert (restored_files / name).read_bytes() == content
    with psycopg.connect(libpq(restored_url)) as conn:  # PostGIS works in the restored copy
        (nis,) = conn.execute(
            "SELECT c.nis FROM communes c JOIN locations l ON ST_Intersects(c.boundary, l.point)"
        ).fetchone()
    assert nis == "92094"


def test_restore_refuses_a_database_that_is_not_empty(committed_app, records, tmp_path):
    runner = committed_app.test_cli_runner()
    archive = runner.invoke(args=["backup", str(tmp_path)]).output.strip()
    refused = runner.invoke(args=["restore", archive, "--upload-folder", str(tmp_path / "new")])
    assert refused.exit_code != 0
    assert "is not empty" in refused.output
    assert table_counts(committed_app.config["DATABASE_URL"])["locations"] == 1


def test_restore_refuses_a_damaged_archive(committed_app, records, restored_url, tmp_path):
    runner = committed_app.test_cli_runner()
    archive = Path(runner.invoke(args=["backup", str(tmp_path)]).output.strip())
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.endswith("front.jpg"):
                data = b"\x00" + data[1:]
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    damaged.chmod(0o600)  # an archive others may read is refused before it is checked
    refused = runner.invoke(
        args=[
            "restore",
            str(damaged),
            "--database",
            RESTORED,
            "--upload-folder",
            str(tmp_path / "new"),
        ]
    )
    assert refused.exit_code != 0
    assert "front.jpg is missing or damaged" in refused.output
    with psycopg.connect(libpq(make_url(restored_url).set(database="postgres"))) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (RESTORED,))
        assert exists.fetchone() is None  # checked before anything was created


def test_restore_refuses_an_archive_reaching_outside_its_folder(tmp_path, committed_app):
    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as tar:
        data = b"owned"
        info = tarfile.TarInfo("../outside.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(BackupError, match="unsafe member"):
        _unpack(archive, work)
    assert not (tmp_path / "outside.txt").exists()


def test_backups_are_private_and_readable_archives_are_refused(committed_app, records, tmp_path):
    runner = committed_app.test_cli_runner()
    archive = Path(runner.invoke(args=["backup", str(tmp_path)]).output.strip())
    assert archive.stat().st_mode & 0o777 == 0o600  # password hashes, contacts, insurance
    archive.chmod(0o640)
    restore = ["restore", str(archive), "--upload-folder", str(tmp_path / "new")]
    refused = runner.invoke(args=restore)
    assert refused.exit_code != 0 and "readable by other users" in refused.output
    # Told otherwise, it goes on to the next check (the configured database is not empty).
    allowed = runner.invoke(args=[*restore, "--allow-readable"])
    assert allowed.exit_code != 0 and "is not empty" in allowed.output
