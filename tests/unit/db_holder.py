"""A second process holding a database file: `held(db, image_root)` runs this file
in a subprocess that opens the Desk, says "ready" and holds the file until its
stdin closes (used by the database-busy tests of core and of the app)."""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def held(db: Path, image_root: Path):
    """Yields the PID of a child process that holds `db` open with core.open_desk."""
    proc = subprocess.Popen([sys.executable, __file__, str(db), str(image_root)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield proc.pid
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import core

    desk = core.open_desk(sys.argv[1], image_root=sys.argv[2])
    print("ready", flush=True)
    sys.stdin.read()
    desk.close()
