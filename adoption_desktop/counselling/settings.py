"""Local-practice settings of birth-records counselling (defaults; an administrator may change them)."""

from __future__ import annotations

import json
import re

from adoption_desktop.core.config import Setting, register
from adoption_desktop.core.errors import ValidationError

#: a case-reference prefix: letters A to Z and digits, a hyphen only between them ("BRC", "BRC-N"); it
#: begins every reference ("BRC-2025-0001"), and references are counted by it with LIKE, so no % or _
_PREFIX = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
PREFIX_MAX = 10


class ReferencePrefixSetting(Setting[str]):
    """The prefix of counselling case references, checked when it is set (:meth:`check`, which
    ``set_setting`` calls) and when it is read (a value stored otherwise is not used: the default applies);
    kept in capitals."""

    def check(self, value: object) -> str:
        """``value`` as it will be stored, or a ValidationError saying what a prefix may be."""
        text = value.strip() if isinstance(value, str) else ""
        if not text or len(text) > PREFIX_MAX or not _PREFIX.fullmatch(text):
            raise ValidationError(
                f"{self.label}: use 1 to {PREFIX_MAX} letters A to Z or digits, a hyphen (-) only between them "
                f"(e.g. BRC); it begins every new case reference (BRC-2025-0001).", self.key)
        # kept in capitals, as the rule says and every reference shows it ("brc" was stored as typed); upper-cased
        # only once checked as A to Z ("ß" would become "SS")
        return text.upper()

    def parse(self, raw: str | None) -> str:
        if raw is None:
            return self.default
        try:
            return self.check(json.loads(raw))
        except (ValidationError, ValueError):  # stored outside the application (or before this check): not used
            return self.default

CHASE_WORKING_DAYS = register(Setting(
    "counselling.chase_working_days", 20, "Working days before a records request is chased",
    "A records request to an archive, court or agency is due a chaser this many working days after it "
    "was sent or last chased (England & Wales bank holidays and closure days excluded).", minimum=1,
    maximum=120))
PRIORITY_AGE = register(Setting(
    "counselling.priority_age", 75, "Applicant age brought forward on the waiting list",
    "Applicants of this age or over are brought forward on the counselling waiting list.", minimum=18,
    maximum=120))
REFERENCE_PREFIX = register(ReferencePrefixSetting(
    "counselling.reference_prefix", "BRC", "Prefix of counselling case references",
    f"Begins every new counselling case reference (BRC-2025-0001): 1 to {PREFIX_MAX} letters or digits, a "
    "hyphen only between them; kept in capitals."))
