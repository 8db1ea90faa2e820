"""Paths (platformdirs) and local-practice settings.

Local practice (deadlines an agency may set differently) is configuration stored in the database
(table ``settings``) with an audit entry when changed; each :class:`Setting` carries its default so the
rules never hard-code a local-practice number. Statute is code, with a citation, not a setting.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import platformdirs

APP_NAME = "AdoptionDesktop"
ENV_DATA_DIR = "ADOPTION_DESKTOP_DATA_DIR"

T = TypeVar("T")


@dataclass(frozen=True)
class AppPaths:
    data: Path
    config: Path
    logs: Path
    backups: Path

    @property
    def default_database(self) -> Path:
        return self.data / "adoption.db"

    @property
    def demo_database(self) -> Path:
        return self.data / "demo.db"

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    def ensure(self) -> AppPaths:
        for folder in (self.data, self.config, self.logs, self.backups):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def app_paths() -> AppPaths:
    """Per-user folders; ``ADOPTION_DESKTOP_DATA_DIR`` puts everything under one folder (tests, IT).

    Windows: data and backups in ``%LOCALAPPDATA%\\AdoptionDesktop``, settings in
    ``%APPDATA%\\AdoptionDesktop`` (roams with the profile), logs in ``%LOCALAPPDATA%\\AdoptionDesktop\\Logs``.
    Linux: ``~/.local/share/AdoptionDesktop``, ``~/.config/AdoptionDesktop``,
    ``~/.local/state/AdoptionDesktop/log``. Documented in ``docs/it-guide.md``.
    """
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        root = Path(override)
        return AppPaths(root / "data", root / "config", root / "logs", root / "backups")
    data = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))
    return AppPaths(
        data=data,
        config=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False, roaming=True)),
        logs=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        backups=data / "backups",
    )


@dataclass(frozen=True)
class Setting(Generic[T]):
    """A local-practice setting: key, default, what it means. Values are JSON in the database."""

    key: str
    default: T
    label: str
    help: str = ""
    minimum: int = 0  # for whole-number settings
    #: the largest whole number allowed (every whole-number setting has one: a tester saved an OCR confidence
    #: of 250 % and a quorum of 99,999 members; a security setting set past it would switch its protection
    #: off in effect, 100,000 sign-in attempts before a lock-out); None only for a setting that is no number
    maximum: int | None = None
    unit: str = ""  # singular unit of a whole number ("working day"); inferred from the key when empty

    def unit_name(self) -> str:
        """The singular unit a whole number is counted in ("working day", "minute", "MB", "%"), or ""."""
        if self.unit:
            return self.unit
        key = self.key.rsplit(".", 1)[-1]
        for suffix, unit in _UNIT_SUFFIXES:
            if key.endswith(suffix) or f"{suffix}_" in key:
                return unit
        return ""

    def display(self, value: Any) -> str:
        """The value as a person reads it: Yes/No, "7 working days", "20 MB", lines joined with " / "."""
        from adoption_desktop.core.wording import plural

        if isinstance(self.default, bool):
            return "Yes" if value else "No"
        if isinstance(value, int) and not isinstance(value, bool):
            unit = self.unit_name()
            if unit in ("MB", "%"):
                return f"{value:,}{'' if unit == '%' else ' '}{unit}"
            return plural(value, unit) if unit else f"{value:,}"
        return str(value).replace("\n", " / ")

    def parse(self, raw: str | None) -> T:
        if raw is None:
            return self.default
        value: Any = json.loads(raw)
        if isinstance(self.default, bool):
            return bool(value)  # type: ignore[return-value]
        if isinstance(self.default, int) and not isinstance(value, int):
            raise ValueError(f"{self.label}: expected a whole number")
        if isinstance(value, int) and value < self.minimum:
            return self.default  # a stored value below the minimum (edited outside the app) is not used
        if isinstance(value, int) and self.maximum is not None and value > self.maximum:
            # stored before the limit (or outside the application): the protection still holds
            return self.maximum  # type: ignore[return-value]
        return value

    def range_text(self) -> str:
        """What a whole number for this setting may be, in words: "of years from 1 to 10", "from 1 to 100 (%)",
        "of members from 5 to 20" ("… 1 or more" without a maximum)."""
        from adoption_desktop.core.wording import plural_form

        # no thousands separator: the number box shows the range as "1 to 1440" too
        span = f"of {self.minimum} or more" if self.maximum is None else f"from {self.minimum} to {self.maximum}"
        unit = self.unit_name()
        if unit == "%":
            return f"{span} (%)"
        if unit == "MB":
            return f"of MB {span}"
        return f"of {plural_form(unit)} {span}" if unit else span

    def check(self, value: Any) -> T:
        """``value`` as it will be stored, or a :class:`ValidationError` saying what it may be: a whole number
        within :attr:`minimum` to :attr:`maximum` (the range in words). Settings with rules of their own (a
        reference prefix) add to it; :func:`settings_service.set_setting` calls it for every change."""
        from adoption_desktop.core.errors import ValidationError

        is_count = isinstance(self.default, int) and not isinstance(self.default, bool)
        if is_count and (not isinstance(value, int) or isinstance(value, bool) or value < self.minimum
                         or (self.maximum is not None and value > self.maximum)):
            raise ValidationError(f"{self.label}: enter a whole number {self.range_text()}.", self.key)
        return value


#: key endings and the unit they count in (checked in order: "working_days" before "days")
_UNIT_SUFFIXES = (("working_days", "working day"), ("days_before", "day"), ("days", "day"),
                  ("minutes", "minute"), ("months", "month"), ("years", "year"), ("_mb", "MB"),
                  ("percent", "%"), ("attempts", "attempt"), ("members", "member"), ("age", "year"))

SETTINGS_REGISTRY: dict[str, Setting[Any]] = {}


def register(setting: Setting[T]) -> Setting[T]:
    SETTINGS_REGISTRY[setting.key] = setting
    return setting


# Foundation settings (features register theirs in their own ``settings.py``).
LETTER_REPLY_WORKING_DAYS = register(Setting(
    "letters.reply_working_days", 10, "Working days from a letter's date to the reply-by date it gives",
    "Counted with the agency's calendar (bank holidays and closure days are not counted).", minimum=1,
    maximum=60))
# the security settings have a ceiling: past it the lock-out or the idle lock is switched off in effect
# (NCSC password guidance: about ten attempts before a lock-out is enough for people who mistype)
LOCKOUT_ATTEMPTS = register(Setting("security.lockout_attempts", 5, "Failed sign-ins before lock-out",
                                    minimum=1, maximum=10))
LOCKOUT_MINUTES = register(Setting("security.lockout_minutes", 15, "Minutes an account stays locked",
                                   minimum=1, maximum=24 * 60))
IDLE_LOCK_MINUTES = register(
    Setting("security.idle_lock_minutes", 10, "Minutes of inactivity before the window locks", minimum=1,
            maximum=60)
)
# the access review (Administration → Access review; ``core.access_review``): local practice, councils ask
# for one at least twice a year
ACCESS_REVIEW_MONTHS = register(Setting(
    "security.access_review_months", 6, "Months between access reviews",
    "Administration → Access review shows the next review due this many months after the last one recorded.",
    minimum=1, maximum=24))
ACCESS_UNUSED_DAYS = register(Setting(
    "security.access_unused_days", 90, "Days without a sign-in before an account is listed as not used",
    "The access review marks such enabled accounts \"NOT USED for N days\", to be disabled if no longer needed.",
    minimum=7, maximum=730))
AGENCY_NAME = register(Setting("agency.name", "Example Regional Adoption Agency", "Agency name on letters"))
AGENCY_ADDRESS = register(
    Setting("agency.address", "1 Example Street\nExampletown\nZZ99 1AA", "Agency address on letterhead")
)


#: one writer of a settings file at a time in this process: the window (preferences, geometry at close) and the
#: automatic backup's thread (its last backup time) each hold their own LocalConfig of the same file
_WRITE_LOCK = threading.Lock()


class LocalConfig:
    """Per-machine preferences (not case data): last database opened, window state.

    Several objects may stand for one file (the window's, the automatic backup's on its thread): each write
    re-reads the file under a lock and changes only its own keys, through a temporary file of its own
    replaced in one step, so no writer drops another's keys and a reader never sees half a file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.values: dict[str, Any] = self._read() or {}

    def _read(self) -> dict[str, Any] | None:
        """The file as it is now; None when missing or unreadable (not a JSON object)."""
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return loaded if isinstance(loaded, dict) else None

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self.update({key: value})

    def update(self, changes: Mapping[str, Any]) -> None:
        """Write ``changes`` in one file write, keeping every other key as the file has it now."""
        with _WRITE_LOCK:
            current = self._read()
            merged = dict(self.values) if current is None else current  # unreadable: what this object knew
            merged.update(changes)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=self.path.parent, prefix=f"{self.path.stem}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(json.dumps(merged, indent=2))
                os.replace(name, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(name)
                raise
            self.values = merged
