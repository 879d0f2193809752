"""`streamlit run` for the browser tests: one way to start the app on a free port of
127.0.0.1 over a DuckDB file and image root of its own, wait for its health check, and
stop it. `.streamlit/config.toml` applies, as under `make run`."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from desk_factory import app_env, make_desk

import core

REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 60.0


@dataclass
class Server:
    url: str
    db_path: Path
    image_root: Path
    proc: subprocess.Popen

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    def open_desk(self) -> core.Desk:
        """The database as the server left it (stop the server first: one process
        owns a DuckDB file)."""
        return make_desk(self.db_path, image_root=self.image_root, provider="offline")


_PRCTL = ctypes.CDLL(None).prctl   # looked up here: the child between fork and exec
PR_SET_PDEATHSIG = 1               # only makes the call (the worker has threads)


def _die_with_parent() -> None:
    """In the server's process before it starts: a TERM when the test process that
    started it dies, however it dies, so an interrupted run leaves no server behind.
    The server has a session of its own (Ctrl-C reaches the tests, which stop it)."""
    _PRCTL(PR_SET_PDEATHSIG, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    """The health check runs no script (the first page request still seeds)."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


@contextmanager
def streamlit_app(folder: Path, *, db_name: str = "e2e.duckdb",
                  app: Path = REPO / "app.py") -> Iterator[Server]:
    """The app over `folder/db_name` and `folder/images`, stopped on exit. A port taken
    by another process between the probe and the bind is retried on a new port."""
    db_path, image_root = folder / db_name, folder / "images"
    env = {**os.environ, **app_env(db_path, image_root), "PYTHONUNBUFFERED": "1"}
    problems = []
    for attempt in range(3):
        port, log_path = _free_port(), folder / f"streamlit-{attempt}.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(app),
                 "--server.headless=true", "--server.address=127.0.0.1",
                 f"--server.port={port}", "--server.fileWatcherType=none"],
                cwd=app.parent, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_die_with_parent)
        server = Server(f"http://127.0.0.1:{port}", db_path, image_root, proc)
        deadline, up = time.monotonic() + STARTUP_TIMEOUT_S, False
        while not up and proc.poll() is None and time.monotonic() < deadline:
            up = _healthy(server.url)
            if not up:
                time.sleep(0.25)
        if up:
            try:
                yield server
            finally:
                server.stop()
            return
        exited = proc.poll() is not None
        server.stop()
        output = log_path.read_text(errors="replace")
        problems.append(f"attempt {attempt + 1} on port {port}: "
                        + ("the server exited" if exited else
                           f"no health after {STARTUP_TIMEOUT_S:.0f} s")
                        + f"\n--- streamlit output ---\n{output}")
        if not (exited and ("is not available" in output or "already in use" in output)):
            break
    pytest.fail("e2e: streamlit did not start\n" + "\n".join(problems), pytrace=False)
