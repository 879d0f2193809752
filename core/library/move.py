"""Moving a project from one store to another (issue 14): a DuckDB file into
PostgreSQL and back, or between any two stores, with nothing lost.

    python -m core.library.move --from data/continuity.duckdb \\
        --to postgresql://user@host/db [--project NAME-or-ID] \\
        [--images-from DIR --images-to DIR]

The project keeps its ids: it is the same project, in another store. Its rows (table
by table as `project_schema.TABLES` lists them, read by `transfer.project_rows` in one
transaction of the source) go into the target in one transaction, one INSERT per table;
the library entries its assets came from are added where the target lacks them. The
history keeps its numbers and the target's sequence is moved past them; only if the
target's own history holds one of those numbers already does the project's history get
new ones, in the same order (the summary says so). Every file the rows refer to
(`orphans.referenced_keys`) is copied from the source image folder to the target's when
they differ, each checked by SHA-256 after writing. A target that holds the project
already is refused; if anything fails, the files written are removed again and the
target holds nothing of the project. The source is left as it is.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from core import config
from core.catalog.projects import list_projects
from core.errors import DatabaseOpenError, DeskError, NotFoundError, ValidationError
from core.images import orphans
from core.images.store import ImageStore
from core.library.project_schema import TABLES
from core.library.transfer import insert_rows, project_rows
from core.models import Project
from core.store.db import Database, dialect_for


@dataclass
class Moved:
    project_id: str
    name: str
    source: str                              # the stores as shown (no password)
    target: str
    rows: dict[str, int]                     # table -> rows moved
    added: dict[str, int]                    # table -> rows written (shared rows: new ones)
    copied: int                              # files written to the target image folder
    present: int                             # files there already (same bytes, or same folder)
    renumbered: bool                         # the history got new numbers on the target
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        tables = ", ".join(
            f"{t} {n}" + (f" ({n - self.added[t]} already there)" if self.added[t] < n else "")
            for t, n in self.rows.items() if n)
        files = f"files: {self.copied} copied (SHA-256 checked), {self.present} already there"
        history = "; the history got new numbers (the target's were taken)" \
            if self.renumbered else ""
        return (f"Moved project {self.name!r} ({self.project_id}) from {self.source} to "
                f"{self.target}: {tables}; {files}{history}. The source is unchanged.")


def find_project(cur, wanted: str | None) -> Project:
    """The project `wanted` names (its id, or its name in any case); the only one if None."""
    everything = list_projects(cur)
    listed = "; ".join(f"{p.name} ({p.id})" for p in everything[:20])
    if wanted is None:
        if len(everything) == 1:
            return everything[0]
        if not everything:
            raise NotFoundError("The source database holds no project.")
        raise ValidationError(f"The source database holds {len(everything)} projects; name "
                              f"the one to move (its name or id): {listed}.")
    hits = [p for p in everything if p.id == wanted.strip()] or [
        p for p in everything if p.name.casefold() == wanted.strip().casefold()]
    if not hits:
        raise NotFoundError(f"The source database has no project named {wanted!r} (nor with "
                            f"that id); it holds: {listed or 'none'}.")
    if len(hits) > 1:
        raise ValidationError(f"{len(hits)} projects of the source database are named "
                              f"{wanted!r}; name the one to move by its id: "
                              + "; ".join(p.id for p in hits) + ".")
    return hits[0]


def move_project(source: Database, source_images: str | Path, target: Database,
                 target_images: str | Path, project: str | None = None) -> Moved:
    """Move `project` (a name or id; None: the source's only one) from `source` to
    `target`, its files from `source_images` to `target_images`: all or nothing."""
    def read(cur):
        found = find_project(cur, project)
        return found, project_rows(cur, found.id), sorted(orphans.referenced_keys(cur, found.id))

    found, tables, keys = source.transaction(read)
    with target.cursor() as cur:
        _refuse_if_there(cur, found)         # before any file is copied
    endpoint = config.from_env().s3_endpoint_url
    src, dst = (ImageStore(source_images, s3_endpoint_url=endpoint),
                ImageStore(target_images, s3_endpoint_url=endpoint))
    written: list[str] = []
    try:
        present, missing = _copy_files(src, dst, keys, written)
        added, renumbered = target.transaction(lambda cur: _write(cur, found, tables))
    except target.dialect.error as exc:
        _remove(dst, written)
        raise ValidationError(f"The target database refused the project "
                              f"({str(exc).splitlines()[0][:200]}); nothing was moved.") \
            from None
    except BaseException:
        _remove(dst, written)
        raise
    moved = Moved(found.id, found.name, source.path, target.path,
                  {t: len(tables.get(t, ((), ()))[1]) for t in TABLES}, added,
                  len(written), present, renumbered)
    if missing:
        moved.warnings.append(
            f"{len(missing)} image file(s) the project refers to are missing from the source "
            f"image folder {src.location} (the first: {missing[0]}); they could not be moved.")
    return moved


def _refuse_if_there(cur, project: Project) -> None:
    there = cur.execute("SELECT name FROM projects WHERE id = ?", [project.id]).fetchone()
    if there is not None:
        raise ValidationError(f"The target database already holds the project {there[0]!r} "
                              f"({project.id}): it was moved there before, or the target is "
                              "the source. Nothing was moved.")


def _copy_files(src: ImageStore, dst: ImageStore, keys: list[str], written: list[str]
                ) -> tuple[int, list[str]]:
    """Copy each key's file (checked after writing); (files there already, keys whose
    source file is missing). `written` collects the keys written, for the undo."""
    missing = [k for k in keys if not src.exists(k)]
    if src.location == dst.location:
        return len(keys) - len(missing), missing
    present = 0
    for key in sorted(set(keys) - set(missing)):
        data = src.read(key)
        digest = hashlib.sha256(data).hexdigest()
        if dst.exists(key):
            if hashlib.sha256(dst.read(key)).hexdigest() != digest:
                raise ValidationError(
                    f"The target image folder {dst.location} already holds another file at "
                    f"{key} (no project of the target refers to it); remove it, or choose "
                    "another folder. Nothing was moved.")
            present += 1
            continue
        dst.write(key, data)
        written.append(key)
        if hashlib.sha256(dst.read(key)).hexdigest() != digest:
            raise ValidationError(f"The copy of {key} in {dst.location} does not match the "
                                  "original (checksum mismatch). Nothing was moved.")
    return present, missing


def _remove(dst: ImageStore, written: list[str]) -> None:
    """Remove the files written (and the folders that leaves empty)."""
    dst.delete_many(written)


def _write(cur, project: Project, tables) -> tuple[dict[str, int], bool]:
    """The project's rows into the target, ids as they are: (rows written per table,
    whether the history got new numbers)."""
    _refuse_if_there(cur, project)
    rows = {t: [dict(zip(cols, r, strict=True)) for r in data]
            for t, (cols, data) in tables.items()}
    numbered = [(t, col, c.table, [r[col] for r in rows[t]])
                for t, spec in TABLES.items() if rows.get(t)
                for col, c in spec.columns.items() if c.kind == "seq"]
    taken = any(cur.execute(f'SELECT 1 FROM "{t}" WHERE "{col}" = ANY(?::BIGINT[]) LIMIT 1',
                            [numbers]).fetchone() for t, col, _, numbers in numbered)
    if not taken:                       # later rows of the target number on past them
        for _, _, sequence, numbers in numbered:
            cur.execute(cur.dialect.sequence_past(sequence), [max(numbers)])
    return insert_rows(cur, rows, renumber=taken), taken


# --- the command ----------------------------------------------------------------------------

def open_store(where: str, role: str) -> Database:
    """The `role` ("source" or "target") store `where` names: a DuckDB file (a source
    must exist) or a postgresql:// URL."""
    if dialect_for(where).name == "duckdb":
        if "://" in where:
            raise ValidationError(f"The {role} {where!r} is neither a DuckDB file nor a "
                                  "postgresql:// URL.")
        if role == "source" and not Path(where).is_file():
            raise ValidationError(f"The source database {where} does not exist (no such "
                                  "file).")
    try:
        return Database(where)
    except DatabaseOpenError as exc:
        raise DatabaseOpenError(f"The {role} database: {exc}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m core.library.move",
        description="Move a project, with its ids, history and images, from one Continuity "
                    "Desk store to another: each a DuckDB file or a postgresql:// URL.")
    parser.add_argument("--from", dest="source", required=True, metavar="DB",
                        help="the DuckDB file or postgresql:// URL holding the project")
    parser.add_argument("--to", dest="target", required=True, metavar="DB",
                        help="the DuckDB file (made if missing) or postgresql:// URL")
    parser.add_argument("--project", metavar="NAME-or-ID",
                        help="the project to move (needed when the source holds several)")
    parser.add_argument("--images-from", metavar="DIR",
                        help="the source's image folder (default: CONTINUITY_IMAGE_ROOT, "
                             f"else {config.DEFAULT_IMAGE_ROOT})")
    parser.add_argument("--images-to", metavar="DIR",
                        help="the target's image folder (default: the same as --images-from, "
                             "so nothing is copied)")
    args = parser.parse_args(argv)
    images_from = args.images_from or config.from_env().image_root
    try:
        source = open_store(args.source, "source")
        try:
            with source.cursor() as cur:
                find_project(cur, args.project)      # before a target file is made
            target = open_store(args.target, "target")
            try:
                moved = move_project(source, images_from, target,
                                     args.images_to or images_from, args.project)
            finally:
                target.close()
        finally:
            source.close()
    except DeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for warning in moved.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(moved.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
