"""Errors that carry a message fit to show a user (they name the field and the fix)."""

from __future__ import annotations


class AppError(Exception):
    """Base for errors shown to users as they are."""


class ValidationError(AppError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class PermissionDenied(AppError):
    pass


class NotFound(AppError):
    pass


class Conflict(AppError):
    """The record changed, is locked, or the action conflicts with a rule (e.g. signed is final)."""


class KeyUnavailable(AppError):
    """The database key could not be obtained (wrong passphrase, missing keyring entry)."""


class DatabaseOpenError(AppError):
    pass


class DatabaseBusy(DatabaseOpenError):
    """Another program has the database (a long write, a maintenance job): not a key problem."""


class DatabaseDamaged(DatabaseOpenError):
    """The file is not a readable Adoption Desktop database (empty, cut short, corrupted)."""


class NewerSchema(DatabaseOpenError):
    """The database was made by a newer version of the application: refused before anything else."""


class StaleRecord(Conflict):
    """Someone else saved (or moved on) the record since this person loaded it: nothing was saved.

    Carries what a conflict dialog needs: who saved it and when, the version now stored and its values
    (label → text), and the version the person had loaded."""

    def __init__(self, message: str, *, what: str = "", saved_by: str = "", saved_at: object = None,
                 saved_version: int | None = None, your_version: int | None = None,
                 saved_values: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.what = what
        self.saved_by = saved_by
        self.saved_at = saved_at
        self.saved_version = saved_version
        self.your_version = your_version
        self.saved_values: dict[str, str] = dict(saved_values or {})


class DatabaseUnavailable(DatabaseOpenError):
    """The team database server can't be reached (stopped, restarting, the network dropped): nothing was
    saved by the step that failed. Transient: the same step may simply be tried again. The message is
    plain (no server address, port or driver text); the technical detail goes to the log."""

    MESSAGE = ("The database server can't be reached just now. What you typed is kept on this screen; it is "
               "saved when the server is back.")

    def __init__(self, message: str = MESSAGE) -> None:
        super().__init__(message)
