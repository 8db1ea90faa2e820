"""Scorecard thresholds and local timescales of the child's journey (stored in the database; these are
the defaults). Thresholds change between scorecard editions: change the setting, not the code."""

from __future__ import annotations

from adoption_desktop.core.config import Setting, register

EDITION = ("Department for Education, Adoption scorecard (thresholds of the 2014–2017 scorecard, still "
           "used in the ASGLB quarterly return and the agencies' 2021–22 reports)")

A10_THRESHOLD_DAYS = register(Setting(
    "journey.a10_threshold_days", 426, "Scorecard A10 / A1 threshold (days from entering care to moving in)",
    f"{EDITION}: 426 days (14 months). Also used for the % of children within A1.", minimum=1,
    maximum=1095))
A2_THRESHOLD_DAYS = register(Setting(
    "journey.a2_threshold_days", 121, "Scorecard A2 threshold (days from placement order to match decision)",
    f"{EDITION}: 121 days (4 months).", minimum=1, maximum=1095))
A3_THRESHOLD_DAYS = register(Setting(
    "journey.a3_threshold_days", 426, "Scorecard A3 threshold (children who wait less than this many days)",
    f"{EDITION}: A3 counts children waiting less than 14 months (426 days) from entering care to moving "
    "in with their adoptive family.", minimum=1, maximum=1095))
PLAN_TO_PANEL_MONTHS = register(Setting(
    "journey.plan_to_panel_months", 2, "Match at panel within (months of the plan for adoption)",
    "Local target reported by agencies: the child's match reaches panel within 2 months of the ADM "
    "decision that adoption is the plan.", minimum=1, maximum=24))
STAGE1_MONTHS = register(Setting(
    "journey.stage1_months", 2, "Adopter stage 1 completed within (months of registration)",
    "Adoption Statutory Guidance 2014, ch. 3: stage 1 (pre-assessment) normally within 2 months.",
    minimum=1, maximum=12))
STAGE2_MONTHS = register(Setting(
    "journey.stage2_months", 4, "Adopter decision within (months of stage 2 starting)",
    "Adoption Agencies Regulations 2005 reg 30B(1): the decision within 4 months of stage 2 starting.",
    minimum=1, maximum=12))
APPROVAL_MONTHS = register(Setting(
    "journey.approval_months", 6, "Adopter approval within (months of registration)",
    "Adoption Statutory Guidance 2014, ch. 3: the two stages together normally take 6 months.",
    minimum=1, maximum=24))
