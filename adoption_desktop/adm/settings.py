"""Local-practice timescales of the ADM feature (stored in the database; these are the defaults)."""

from __future__ import annotations

from adoption_desktop.core.config import Setting, register

DECISION_DUE_WD = register(Setting(
    "adm.decision_due_working_days", 7, "ADM decision due (working days after final minutes received)",
    "Statutory guidance (Adoption Statutory Guidance 2013, ch. 3): the ADM decides within 7 working days "
    "of receiving the panel's recommendation and final minutes.", maximum=60))
ORAL_NOTICE_WD = register(Setting(
    "adm.oral_notification_working_days", 2, "Oral notification due (working days after the decision)",
    maximum=30))
WRITTEN_NOTICE_WD = register(Setting(
    "adm.written_notification_working_days", 5,
    "Written notification due (working days after the decision)", maximum=30))
FINAL_DECISION_DUE_WD = register(Setting(
    "adm.qd_final_decision_working_days", 7,
    "Final decision after a qualifying determination due (working days after the representations "
    "period ends, representations arrive or the IRM recommendation is received, whichever is last)",
    maximum=60))
