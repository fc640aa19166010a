"""App nodes for the live tests: gunicorn processes with deploy/gunicorn.conf.py on free loopback
ports, as production runs them (docs/deploy.md)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]
GUNICORN = Path(sys.executable).parent / "gunicorn"
BOOT_SECONDS = 90  # several workers importing the app on a loaded 2-core machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Node:
    url: str  # http://127.0.0.1:PORT
    log: Path  # gunicorn's output: its own lines and the access log
    process: subprocess.Popen


def _start(settings: dict[str, str], log: Path, workers: int, threads: int) -> Node:
    port = free_port()
    env = {
        **os.environ,
        **settings,
        "TOURNAGES_BIND": f"127.0.0.1:{port}",
        "TOURNAGES_WORKERS": str(workers),
        "TOURNAGES_THREADS": str(threads),
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(GUNICORN), "-c", "deploy/gunicorn.conf.py"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return Node(url=f"http://127.0.0.1:{port}", log=log, process=process)


def _wait_until_ready(node: Node) -> None:
    deadline = time.monotonic() + BOOT_SECONDS
    while True:
        try:
            urllib.request.urlopen(f"{node.url}/healthz", timeout=5).close()
            return
        except OSError:
            if node.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{node.log.read_text()}") from None
            time.sleep(0.1)


def _stop(node: Node) -> None:
    node.process.terminate()  # gunicorn's graceful shutdown
    try:
        node.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        node.process.kill()
        node.process.wait()


@contextmanager
def gunicorn_nodes(
    settings: list[dict[str, str]], folder: Path, workers: int = 2, threads: int = 1
) -> Iterator[list[Node]]:
    """One gunicorn node per entry of SETTINGS (its environment on top of this one), started
    together; yields them once each answers /healthz, and stops them all after."""
    nodes: list[Node] = []
    try:
        for number, each in enumerate(settings):
            nodes.append(_start(each, folder / f"node-{number}.log", workers, threads))
        for node in nodes:
            _wait_until_ready(node)
        yield nodes
    finally:
        for node in nodes:
            _stop(node)
