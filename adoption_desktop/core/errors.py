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
