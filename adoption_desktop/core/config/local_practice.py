"""Local-practice settings: :class:`Setting` (key, default, limits, how a value is read and said), the registry
features add theirs to, and the foundation settings (letters' reply-by days, sign-in lock-out, idle lock, access
review, the agency's name and address)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


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
