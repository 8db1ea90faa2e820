"""Errors that carry a message fit to show a user (they name the field and the fix)."""

from __future__ import annotations


class AppError(Exception):
    """Base for errors shown to users as they are."""


class WorkCancelled(Exception):
    """The person cancelled long work (a batch of letters, an export, an import): nothing was written under
    the name they chose. Not an error to show: ``ui.tasks.run_with_progress`` says "Cancelled" quietly. The
    areas' own names for it (``core.documents.pdf.Cancelled``, ``letterbox.importing.ImportCancelled``,
    ``core.audit_service.ExportCancelled``) are kinds of it."""


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


class WaitCancelled(DatabaseBusy):
    """The person stopped waiting for a colleague's (or another program's) write to finish: nothing of theirs
    was saved and the form they were saving from stays open with what they typed. Shown as any refusal."""

    MESSAGE = ("Not saved: you stopped waiting for the colleague's change. Your entries are still in the form: "
               "save again when you are ready.")

    def __init__(self, message: str = MESSAGE) -> None:
        super().__init__(message)


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
    plain (no server address, port or driver text); the technical detail goes to the log. It promises no
    later save: only autosaves retry, and they say so in their own words."""

    MESSAGE = ("The database server can't be reached just now, so this was not saved. What you typed is still "
               "on screen: try again when the server is back, or ask IT.")
    #: the same outage met by a step that only reads (a list opened, a record shown): nothing was being saved
    READ_MESSAGE = ("The database server can't be reached just now, so this could not be read and shown. Nothing "
                    "was lost: try again when the server is back, or ask IT.")

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.MESSAGE)


class DatabaseCommitUncertain(DatabaseUnavailable):
    """The connection was lost while the server was committing (PostgreSQL): the change may or may not
    have been stored, so the person must look before doing it again (a second Sign or batch would be a
    duplicate). Still an outage: whatever treats :class:`DatabaseUnavailable` as one treats this too."""

    MESSAGE = ("The database server stopped answering while this was being saved: it may or may not have been "
               "saved. When it is back, look at the record before trying again.")


class DatabaseServerFull(DatabaseUnavailable):
    """The team database server is there but takes no more connections just now (its ``max_connections``, or
    a connection limit IT set on the application's login or the database; SQLSTATE 53300): as transient as an
    outage, and treated as one (autosaves retry quietly; start-up offers Retry). It was said as "part of the
    database may be missing or damaged" (team-mode trial ut26)."""

    MESSAGE = ("The database server is not taking more connections just now (too many are open), so this was "
               "not saved. What you typed is still on screen: try again in a moment, or ask IT.")
    READ_MESSAGE = ("The database server is not taking more connections just now (too many are open), so this "
                    "could not be read and shown. Nothing was lost: try again in a moment, or ask IT.")


class DatabaseClash(DatabaseBusy):
    """The team database server stopped this transaction because it clashed with another one at the same
    moment (a deadlock, or a serialization failure: SQLSTATE 40P01, 40001), typically IT's ``team-setup``
    run while people work. Nothing of it was stored; trying again works. Busy, not damaged: it was said as
    "part of the database may be missing or damaged" (team-mode trial ut26)."""

    MESSAGE = ("The database server stopped this step because it clashed with another change made at the same "
               "moment (perhaps IT's maintenance). Nothing was changed by it, and what you typed is still on "
               "screen: try again.")

    def __init__(self, message: str = MESSAGE) -> None:
        super().__init__(message)


class DatabaseRefused(DatabaseOpenError):
    """A team database server that is there refused the connection (secure-connection set-up, sign-in
    or database name): not an outage, so it is not retried; trying again changes nothing until IT
    fixes the address or the server. The message is plain; the driver's text goes to the log."""

    SECURE = ("The team database server refused a secure connection (its certificate could not be checked, "
              "or it does not offer the encryption this computer requires). Nothing was changed. Ask IT to "
              "check the server's certificate and the database address.")
    SIGN_IN = ("The team database server did not accept the user name, password or database name in the "
               "database address. Nothing was changed. Ask IT to check the database address.")


class SealBroken(AppError):
    """A final record (approved minutes, a signed decision, a filed letter) no longer matches the seal written
    when it became final: it was changed outside the application, and nothing is made from it."""
