"""The user guide's topics and which topic belongs to which page, tab and dialog (no Qt here).

The guide itself is HTML in ``resources/guide/`` (one file per topic, images in ``images/``, written by
``tests/ui/test_guide_screenshots.py``). A topic reference is ``FILE`` or ``FILE#anchor``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    file: str  # e.g. "panel-minutes.html"
    title: str
    section: str  # the contents heading it sits under


#: The contents, in reading order.
TOPICS: tuple[Topic, ...] = (
    Topic("index.html", "Welcome to the guide", "Start here"),
    Topic("first-day.html", "Your first day, by role", "Start here"),
    Topic("my-work.html", "My work", "Start here"),
    Topic("search.html", "Search everywhere (Ctrl+K)", "Start here"),
    Topic("signing-in.html", "Signing in, locking and switching user", "Start here"),
    Topic("shortcuts.html", "Keyboard shortcuts", "Start here"),
    Topic("using-the-guide.html", "Using this guide", "Start here"),
    Topic("undo.html", "Undo", "Start here"),
    Topic("panel-sittings.html", "Panel: sittings", "Adoption panel"),
    Topic("panel-agenda.html", "Panel: the agenda and papers", "Adoption panel"),
    Topic("panel-attendance.html", "Panel: attendance, interests and quorum", "Adoption panel"),
    Topic("panel-minutes.html", "Panel: minutes and the chair's approval", "Adoption panel"),
    Topic("panel-central-list.html", "Panel: the central list (panel members)", "Adoption panel"),
    Topic("panel-adopters.html", "Panel: the adopters' journey", "Adoption panel"),
    Topic("adm-queue.html", "ADM: the decision queue", "Agency Decision Maker"),
    Topic("adm-decision.html", "ADM: recording and signing a decision", "Agency Decision Maker"),
    Topic("adm-letters.html", "ADM: letters and history", "Agency Decision Maker"),
    Topic("adm-qd.html", "ADM: qualifying determination", "Agency Decision Maker"),
    Topic("childs-journey.html", "The child's journey (dates for the scorecard)", "Agency Decision Maker"),
    Topic("letterbox-work-list.html", "Letterbox: the work list and letters", "Letterbox"),
    Topic("letterbox-arrangements.html", "Letterbox: arrangements", "Letterbox"),
    Topic("letterbox-items.html", "Letterbox: the items register", "Letterbox"),
    Topic("letterbox-screening.html", "Letterbox: logging and screening an item", "Letterbox"),
    Topic("letterbox-support.html", "Letterbox: birth-parent support referrals", "Letterbox"),
    Topic("letterbox-import.html", "Letterbox: importing a register", "Letterbox"),
    Topic("counselling.html", "Counselling: the caseload and waiting list", "Birth-records counselling"),
    Topic("counselling-case.html", "Counselling: working on a case", "Birth-records counselling"),
    Topic("reports.html", "Reports, the report document and the Ofsted pack", "Reports"),
    Topic("admin-users.html", "Administration: users and roles", "Administration"),
    Topic("admin-access-review.html", "Administration: the access review and who has seen a record", "Administration"),
    Topic("admin-settings.html", "Administration: settings and closure days", "Administration"),
    Topic("admin-profile.html", "Administration: agency profile and templates", "Administration"),
    Topic("admin-audit.html", "Administration: the audit log and backups", "Administration"),
    Topic("conflicts.html", "When two people work on one record", "Working together"),
)

TITLES: dict[str, str] = {t.file: t.title for t in TOPICS}

#: F1 on a page: (navigation key, tab titles from the outside in) → topic. The longest match wins.
PAGE_TOPICS: dict[tuple[str, ...], str] = {
    ("my_work",): "my-work.html",
    ("panel",): "panel-sittings.html",
    ("panel", "Sittings"): "panel-sittings.html",
    ("panel", "Sittings", "Agenda"): "panel-agenda.html",
    ("panel", "Sittings", "Attendance"): "panel-attendance.html",
    ("panel", "Sittings", "Minutes"): "panel-minutes.html",
    ("panel", "Central list"): "panel-central-list.html",
    ("panel", "Adopters' journey"): "panel-adopters.html",
    ("adm",): "adm-queue.html",
    ("adm", "Recommendation"): "adm-decision.html#recommendation",
    ("adm", "Decision"): "adm-decision.html#decision",
    ("adm", "Letters and history"): "adm-letters.html",
    ("adm", "Qualifying determination"): "adm-qd.html",
    ("letterbox",): "letterbox-work-list.html",
    ("letterbox", "Work list"): "letterbox-work-list.html",
    ("letterbox", "Arrangements"): "letterbox-arrangements.html",
    ("letterbox", "Items"): "letterbox-items.html",
    ("letterbox", "Birth-parent support"): "letterbox-support.html",
    ("counselling",): "counselling.html",
    ("counselling", "counts"): "counselling.html#counts",  # the figures-only page (managers)
    ("reports",): "reports.html",
    ("admin",): "admin-users.html",
    ("admin", "Users"): "admin-users.html",
    ("admin", "Access review (Q)"): "admin-access-review.html",
    ("admin", "Settings"): "admin-settings.html",
    ("admin", "Closure days"): "admin-settings.html#closure-days",
    ("admin", "Agency profile"): "admin-profile.html",
    ("admin", "Templates"): "admin-profile.html#templates",
    ("admin", "Audit log"): "admin-audit.html",
}

#: Pages whose own tabs are the page (F1 with the focus outside them still follows the tab shown);
#: on the other pages the tabs belong to a detail pane and count only when the focus is in them.
PAGES_LED_BY_TABS = frozenset({"panel", "letterbox", "admin"})

#: F1 in a dialog: the dialog's class (module.qualname; a subclass finds its base's topic) → topic.
DIALOG_TOPICS: dict[str, str] = {
    "adoption_desktop.panel.views.dialogs.SittingDialog": "panel-sittings.html#new-sittings",
    "adoption_desktop.panel.views.dialogs.ItemDialog": "panel-agenda.html#add-item",
    "adoption_desktop.panel.views.dialogs.MemberDialog": "panel-central-list.html#member",
    "adoption_desktop.panel.views.dialogs.DiscardAsks": "panel-sittings.html",
    "adoption_desktop.panel.views.dialogs.FormDialog": "panel-sittings.html",
    "adoption_desktop.panel.views.dialogs.SimpleDialog": "panel-sittings.html#cancel-move",
    "adoption_desktop.adm.views.dialogs.SignDialog": "adm-decision.html#signing",
    "adoption_desktop.adm.views.dialogs.DatedNoteDialog": "adm-decision.html#more-information",
    "adoption_desktop.adm.views.dialogs.NewDecisionDialog": "adm-queue.html#without-panel",
    "adoption_desktop.journey.views.children.ChildrenDialog": "childs-journey.html",
    "adoption_desktop.journey.views.children.ChildEditor": "childs-journey.html#record",
    "adoption_desktop.journey.views.adopters.HouseholdEditor": "panel-adopters.html#household",
    "adoption_desktop.letterbox.views.support.ReferralEditor": "letterbox-support.html#referral",
    "adoption_desktop.reports.views.figure_cases.BehindDialog": "reports.html#behind",
    "adoption_desktop.reports.views.behind.FigureRowsDialog": "reports.html#behind",
    "adoption_desktop.letterbox.views.item_dialog.ItemDialog": "letterbox-screening.html",
    "adoption_desktop.letterbox.views.item_mistakes.CorrectLoggingDialog": "letterbox-screening.html#mistakes",
    "adoption_desktop.letterbox.views.arrangement_dialog.ArrangementDialog": "letterbox-arrangements.html#form",
    "adoption_desktop.letterbox.views.void_batch.VoidBatchDialog": "letterbox-arrangements.html#void-batch",
    "adoption_desktop.letterbox.views.attachments_panel.AttachmentsPanel": "letterbox-screening.html#attachments",
    "adoption_desktop.letterbox.views.import_dialog.ImportDialog": "letterbox-import.html",
    "adoption_desktop.letterbox.views.redaction_view.RedactionDialog": "letterbox-screening.html#redaction",
    "adoption_desktop.counselling.views.case_dialog.CaseDialog": "counselling-case.html",
    "adoption_desktop.counselling.views.widgets.FormDialog": "counselling-case.html",
    "adoption_desktop.ui.admin_page.UserDialog": "admin-users.html#user-form",
    "adoption_desktop.ui.access_review.RecordReviewDialog": "admin-access-review.html#record",
    "adoption_desktop.ui.record_history.RecordHistoryDialog": "admin-access-review.html#who-has-seen",
    "adoption_desktop.ui.conflict.ConflictDialog": "conflicts.html",
    "adoption_desktop.ui.writer_wait.WaitDialog": "conflicts.html#waiting",
    "adoption_desktop.ui.dialogs.StartDialog": "signing-in.html#first-start",
    "adoption_desktop.ui.dialogs.PassphraseDialog": "signing-in.html#first-start",
    "adoption_desktop.ui.dialogs.RecoveryKeyDialog": "signing-in.html#first-start",
    "adoption_desktop.ui.dialogs.FirstAdminDialog": "signing-in.html#first-start",
    "adoption_desktop.ui.dialogs.LoginDialog": "signing-in.html",
    "adoption_desktop.ui.dialogs.PasswordDialog": "signing-in.html#password",
    "adoption_desktop.ui.licences.LicencesDialog": "index.html#about",
    "adoption_desktop.ui.search_everywhere.SearchEverywhereDialog": "search.html",
    "adoption_desktop.ui.guide.tour.TourDialog": "first-day.html",
    "adoption_desktop.ui.guide.window.GuideWindow": "using-the-guide.html",
}

#: F1 on a tab of a dialog that has tabs: (dialog topic file, tab title) → topic.
DIALOG_TAB_TOPICS: dict[tuple[str, str], str] = {
    ("counselling-case.html", "Summary"): "counselling-case.html#summary",
    ("counselling-case.html", "Requests"): "counselling-case.html#requests",
    ("counselling-case.html", "Sessions"): "counselling-case.html#sessions",
    ("counselling-case.html", "Redaction"): "counselling-case.html#redaction",
    ("counselling-case.html", "Disclosures"): "counselling-case.html#disclosures",
    ("counselling-case.html", "Checks & closure"): "counselling-case.html#closure",
}


def page_topic(key: str, tabs: tuple[str, ...]) -> str:
    """The topic for navigation key ``key`` with ``tabs`` shown (outside in); the longest match wins."""
    chain = (key, *tabs)
    while chain:
        if chain in PAGE_TOPICS:
            return PAGE_TOPICS[chain]
        chain = chain[:-1]
    return "index.html"


def dialog_topic(class_names: list[str], tab: str | None = None) -> str | None:
    """The topic of a dialog given its class and base classes (``module.qualname``, most derived first)."""
    for name in class_names:
        if name in DIALOG_TOPICS:
            topic = DIALOG_TOPICS[name]
            if tab is not None:
                return DIALOG_TAB_TOPICS.get((topic.split("#")[0], tab), topic)
            return topic
    return None


def plain_tab(text: str) -> str:
    """A tab title without its mnemonic: "A&ttendance" → "Attendance", "Checks && cl&osure" → "Checks & closure"."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")
