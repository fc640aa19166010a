import shutil

import psycopg

from core import embedded_db


def test_cluster_is_created_started_reused_and_stopped(tmp_path, monkeypatch):
    monkeypatch.setenv("TOURNAGES_DB_DIR", str(tmp_path / "postgres"))
    first = embedded_db.default_urls("scratch")
    second = embedded_db.default_urls("scratch")  # already running: reused as it is
    cluster = embedded_db.locate_cluster()
    try:
        assert first == second
        with psycopg.connect(
            host=str(cluster.socket_dir), port=embedded_db.PORT, user="tournages", dbname="scratch"
        ) as conn:
            assert conn.execute("SELECT postgis_lib_version()").fetchone()[0].startswith("3.")
            listen = conn.execute("SHOW listen_addresses").fetchone()[0]
            assert listen == ""  # Unix socket only: no clash with a server on port 5432
            owner = conn.execute("SELECT current_setting('data_directory')").fetchone()[0]
            assert owner == str(cluster.data_dir)
    finally:
        assert embedded_db.stop() is True
        assert embedded_db.stop() is False
        # As root the cluster may have moved to /var/tmp (tmp_path is private): remove it.
        shutil.rmtree(cluster.base, ignore_errors=True)
