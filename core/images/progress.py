"""Read models for bulk generation (G8) and the editor's image controls: which
instances a run covers, how a run of jobs is doing (read from the database, so
progress survives a page reload), and an instance's recent jobs."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.catalog.projects import resolve_branch
from core.errors import ValidationError
from core.images import jobs
from core.images.jobs import ACTIVE, Job
from core.models import Instance
from core.store import instances, read_model

SELECTIONS = ("missing", "stale", "missing_or_stale", "all")
STATUSES = ("queued", "running", "completed", "failed", "cancelled")
ASSET_TYPES = ("character", "location", "prop")


def needs_image(inst: Instance, which: str) -> bool:
    """G8's selection: no image yet, a stale one (G7), either, or every instance."""
    if which == "missing":
        return inst.image_key is None
    if which == "stale":
        return inst.image_key is not None and inst.image_stale
    if which == "missing_or_stale":
        return inst.image_key is None or inst.image_stale
    if which == "all":
        return True
    raise ValidationError(f"Unknown image selection {which!r}: use one of "
                          f"{', '.join(SELECTIONS)}.")


def candidates(cur, project_id: str, branch_id: str | None = None, which: str = "all",
               asset_types=None, scene_range: tuple[int | None, int | None] | None = None
               ) -> list[Instance]:
    """The branch's instances for a bulk run, in scene order then type and name.

    `asset_types` limits the types (None or empty: all); `scene_range` is an inclusive
    (first, last) pair of scene numbers, either end None for open."""
    choice = _choice(which, asset_types, scene_range)
    branch_id = resolve_branch(cur, project_id, branch_id)
    return _select(instances.for_branch(cur, branch_id), which, *choice)


def image_rows(cur, project_id: str, branch_id: str | None = None) -> list[read_model.Summary]:
    """The branch's instances as light rows (`read_model.Summary`), in scene order then
    type and name: what the bulk page counts, shows and selects from, read once."""
    branch_id = resolve_branch(cur, project_id, branch_id)
    return read_model.branch_light(cur, project_id, branch_id, order=read_model.SCENE_ORDER)


def select(rows, which: str = "all", asset_types=None,
           scene_range: tuple[int | None, int | None] | None = None) -> list:
    """`candidates` among instances already read (full or light rows, kept in their
    order), for a page that reads the branch once."""
    return _select(rows, which, *_choice(which, asset_types, scene_range))


def _choice(which: str, asset_types, scene_range) -> tuple[set[str], int | None, int | None]:
    """(types, first, last) of a valid choice; ValidationError names a bad one."""
    if which not in SELECTIONS:
        raise ValidationError(f"Unknown image selection {which!r}: use one of "
                              f"{', '.join(SELECTIONS)}.")
    types = set(asset_types or ())
    if unknown := sorted(types - set(ASSET_TYPES)):
        raise ValidationError(f"Unknown asset type(s): {', '.join(unknown)}.")
    first, last = scene_range or (None, None)
    if first is not None and last is not None and first > last:
        raise ValidationError(f"The scene range {first}..{last} is empty: the first scene "
                              "must not come after the last.")
    return types, first, last


def _select(rows, which: str, types: set[str], first: int | None, last: int | None) -> list:
    return [i for i in rows
            if (not types or i.asset_type in types)
            and (first is None or i.scene_number >= first)
            and (last is None or i.scene_number <= last)
            and needs_image(i, which)]


@dataclass(frozen=True)
class Target:
    """An instance waiting for a job's image, as the producer recognises it."""
    instance_id: str
    scene_id: str
    scene_number: int
    scene_label: str
    asset_name: str
    asset_type: str


@dataclass(frozen=True)
class JobProgress:
    job: Job
    targets: list[Target]

    @property
    def title(self) -> str:
        """"Brick · scene 4" (or "scenes 4, 5" when one image serves several, G4)."""
        if not self.targets:
            return "(removed instance)"
        labels = list(dict.fromkeys(t.scene_label for t in self.targets))
        word = "scene" if len(labels) == 1 else "scenes"
        return f"{self.targets[0].asset_name} · {word} {', '.join(labels)}"


@dataclass(frozen=True)
class RunProgress:
    jobs: list[JobProgress]
    counts: dict[str, int] = field(default_factory=dict)   # every status, zeros included

    @property
    def total(self) -> int:
        return len(self.jobs)

    @property
    def active(self) -> int:
        return sum(self.counts.get(s, 0) for s in ACTIVE)

    @property
    def finished(self) -> int:
        return self.total - self.active

    @property
    def fraction(self) -> float:
        return self.finished / self.total if self.total else 1.0

    @property
    def failed(self) -> list[JobProgress]:
        return [j for j in self.jobs if j.job.status == "failed"]

    @property
    def actual_cost(self) -> float:
        return sum(j.job.actual_cost or 0.0 for j in self.jobs)

    def ids(self, *statuses: str) -> list[str]:
        return [j.job.id for j in self.jobs if j.job.status in statuses]

    @property
    def instance_ids(self) -> list[str]:
        """Every instance the run gives an image to, in job order."""
        return list(dict.fromkeys(t.instance_id for j in self.jobs for t in j.targets))


def progress(cur, job_ids: list[str]) -> RunProgress:
    """How a run is doing: its jobs in the order given, with the instances each
    serves and counts per status. Two queries whatever the size of the run."""
    ids = list(dict.fromkeys(job_ids))
    found = jobs.get_many(cur, ids) if ids else []
    by_job: dict[str, list[Target]] = {}
    if ids:
        rows = cur.execute(
            "SELECT t.job_id, i.id, s.id, s.scene_number, coalesce(s.label, "
            "CAST(s.scene_number AS VARCHAR)), a.name, a.asset_type "
            "FROM image_job_targets t "
            "JOIN scene_asset_instances i ON i.id = t.instance_id "
            "JOIN scenes s ON s.id = i.scene_id "
            "JOIN project_assets a ON a.id = i.project_asset_id "
            "WHERE t.job_id = ANY(?::VARCHAR[]) ORDER BY s.scene_number, lower(a.name)",
            [ids]).fetchall()
        for r in rows:
            by_job.setdefault(r[0], []).append(Target(*r[1:]))
    counts = dict.fromkeys(STATUSES, 0)
    for j in found:
        counts[j.status] = counts.get(j.status, 0) + 1
    return RunProgress([JobProgress(j, by_job.get(j.id, [])) for j in found], counts)


def for_instance(cur, instance_id: str, limit: int = 5) -> list[Job]:
    """The newest jobs that render an image for the instance (it may share them, G4)."""
    instances.chain_key(cur, instance_id)  # NotFoundError for an unknown id
    rows = cur.execute(
        f"SELECT {jobs._COLS} FROM image_jobs WHERE id IN "
        "(SELECT job_id FROM image_job_targets WHERE instance_id = ?) "
        "ORDER BY created_at DESC, id LIMIT ?", [instance_id, limit]).fetchall()
    return [Job(*r) for r in rows]
