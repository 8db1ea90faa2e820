"""Local-practice settings of the letterbox (stored in the database; defaults from common practice)."""

from __future__ import annotations

from adoption_desktop.core.config import Setting, register

REMINDER_DAYS_BEFORE = register(Setting(
    "letterbox.reminder_days_before", 14, "Days before an exchange is due that the reminder is sent",
    "Procedures manuals: a reminder about 2 weeks before the exchange.", maximum=90))
CHASER_AFTER_DAYS = register(Setting(
    "letterbox.chaser_after_days", 21, "Days after the due date before a late writer is chased",
    maximum=180))
DUE_SOON_DAYS = register(Setting(
    "letterbox.due_soon_days", 30, "Days ahead the work list shows an exchange as due soon",
    maximum=180))
INACTIVE_AFTER_MONTHS = register(Setting(
    "letterbox.inactive_after_months", 24, "Months without an exchange before an arrangement counts as inactive",
    minimum=1, maximum=120))
WORK_LIST_LOOK_BACK_MONTHS = register(Setting(
    "letterbox.work_list_look_back_months", 24,
    "Months back the work list lists unanswered exchanges one by one (older ones: counted, shown on request)",
    "Bounds the work list's reading of history (it is built each time its tab is shown). An exchange due "
    "earlier and never received is not dropped: the work list says how many there are and lists them on "
    "request. Default: the 24 months after which an arrangement without an exchange counts as inactive.",
    minimum=1, maximum=120))
SECOND_CHECKER = register(Setting(
    "letterbox.second_checker", False, "A second user must confirm screening before an item is forwarded"))
ATTACHMENT_MAX_MB = register(Setting(
    "letterbox.attachment_max_mb", 20, "Largest file (MB) that can be attached to a letterbox item",
    "Scans and e-mails are kept encrypted inside the database; a larger file is refused with this limit named.",
    minimum=1, maximum=100))
OCR_LOW_CONFIDENCE_PERCENT = register(Setting(
    "letterbox.ocr_low_confidence_percent", 80,
    "Pages read by OCR below this confidence (%) are flagged: type or dictate the text instead",
    "Handwriting is not read reliably by the offline OCR engine.", minimum=1, maximum=100))
SUPPORT_OFFER_WORKING_DAYS = register(Setting(
    "letterbox.support_offer_working_days", 10,
    "Working days within which a birth parent referred for support should be offered it",
    "Local practice. Adoption agencies must offer birth parents support independent of the child's social "
    "worker (Adoption Support Services Regulations 2005; Adoption Statutory Guidance 2013, ch. 2); the "
    "figures count referrals offered within this many working days.", minimum=1, maximum=60))
