"""User trial: the ADM queue's Decided column and Search everywhere showed a corrected decision's
correction date as the day it was decided. A correction is the same decision (``adm/timeliness.py``, the
letter's "version 2, corrected on …"): both show the decision date, the correction's day noted beside it.
Real SQLCipher files."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from adoption_desktop.adm import rules, service
from adoption_desktop.adm.views.queue_model import COL_DECIDED, queue_model
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.reports.search_everywhere import DECISIONS, search_everywhere
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD

D = dt.date
DECIDED, CORRECTED = D(2025, 12, 3), D(2026, 3, 2)


def _corrected(db: Database, adm: Principal, ref: str) -> int:
    with db.session() as s:
        did = open_from_panel(s, handoff(received=D(2025, 12, 1), ref=ref))
    service.record_decision(db, adm, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="I agree with the panel's reasons.")
    service.sign_decision(db, adm, did, TEST_PASSWORD, DECIDED)
    return service.correct_decision(
        db, adm, did, TEST_PASSWORD, reason="The age range in the advice was typed wrongly.", outcome="agree",
        decision_text="Approved as suitable to adopt up to two children aged 0 to 4.",
        reasons="I agree with the panel's reasons.", decided_on=CORRECTED).decision_id


def test_decided_text_gives_the_decision_date_and_notes_the_correction() -> None:
    assert rules.decided_text(None, None) == ""
    assert rules.decided_text(None, DECIDED) == "03/12/2025"
    assert rules.decided_text(DECIDED, DECIDED) == "03/12/2025"
    assert rules.decided_text(DECIDED, CORRECTED) == "03/12/2025 (corrected 02/03/2026)"


def test_queue_decided_column_shows_the_decision_date_of_a_correction(db: Database, qtbot: object,
                                                                     adm_user: Principal) -> None:
    current = _corrected(db, adm_user, "ADP-CORR-1")
    rows = [r for r in service.list_queue(db, adm_user, D(2026, 3, 10)) if r.subject_reference == "ADP-CORR-1"]
    assert [(r.id, r.version, r.decided_on, r.decision_date) for r in rows] == [(current, 2, CORRECTED, DECIDED)]
    model = queue_model(rows)
    assert model.data(model.index(0, COL_DECIDED)) == "03/12/2025 (corrected 02/03/2026)"
    # the detail's row says the same
    detail = service.get_decision(db, adm_user, current, D(2026, 3, 10), opening=False)
    assert detail.row.decision_date == DECIDED
    # sorting by the column sorts by the decision date, not the correction's
    with db.session() as s:
        other = open_from_panel(s, handoff(received=D(2026, 1, 5), ref="ADP-CORR-2"))
    service.record_decision(db, adm_user, other, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="I agree with the panel's reasons.")
    service.sign_decision(db, adm_user, other, TEST_PASSWORD, D(2026, 1, 7))
    model = queue_model([r for r in service.list_queue(db, adm_user, D(2026, 3, 10))
                         if r.subject_reference.startswith("ADP-CORR")])
    model.sort(COL_DECIDED, Qt.SortOrder.AscendingOrder)
    assert [model.row_at(i).subject_reference for i in range(2)] == ["ADP-CORR-1", "ADP-CORR-2"]


def test_search_everywhere_shows_and_finds_the_decision_date_of_a_correction(db: Database,
                                                                            adm_user: Principal) -> None:
    current = _corrected(db, adm_user, "ADP-CORR-3")
    hits = [h for h in search_everywhere(db, adm_user, "ADP-CORR-3").hits if h.area == DECISIONS.key]
    assert [h.record_id for h in hits] == [current]
    assert "decided 03/12/2025 (corrected 02/03/2026)" in hits[0].detail
    # searching for the decision date finds it
    found = [h.record_id for h in search_everywhere(db, adm_user, "03/12/2025").hits if h.area == DECISIONS.key]
    assert found == [current]
