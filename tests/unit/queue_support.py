"""A Desk whose image runner has a short lease and poll (the shared job queue of issue
14), for the tests whose processes die holding jobs or share one queue: the lease and
poll are parameters of the image service, never patched clocks."""

from __future__ import annotations

from pathlib import Path

from desk_factory import make_desk

from core.images.service import ImageService

LEASE = 1.5      # seconds: a killed process's jobs are taken over this soon
POLL = 0.2       # seconds: an idle process looks at the shared queue this often


def queue_desk(database: str | Path, image_root: str | Path, provider, *, workers: int = 2,
               lease: float = LEASE, poll: float = POLL):
    """`make_desk(database, image_root, provider)` with a runner of `workers` threads,
    a `lease`-second lease and a `poll`-second poll of the shared queue."""
    desk = make_desk(database, image_root=image_root, provider=provider)
    desk.images = ImageService(desk.db, desk.images.store, provider, workers=workers,
                               lease_seconds=lease, poll_seconds=poll)
    return desk
