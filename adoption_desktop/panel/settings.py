"""Local-practice settings of the panel (defaults from the domain notes; an agency may change them)."""

from __future__ import annotations

from adoption_desktop.core.config import Setting, register

PAPERS_DEADLINE_WD = register(Setting(
    "panel.papers_deadline_working_days", 5, "Panel papers due (working days before the sitting)",
    minimum=1, maximum=30))  # 0 would send the papers on the day of the sitting
MINUTES_DEADLINE_WD = register(Setting(
    "panel.minutes_deadline_working_days", 10, "Final panel minutes due (working days after the sitting)",
    maximum=30))
QUORUM_MIN_MEMBERS = register(Setting(
    "panel.quorum_min_members", 5, "Quorum: members present at least",
    # the regulations' quorum: an agency may ask for more, never fewer (panel trial set it to 0); a panel's
    # central list is rarely above 10-15 people, so 20 is more than any sitting could seat (99,999 was saved)
    minimum=5, maximum=20))
QUORUM_REQUIRE_CHAIR = register(Setting(
    "panel.quorum_require_chair_or_vice", True, "Quorum: the chair or a vice chair must be present"))
QUORUM_SW_PQE_YEARS = register(Setting(
    "panel.quorum_social_worker_pqe_years", 3,
    "Quorum: a social worker with at least this many years' post-qualifying experience (0 = not required)",
    maximum=20))
QUORUM_REQUIRE_INDEPENDENT = register(Setting(
    "panel.quorum_require_independent", True, "Quorum: an independent member must be present"))
WARNING_DAYS = register(Setting(
    "panel.member_warning_days", 30, "Warn this many days before a member's appraisal, DBS or training falls due",
    maximum=365))
DBS_RENEWAL_YEARS = register(Setting(
    "panel.dbs_renewal_years", 3, "Panel members' DBS checks renewed every this many years",
    minimum=1, maximum=10))  # 0 years would mark every member's check due at once
TRAINING_RENEWAL_YEARS = register(Setting(
    "panel.training_renewal_years", 1, "Panel members' training refreshed every this many years",
    minimum=1, maximum=10))
DEFERRAL_RETURN_MONTHS = register(Setting(
    "panel.deferral_return_months", 3,
    "A deferred item not back on a panel agenda within this many months counts as withdrawn after deferral",
    minimum=1, maximum=24, unit="month"))
