"""A throwaway PostgreSQL cluster for the tests and benchmarks (Debian's `postgresql`
package; the server refuses to run as root, so the cluster belongs to `postgres`).

`start()` makes and starts a cluster on 127.0.0.1 in a new folder of the temp directory
(which the `postgres` user can reach) and returns (URL, folder); `stop(folder)` stops it
and removes the folder. Durability is switched off: the data is thrown away.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

INSTALL = ("PostgreSQL is needed for the tests on the team engine: install it with "
           "`apt-get install -y postgresql` (Debian's package; .ci/run does this).")


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found or not found[-1]:
        raise RuntimeError(INSTALL)
    return found[-1]


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args: list[str]) -> None:
    done = subprocess.run(_as_owner(args), capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args[:1])} failed: {done.stderr.strip()[-800:]}")


def start() -> tuple[str, Path]:
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    folder = Path(tempfile.mkdtemp(prefix="continuity-pg-"))
    data, sockets = folder / "pgdata", folder / "pgsock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(sockets, "postgres")
    _run([initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
          "--locale=C.UTF-8", "--no-sync"])
    port = _free_port()
    options = (f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=400 "
               "-c shared_buffers=128MB")
    _run([pg_ctl, "-D", str(data), "-o", options, "-w", "-l", str(folder / "server.log"),
          "start"])
    return f"postgresql://postgres@127.0.0.1:{port}/postgres", folder


def stop(folder: str | Path) -> None:
    data = Path(folder) / "pgdata"
    if data.exists():
        subprocess.run(_as_owner([_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)
