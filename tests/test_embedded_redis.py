import pytest
import redis

from core import embedded_redis


def test_redis_is_started_reused_and_stopped(tmp_path, monkeypatch):
    monkeypatch.setenv("TOURNAGES_REDIS_DIR", str(tmp_path / "redis"))
    first = embedded_redis.ensure_running()
    try:
        first.client().set("counted", 1)
        second = embedded_redis.ensure_running()  # already running: reused as it is
        assert second == first and second.client().get("counted") == b"1"
        assert first.url == f"redis+unix://{tmp_path / 'redis' / 'redis.sock'}"
        settings = first.client().config_get("*")
        assert settings["port"] == "0"  # Unix socket only: no clash with a Redis on 6379
        assert settings["unixsocketperm"] == "700" and settings["save"] == ""
    finally:
        assert embedded_redis.stop() is True
        assert embedded_redis.stop() is False
    with pytest.raises(redis.ConnectionError):
        first.client().ping()
    assert embedded_redis.ensure_running().client().get("counted") is None  # nothing kept
    assert embedded_redis.stop() is True
