"""The embedded Redis: a private redis-server under the project folder, for the tests and for
trying several app nodes on one machine.

Production points TOURNAGES_RATELIMIT_STORAGE at a Redis of its own (docs/deploy.md). This one
listens only on a Unix socket in its own folder (no TCP port, so no clash with a system Redis on
6379), keeps nothing on disk (it holds rate-limit counters, which live a minute or an hour) and
is started on demand, like the embedded PostgreSQL cluster; `tournages redis stop` (and
`make stop`) stops it. Unlike PostgreSQL, Redis runs as root without complaint, so it runs as
whoever starts it; its socket is 0700, so nobody else can connect.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from core.embedded_db import folder_lock

PROJECT_ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 10


class EmbeddedRedisError(RuntimeError):
    """The private Redis cannot be started; the message says what to do."""


@dataclass(frozen=True)
class Instance:
    base: Path

    @property
    def socket(self) -> Path:
        return self.base / "redis.sock"

    @property
    def log_file(self) -> Path:
        return self.base / "redis.log"

    @property
    def url(self) -> str:
        """The rate-limit store's URL (TOURNAGES_RATELIMIT_STORAGE: the limits library's
        scheme for a Unix socket)."""
        return f"redis+unix://{self.socket}"

    def client(self) -> redis.Redis:
        return redis.Redis(unix_socket_path=str(self.socket), socket_timeout=5)


def locate() -> Instance:
    return Instance(Path(os.environ.get("TOURNAGES_REDIS_DIR", PROJECT_ROOT / "var" / "redis")))


def _server_binary() -> str:
    found = shutil.which("redis-server")
    if found is None:
        raise EmbeddedRedisError(
            "redis-server is not installed. Run `make test` or `scripts/install-system-deps.sh` "
            "(as root or with sudo), or install Debian's `redis-server` yourself."
        )
    return found


def _answers(instance: Instance) -> bool:
    if not instance.socket.exists():
        return False
    try:
        return bool(instance.client().ping())
    except redis.RedisError:
        return False


def _settings(instance: Instance) -> str:
    settings = {
        "daemonize": "yes",
        "port": "0",  # no TCP at all
        "unixsocket": str(instance.socket),
        "unixsocketperm": "700",
        "pidfile": str(instance.base / "redis.pid"),
        "logfile": str(instance.log_file),
        "dir": str(instance.base),
        "save": '""',  # counters only: nothing worth writing to disk
        "appendonly": "no",
    }
    return "".join(f"{key} {value}\n" for key, value in settings.items())


def ensure_running() -> Instance:
    """Start the private Redis if it does not answer yet."""
    instance = locate()
    with folder_lock(instance.base):
        if _answers(instance):
            return instance
        config = instance.base / "redis.conf"
        config.write_text(_settings(instance))
        result = subprocess.run(
            [_server_binary(), str(config)], capture_output=True, text=True, check=False
        )
        deadline = time.monotonic() + START_SECONDS
        while not _answers(instance):
            if result.returncode != 0 or time.monotonic() > deadline:
                raise EmbeddedRedisError(
                    f"starting Redis failed (log: {instance.log_file}):\n"
                    f"{result.stdout}{result.stderr}"
                )
            time.sleep(0.05)
    return instance


def stop() -> bool:
    """Stop the private Redis if it runs; True if it was running."""
    instance = locate()
    if not _answers(instance):
        return False
    instance.client().shutdown(nosave=True)
    deadline = time.monotonic() + START_SECONDS
    while _answers(instance):
        if time.monotonic() > deadline:
            raise EmbeddedRedisError(f"Redis did not stop (log: {instance.log_file})")
        time.sleep(0.05)
    return True
