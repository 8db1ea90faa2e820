"""The decision queue as a table model (rows are ``service.DecisionRow``; sort and filter in the model)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QBrush, QColor

from adoption_desktop.adm import rules
from adoption_desktop.adm.service import DecisionRow, LetterView, VersionView
from adoption_desktop.ui.table_model import DUE_TODAY_BRUSH, OVERDUE_BRUSH, Column, RowTableModel

PAUSED_BRUSH = QBrush(QColor("#4A5A8C"))
LATE_BRUSH = QBrush(QColor("#7A3B00"))


def _clock_brush(r: DecisionRow) -> QBrush | None:
    return {"overdue": OVERDUE_BRUSH, "due_today": DUE_TODAY_BRUSH, "due_soon": DUE_TODAY_BRUSH,
            "paused": PAUSED_BRUSH, "decided_late": LATE_BRUSH, "qd_final_overdue": OVERDUE_BRUSH,
            "notice_overdue": OVERDUE_BRUSH, "qd_final_due": DUE_TODAY_BRUSH,
            "minutes_corrected": OVERDUE_BRUSH}.get(r.clock_code)


#: urgency order for sorting by the clock column: overdue first (a signed decision's follow-up — the final
#: decision after a qualifying determination, a late notification, panel minutes corrected after signing — in
#: place of its clock, beside them)
CLOCK_ORDER = {"overdue": 0, "qd_final_overdue": 0, "notice_overdue": 0, "minutes_corrected": 0, "due_today": 1,
               "qd_final_due": 1, "due_soon": 2, "on_track": 3, "paused": 4, "decided_late": 5, "decided_on_time": 6}
#: a signed decision's follow-ups (see ``service.follow_ups_in``)
FOLLOW_UPS = frozenset({"qd_final_overdue", "notice_overdue", "qd_final_due", "minutes_corrected"})
#: clock codes the "Overdue or due today" filter keeps
ATTENTION = frozenset({"overdue", "due_today"}) | FOLLOW_UPS
STATE_LABELS = {"pending": "Waiting", "paused": "Paused", "signed": "Signed"}

def clock_text(r: DecisionRow) -> str:
    """The Clock column in a few words, so it fits on a 1366-pixel screen: a follow-up's short form (its due
    date is in the Due column; the whole label is the tooltip and in the decision pane)."""
    if r.clock_short:
        return r.clock_short
    return "Paused: awaiting IRM" if r.clock_label == rules.IRM_AWAITED_LABEL else r.clock_label


# The most urgent facts come first after the reference (clock, due date) so they are visible on a
# 1366-pixel screen beside the decision pane; the rest follow.
COL_REF, COL_CLOCK, COL_DUE, COL_INITIALS, COL_TYPE, COL_STATE, COL_RECEIVED, COL_DECIDED, COL_SIGNED = range(9)

#: typical values of each column, in column order: the widths are measured from these and the titles with
#: the queue's fonts (``ui.fit.size_columns``), never from every row. The Type column fits every built-in
#: type with a correction's version; an agency's own longer type is elided, whole in its tooltip and in the
#: decision pane.
_DATE = "00/00/0000"
QUEUE_SAMPLES: tuple[tuple[str, ...], ...] = (
    ("AD-2026-0000",),
    (f"Paused since {_DATE}", "Final decision overdue", "Oral notice overdue", "Paused: awaiting IRM", "Minutes corrected",
     "Overdue by 00 WD", "Decided 00 WD late"),
    (_DATE,),
    ("TY/DI", "K.C."),
    tuple(f"{label} (v2)" for label in rules.SHORT_TYPES.values()),
    tuple(STATE_LABELS.values()),
    (_DATE,),
    (_DATE, f"{_DATE} (corrected {_DATE})"),
    ("Dana Dunwick",),
)

QUEUE_COLUMNS: list[Column[DecisionRow]] = [
    Column("Reference", lambda r: r.subject_reference),
    Column("Clock", clock_text, sort_key=lambda r: (CLOCK_ORDER.get(r.clock_code, 9), r.due_on
                                                                 or r.received_on), foreground=_clock_brush,
           tooltip=lambda r: r.clock_label),
    Column("Due", lambda r: r.due_on, foreground=_clock_brush),
    Column("Initials", lambda r: r.subject_initials),
    Column("Type", lambda r: rules.type_short(r.decision_type, r.type_label)
           + (f" (v{r.version})" if r.version > 1 else ""),
           tooltip=lambda r: r.type_label),
    Column("State", lambda r: STATE_LABELS.get(r.state, r.state)),
    Column("Received", lambda r: r.received_on),
    # the decision's date (a correction is the same decision), the correction's day noted beside it
    Column("Decided", lambda r: rules.decided_text(r.first_decided_on, r.decided_on),
           sort_key=lambda r: (r.decision_date, r.decided_on or r.decision_date) if r.decision_date else None),
    Column("Signed by", lambda r: r.signed_by),
]


def queue_model(rows: list[DecisionRow] | None = None, parent: Any = None) -> RowTableModel[DecisionRow]:
    return RowTableModel(QUEUE_COLUMNS, rows or [], parent)


def queue_filter(text: str, type_code: str, state: str, *,
                 today: dt.date | None = None) -> Callable[[DecisionRow], bool] | None:
    """``state``: all | open | overdue | paused | signed. ``today``: for "overdue", a final decision owed
    after a qualifying determination is kept only once it is due (its due date is the row's ``due_on``)."""
    needle = text.strip().casefold()
    if not needle and not type_code and state == "all":
        return None

    def keep(r: DecisionRow) -> bool:
        if needle and needle not in r.subject_reference.casefold() and needle not in r.subject_initials.casefold():
            return False
        if type_code and r.decision_type != type_code:
            return False
        if state == "open":  # a signed decision with something still owed on it stays in view
            return r.state != "signed" or r.clock_code in FOLLOW_UPS
        if state == "overdue":
            if r.clock_code == "qd_final_due":  # owed, but not necessarily due yet (review: due next week)
                return r.due_on is not None and r.due_on <= (today or dt.date.today())
            return r.clock_code in ATTENTION
        if state in ("paused", "signed"):
            return r.state == state
        return True

    return keep


LETTER_COLUMNS: list[Column[LetterView]] = [
    Column("Letter", lambda r: rules.LETTER_KINDS.get(r.kind, r.kind)),
    Column("Dated", lambda r: r.letter_date),
    Column("To", lambda r: r.recipient),
    Column("Sent", lambda r: r.sent_on),
]
HISTORY_COLUMNS: list[Column[VersionView]] = [
    Column("Version", lambda r: r.version),
    Column("Outcome", lambda r: rules.OUTCOMES.get(r.outcome, r.outcome)),
    Column("Decision", lambda r: r.decision_text),
    Column("Decided", lambda r: r.decided_on),
    Column("Signed by", lambda r: r.signed_by),
    Column("Signed at (UTC)", lambda r: r.signed_at),
    Column("Reason for correction", lambda r: r.correction_reason),
]
