"""Local-practice settings of birth-records counselling (defaults; an administrator may change them)."""

from __future__ import annotations

from adoption_desktop.core.config import Setting, register

CHASE_WORKING_DAYS = register(Setting(
    "counselling.chase_working_days", 20, "Working days before a records request is chased",
    "A records request to an archive, court or agency is due a chaser this many working days after it "
    "was sent or last chased (England & Wales bank holidays and closure days excluded)."))
PRIORITY_AGE = register(Setting(
    "counselling.priority_age", 75, "Applicant age brought forward on the waiting list",
    "Applicants of this age or over are brought forward on the counselling waiting list."))
REFERENCE_PREFIX = register(Setting(
    "counselling.reference_prefix", "BRC", "Prefix of counselling case references"))
