"""Panel trial of 5 December: an approved sitting's agenda grew, a deferral went to an earlier sitting (and,
refused, left half its change), declarations by people not at the meeting, a paper received after the sitting,
a recommendation "in principle, subject to medical", attendance marked and a recommendation recorded ten days
before the panel sat, and a quorum setting of 0. Each rule refused with a message naming the fix; a real
SQLCipher database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.settings_service import get_setting, set_setting
from adoption_desktop.panel import rules
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.settings import QUORUM_MIN_MEMBERS
from tests.conftest import make_user

from .conftest import SITTING_DAY, TODAY, Panel, attend
from .test_documents import GOOD, _sitting_with_minutes


def _later(p: Panel, day: dt.date) -> int:
    return svc.schedule_sittings(p.db, p.clerk, svc.SittingInput(day, "10:00", "13:00", "Room 2"))[0]


def _outcome(p: Panel, item: int) -> str:
    row = next(i for i in svc.sitting_detail(p.db, p.clerk, p.sitting_id).items if i.id == item)
    return row.minutes.draft.outcome if row.minutes is not None else ""


def test_no_case_is_added_to_a_sitting_whose_minutes_are_approved(panel: Panel) -> None:
    _sitting_with_minutes(panel, approve=True)
    with pytest.raises(Conflict, match=r"minutes of the sitting of 10/11/2026 are approved"):
        svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-X-1", "AB"))
    assert len(svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id).items) == 3


def test_a_deferral_goes_to_a_later_sitting_and_a_refused_one_changes_nothing(panel: Panel) -> None:
    earlier = _later(panel, SITTING_DAY - dt.timedelta(days=14))
    later = _later(panel, SITTING_DAY + dt.timedelta(days=14))
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-D-1", "AB"))
    for target, message in ((earlier, r"a later sitting .* 27/10/2026 is not later"),
                            (panel.sitting_id, r"a later sitting .* 10/11/2026 is not later")):
        with pytest.raises(ValidationError, match=message + r"\. Nothing was changed: the item is not recorded"):
            svc.defer_item(panel.db, panel.clerk, item, "Medical awaited.", to_sitting_id=target)
        assert _outcome(panel, item) == ""  # the deferral was not saved either (it was, before)
    moved = svc.defer_item(panel.db, panel.clerk, item, "Medical awaited.", to_sitting_id=later)
    assert moved is not None and _outcome(panel, item) == "deferred"
    assert [i.subject_reference for i in svc.sitting_detail(panel.db, panel.clerk, later).items] == ["AD-D-1"]


def test_only_someone_at_the_meeting_declares_an_interest(panel: Panel) -> None:
    attend(panel, "chair")
    attend(panel, "sw2", status="apologies")
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("match", "AD-M-1", "AB"))
    for key, mark in (("sw2", "apologies"), ("pe", "not recorded")):
        with pytest.raises(ValidationError, match=rf"is not marked present at this sitting \({mark}\)"):
            svc.declare_interest(panel.db, panel.clerk, item, panel.members[key], "Knows the family.")
    svc.declare_interest(panel.db, panel.clerk, item, panel.members["chair"], "Knows the family.")
    [row] = [i for i in svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id).items if i.id == item]
    assert [d.member_name for d in row.declarations] == ["Rowan Ashcombe"]


def test_a_recommendation_is_definite(panel: Panel) -> None:
    attend(panel, "chair", "vice", "sw", "med", "pe")
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-C-1", "AB"))
    wording = "Mr and Mrs B are suitable to adopt in principle, subject to medical."
    with pytest.raises(ValidationError, match=r'"in principle" makes it conditional.*defer the item') as e:
        svc.save_minutes(panel.db, panel.clerk, item, svc.MinutesDraft(**{**GOOD.__dict__,
                                                                           "recommendation_text": wording}))
    assert e.value.field == "recommendation_text"
    assert rules.conditional_problem("suitable", "Suitable, provided that the medical is clear.") is not None
    assert rules.conditional_problem("suitable", "Suitable to adopt one or two children aged 0-4.") is None
    assert rules.conditional_problem("deferred", "Deferred pending the medical.") is None


def test_before_the_sitting_only_apologies_and_no_recommendation(panel: Panel) -> None:
    ahead = _later(panel, dt.date.today() + dt.timedelta(days=10))
    with pytest.raises(ValidationError, match=r"until then only apologies can be recorded\. Mark who was present"):
        svc.set_attendance(panel.db, panel.clerk, ahead, panel.members["chair"], "present")
    with pytest.raises(ValidationError, match="only apologies"):
        svc.mark_rest_present(panel.db, panel.clerk, ahead)
    svc.set_attendance(panel.db, panel.clerk, ahead, panel.members["sw2"], "apologies")
    item = svc.add_item(panel.db, panel.clerk, ahead, svc.ItemInput("approval", "AD-F-1", "AB"))
    with pytest.raises(ValidationError, match=r"its recommendation is recorded on or after that day"):
        svc.save_minutes(panel.db, panel.clerk, item, svc.MinutesDraft(outcome="suitable"))
    svc.save_minutes(panel.db, panel.clerk, item, svc.MinutesDraft(discussion="Notes ahead of the day."))
    assert svc.defer_item(panel.db, panel.clerk, item, "The report is not ready.") is None  # deferred beforehand
    # on the day itself the marks are open
    svc.set_attendance(panel.db, panel.clerk, ahead, panel.members["chair"], "present",
                       today=dt.date.today() + dt.timedelta(days=10))


def test_the_quorum_cannot_be_set_below_the_regulations_five(panel: Panel) -> None:
    admin = make_user(panel.db, "settings.admin", Role.ADMINISTRATOR)
    for value in (0, 1, 4):
        with pytest.raises(ValidationError, match="of members from 5 to 20"):
            set_setting(panel.db, admin, QUORUM_MIN_MEMBERS, value)
    set_setting(panel.db, admin, QUORUM_MIN_MEMBERS, 6)
    with panel.db.session(write=False) as session:
        assert get_setting(session, QUORUM_MIN_MEMBERS) == 6


def test_the_sitting_day_used_above_is_in_the_past() -> None:
    assert SITTING_DAY < TODAY <= dt.date.today()


def test_a_view_the_save_did_not_keep_is_said_and_the_item_shown_again(
        qtbot: Any, panel: Panel, store: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two openings of one file: the clerk's window typed every member's view and saved; a colleague then
    recorded one member as out of the room for the item (which drops that view, a change of the minutes);
    the window's next save met the conflict, and *Re-apply my change* said "Saved" with the dropped view and the
    old quorum still on screen. It now says whose view was not kept and shows the item again."""
    from adoption_desktop.panel.views.minutes_editor import MinutesEditor
    from adoption_desktop.ui import conflict
    from tests.letterbox.test_logged_once import other_handle

    attend(panel, "chair", "vice", "sw", "med", "pe", "sw2")
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-G-1", "AB"))
    other = other_handle(panel.db, store)
    try:
        def show() -> None:
            detail = svc.sitting_detail(other, panel.clerk, panel.sitting_id)
            editor.set_items(detail.items, detail.attendance, keep=item)

        editor = MinutesEditor(lambda i, d, v: svc.save_minutes(other, panel.clerk, i, d, expected_version=v),
                               lambda i, v: svc.submit_minutes(other, panel.clerk, i, expected_version=v))
        qtbot.addWidget(editor)
        show()
        reloads: list[int] = []
        editor.reload_requested.connect(reloads.append)
        editor.reload_requested.connect(lambda _i: show())  # as the panel page does
        editor.views_model.views = {r.member_id: "Agrees." for r in editor.views_model.rows()}
        assert editor.save_now()
        colleague = make_user(panel.db, "colleague", Role.PANEL_ADMINISTRATOR)
        svc.record_item_absence(panel.db, colleague, item, panel.members["pe"], "left_before")
        editor.discussion.setPlainText("The panel discussed the applicants' support network.")
        monkeypatch.setattr(conflict.ConflictDialog, "exec", lambda d: (d.reapply_button.click(), 1)[1])
        assert editor.save_now()
        assert reloads == [item]
        assert "Not kept: the view of Nia Larkholt, who no longer counts for this item" in editor.message.text()
        assert "Nia Larkholt" not in [r.full_name for r in editor.views_model.rows()]
        assert "5 members" in editor.quorum.text(), editor.quorum.text()
    finally:
        other.dispose()


