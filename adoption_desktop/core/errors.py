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
