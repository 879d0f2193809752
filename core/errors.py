"""Domain errors. Messages are written for the producer; pages show them as they are."""


class DeskError(Exception):
    """Base of every error core raises on purpose."""


class ValidationError(DeskError, ValueError):
    """Bad input from a person, a file or a model; nothing was written."""


class NotFoundError(DeskError, LookupError):
    """An id that does not exist (or no longer exists)."""


class ConflictError(DeskError):
    """The record changed since it was read; `.current` holds its current state."""

    def __init__(self, message: str, current=None):
        super().__init__(message)
        self.current = current


class LockedError(DeskError):
    """The instance is locked (E2): unlock it before editing."""


class BudgetError(DeskError):
    """A request would exceed the project's budget."""


class ProviderError(DeskError):
    """An image or detection provider failed."""


class DatabaseOpenError(DeskError):
    """The database file could not be opened (not a DuckDB file, unreadable path)."""


class DatabaseBusyError(DatabaseOpenError):
    """Another process holds the DuckDB file; `.path` and `.pid` (None if unknown) say which."""

    def __init__(self, path: str, pid: int | None):
        holder = f" (process {pid})" if pid is not None else ""
        super().__init__(
            f"Another Continuity Desk or program is using {path}{holder}. A DuckDB file "
            "serves one app process: stop the other one, or set CONTINUITY_DB_PATH to "
            "another file. Several app processes need the PostgreSQL team server: set "
            "CONTINUITY_DATABASE_URL (see the README, \"Team server\").")
        self.path = path
        self.pid = pid


class ImageStoreError(DeskError, OSError):
    """The image bucket refused a request or did not answer."""