def test_the_papers_dialog_saves_nothing_when_one_date_is_after_the_sitting(panel: Panel) -> None:
    """The Papers dialog saves each paper in its own transaction, so every date is checked first: one received
    after the sitting must not leave the others saved (the review found the check only in the per-paper save)."""
    from adoption_desktop.panel import undo as panel_undo

    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-P-1", "AB"))
    with pytest.raises(ValidationError, match=r"23/11/2026 is after the sitting \(10/11/2026\)"):
        panel_undo.set_papers_received(panel.db, panel.clerk, item, {"par": SITTING_DAY, "medical": TODAY},
                                       today=TODAY)
    [row] = [i for i in svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id).items if i.id == item]
    assert all(p.received_on is None for p in row.papers)


@given(sitting=st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)), today=st.dates(dt.date(2020, 1, 1),
                                                                                   dt.date(2035, 12, 31)),
       outcome=st.sampled_from(["", "deferred", "suitable", "not_suitable", "match"]),
       status=st.sampled_from(["present", "absent", "apologies"]))
def test_the_day_rules_refuse_exactly_what_comes_before_the_sitting(sitting: dt.date, today: dt.date, outcome: str,
                                                                   status: str) -> None:
    """Plain rules: before the sitting's day no mark but apologies and no outcome but a deferral; from the day
    on, everything."""
    ahead = today < sitting
    assert (rules.attendance_date_problem(status, sitting, today) is not None) == (ahead and status != "apologies")
    assert (rules.outcome_date_problem(outcome, sitting, today) is not None) == (
        ahead and outcome not in ("", "deferred"))
