"""User trial of the adoption panel (panel administrator and chair): a member off the central list marked
present and counted; views of people who did not count for an item filed in the Word minutes and the ADM's
extract though the chair's grid hid them; a chair approving minutes of an item they withdrew from; Word
files saying they were written by "python-docx". Real SQLCipher files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import select, text

from adoption_desktop.core.documents.letter_docx import letters_document
from adoption_desktop.core.documents.pdf import Letterhead
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.handoff import PanelHandoff
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.panel import documents
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.models import PanelMember, PanelMinutes
from tests.conftest import TEST_PASSWORD, make_user, papers_received

from .conftest import SITTING_DAY, TODAY, Panel, attend

GOOD = svc.MinutesDraft(outcome="suitable", reasons="Thorough assessment; strong support network.",
                        discussion="Questions on support answered.", vote="unanimous")
SIX = ("chair", "vice", "sw", "med", "pe", "sw2")


def _item(p: Panel, reference: str = "AD-2026-0960") -> int:
    item = svc.add_item(p.db, p.clerk, p.sitting_id, svc.ItemInput("approval", reference, "EF/GH", "Sam Worker"))
    return papers_received(p.db, p.clerk, item, SITTING_DAY)


def _views(p: Panel, *keys: str) -> svc.MinutesDraft:
    return svc.MinutesDraft(**{**GOOD.__dict__, "member_views": {p.members[k]: f"Agrees ({k})." for k in keys}})


def _stored_views(p: Panel, item: int) -> dict[int, str]:
    return svc.minutes_history(p.db, p.clerk, item)[-1].draft.member_views


def _audit(p: Panel, action: str) -> list[str]:
    with p.db.session(write=False) as session:
        return [str(d) for (d,) in session.execute(text(
            "SELECT detail FROM audit_log WHERE action = :a ORDER BY seq"), {"a": action})]


def _remove(p: Panel, key: str) -> None:
    """The member removed from the central list on notice given 01/09/2026: off the list from 01/10/2026,
    before the sitting of 10/11/2026."""
    svc.give_notice(p.db, p.clerk, p.members[key], dt.date(2026, 9, 1), "removed", "Breach of confidentiality",
                    today=TODAY)


# --- 1. a member off the central list --------------------------------------------------------------------
def test_a_member_removed_from_the_list_cannot_be_marked_present_or_apologies(panel: Panel) -> None:
    _remove(panel, "pe")
    for status in ("present", "apologies"):
        with pytest.raises(ValidationError, match=(
                r"Nia Larkholt was removed from the central list on 01/10/2026, before the sitting of "
                rf"10/11/2026, so cannot be marked {status}")):
            svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, panel.members["pe"], status)
    detail = svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id, today=TODAY)
    assert panel.members["pe"] not in {a.member_id for a in detail.attendance if a.status}


def test_a_member_who_joins_after_the_sitting_cannot_be_marked_present(panel: Panel) -> None:
    late = svc.add_member(panel.db, panel.clerk, svc.MemberInput(
        "Ada Newcombe", "member", dt.date(2026, 12, 1), None, True, appraisal_due=dt.date(2027, 12, 1),
        dbs_checked_on=dt.date(2026, 11, 1), training_on=dt.date(2026, 11, 1)), today=TODAY).id
    with pytest.raises(ValidationError, match="Ada Newcombe joins the central list on 01/12/2026, after the "
                                              "sitting of 10/11/2026"):
        svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, late, "present")


def test_a_mark_made_before_the_leaving_date_was_set_never_counts(panel: Panel) -> None:
    attend(panel, "chair", "sw", "pe", "sw2", "med")
    item = _item(panel)
    assert svc.item_quorum(panel.db, panel.clerk, item).counted == 5
    _remove(panel, "pe")  # the mark stays (recorded before), but the member was not on the list that day
    q = svc.item_quorum(panel.db, panel.clerk, item)
    assert q.counted == 4 and not q.quorate
    # nor do the minutes list them among the members present (the trial's Word minutes did)
    pack = svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id, today=TODAY, record_export=False)
    assert panel.members["pe"] not in {a.member_id for a in pack.present + pack.advisers}
    assert panel.members["sw"] in {a.member_id for a in pack.present}
    # correcting the old mark to absent stays open
    svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, panel.members["pe"], "absent")


def test_all_not_recorded_to_present_leaves_a_member_off_the_list_unmarked_and_says_so(panel: Panel) -> None:
    _remove(panel, "pe")
    done = svc.mark_rest_present(panel.db, panel.clerk, panel.sitting_id,
                                 [panel.members["chair"], panel.members["pe"]])
    assert [c.member_id for c in done.changes] == [panel.members["chair"]]
    assert done.not_on_list == ("Nia Larkholt (was removed from the central list on 01/10/2026, before the "
                                "sitting of 10/11/2026)",)
    assert done.skipped == ()
    detail = svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id, today=TODAY)
    assert {a.member_id: a.status for a in detail.attendance}.get(panel.members["pe"], "") == ""


# --- 2. views of people who did not count ----------------------------------------------------------------
def test_saving_keeps_only_the_views_of_members_counted_and_names_the_rest(panel: Panel) -> None:
    attend(panel, *SIX, "adviser", "legal")
    attend(panel, "minutes", status="apologies")
    item = _item(panel)
    saved = svc.save_minutes(panel.db, panel.clerk, item, _views(panel, *SIX, "adviser", "legal", "minutes"))
    assert set(saved.draft.member_views) == {panel.members[k] for k in SIX}
    assert set(_stored_views(panel, item)) == {panel.members[k] for k in SIX}
    [note] = _audit(panel, "views_not_saved")
    assert "Gus Mossley (panel adviser: advisers do not count)" in note
    assert "Bea Nettleton (legal adviser: advisers do not count)" in note
    assert "Ivo Pebbleton (minute" in note


def test_a_late_declaration_takes_the_members_view_out_of_the_draft(panel: Panel) -> None:
    attend(panel, *SIX)
    item = _item(panel)
    svc.save_minutes(panel.db, panel.clerk, item, _views(panel, *SIX))
    svc.declare_interest(panel.db, panel.clerk, item, panel.members["sw2"], "Neighbour of the applicants")
    assert panel.members["sw2"] not in _stored_views(panel, item)
    assert len(_stored_views(panel, item)) == 5
    assert any("view of Eli Fenwick taken out of the draft (declared an interest and withdrew)" in d
               for d in _audit(panel, "view_removed"))


def test_undoing_the_removal_of_a_declaration_takes_a_view_saved_since_out_again(panel: Panel) -> None:
    """Review: the declaration came back with the withdrawn member's view still in the draft (saved while
    the declaration was gone), so the minutes said both."""
    from adoption_desktop.panel import undo

    attend(panel, *SIX)
    item = _item(panel)
    d = svc.declare_interest(panel.db, panel.clerk, item, panel.members["sw2"], "Neighbour of the applicants")
    entry = undo.remove_declaration(panel.db, panel.clerk, d)
    svc.save_minutes(panel.db, panel.clerk, item, _views(panel, *SIX))
    assert panel.members["sw2"] in _stored_views(panel, item)
    entry.reverse()
    assert panel.members["sw2"] not in _stored_views(panel, item)
    assert len(_stored_views(panel, item)) == 5
    assert any("view of Eli Fenwick taken out of the draft (declaration of interest put back: they withdrew)"
               in n for n in _audit(panel, "view_removed"))


def test_a_declaration_without_withdrawing_keeps_the_view(panel: Panel) -> None:
    attend(panel, *SIX)
    item = _item(panel)
    svc.save_minutes(panel.db, panel.clerk, item, _views(panel, *SIX))
    svc.declare_interest(panel.db, panel.clerk, item, panel.members["sw2"], "Knows the school", withdrew=False)
    assert panel.members["sw2"] in _stored_views(panel, item)


def test_marking_a_member_away_from_present_takes_their_view_out(panel: Panel) -> None:
    attend(panel, *SIX)
    item = _item(panel)
    svc.save_minutes(panel.db, panel.clerk, item, _views(panel, *SIX))
    svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, panel.members["sw2"], "apologies")
    assert panel.members["sw2"] not in _stored_views(panel, item)
    assert any("Eli Fenwick taken out of the draft (marked apologies at the sitting)" in d
               for d in _audit(panel, "view_removed"))


def test_recording_a_member_out_of_the_room_takes_their_view_out_audited(panel: Panel) -> None:
    attend(panel, *SIX)
    item = _item(panel)
    svc.save_minutes(panel.db, panel.clerk, item, _views(panel, *SIX))
    svc.record_item_absence(panel.db, panel.clerk, item, panel.members["sw2"], "left_during")
    assert panel.members["sw2"] not in _stored_views(panel, item)
    assert any("Eli Fenwick" in d for d in _audit(panel, "view_removed"))


def _with_view_of_removed_member(panel: Panel) -> int:
    """Minutes holding the view of a member whose leaving date (before the sitting) was set after the views
    were saved: she no longer counts, her view is still in the draft."""
    attend(panel, *SIX)
    item = _item(panel)
    svc.save_minutes(panel.db, panel.clerk, item, _views(panel, *SIX))
    return item


def test_sending_minutes_holding_a_view_of_someone_not_counted_is_refused_naming_them(panel: Panel) -> None:
    item = _with_view_of_removed_member(panel)
    _remove(panel, "sw2")
    with pytest.raises(ValidationError, match=r"Members' views: the minutes hold a view of Eli Fenwick \(not on "
                                              r"the central list on 10/11/2026\)") as err:
        svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    assert err.value.field == "member_views"
    assert svc.minutes_history(panel.db, panel.clerk, item)[-1].status == "draft"
    # saving again takes the view out; then the minutes go
    svc.save_minutes(panel.db, panel.clerk, item, _views(panel, *SIX))
    assert svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY).status == "submitted"


def test_approving_minutes_holding_a_view_of_someone_not_counted_is_refused(
        panel: Panel, handoffs: list[PanelHandoff]) -> None:
    item = _with_view_of_removed_member(panel)
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    _remove(panel, "sw2")
    blockers = svc.approval_blockers(panel.db, panel.chair, item, today=TODAY)
    assert any("Eli Fenwick" in b for b in blockers)
    with pytest.raises(ValidationError, match="the minutes hold a view of Eli Fenwick"):
        svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)
    assert svc.minutes_history(panel.db, panel.clerk, item)[-1].status == "submitted"
    assert handoffs == []


def test_the_approved_word_minutes_and_the_adm_extract_hold_only_counted_views(
        panel: Panel, handoffs: list[PanelHandoff], tmp_path: Path) -> None:
    attend(panel, *SIX, "adviser")
    attend(panel, "legal", status="apologies")
    item = _item(panel)
    svc.save_minutes(panel.db, panel.clerk, item, _views(panel, *SIX, "adviser", "legal"))
    svc.declare_interest(panel.db, panel.clerk, item, panel.members["sw2"], "Former colleague")
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)
    pack = svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id, today=TODAY)
    path = documents.write_minutes_docx(pack, tmp_path / "minutes.docx")
    views = [t for t in Document(str(path)).tables if t.rows[0].cells[0].text == "Member"]
    names = [r.cells[0].text for r in views[-1].rows[1:]]
    assert names == ["Rowan Ashcombe", "Kit Brambleby", "Tara Dunmere", "Dr Quinn Hazelford", "Nia Larkholt"]
    [handoff] = handoffs
    assert "View of Eli Fenwick" not in handoff.minutes_extract
    assert "View of Gus Mossley" not in handoff.minutes_extract
    assert "View of Bea Nettleton" not in handoff.minutes_extract
    assert handoff.minutes_extract.count("View of ") == 5


def test_a_leaving_date_before_a_sitting_with_approved_minutes_is_refused(
        panel: Panel, handoffs: list[PanelHandoff]) -> None:
    """Review: notice recorded after the minutes were approved took a member present out of the approved
    minutes (6 present became 5) while their stored quorum statement still counted them."""
    attend(panel, *SIX)
    item = _item(panel)
    svc.save_minutes(panel.db, panel.clerk, item, _views(panel, *SIX))
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)
    before = svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id, today=TODAY, record_export=False)
    with pytest.raises(ValidationError, match=r"Nia Larkholt would leave the central list on 01/10/2026, but is "
                                              r"recorded at the sitting of 10/11/2026, whose minutes are approved"):
        _remove(panel, "pe")
    after = svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id, today=TODAY, record_export=False)
    assert len(after.present) == len(before.present) == 6
    # notice ending after that sitting is taken
    svc.give_notice(panel.db, panel.clerk, panel.members["pe"], dt.date(2026, 11, 10), "left", "", today=TODAY)


# --- 3. the chair of an item they withdrew from -------------------------------------------------------------
def test_a_chair_who_withdrew_from_the_item_cannot_approve_its_minutes(
        panel: Panel, handoffs: list[PanelHandoff]) -> None:
    attend(panel, *SIX)
    item = _item(panel)
    svc.declare_interest(panel.db, panel.clerk, item, panel.members["chair"], "Knows the birth family")
    svc.save_minutes(panel.db, panel.clerk, item, _views(panel, "vice", "sw", "med", "pe", "sw2"))
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    refusal = ("You did not count for this item (declared an interest and withdrew), so you did not chair it "
               "and cannot approve its minutes. They are approved by the vice chair who chaired it "
               "(Kit Brambleby), signed in with their own account")
    assert any(b.startswith(refusal) for b in svc.approval_blockers(panel.db, panel.chair, item, today=TODAY))
    with pytest.raises(ValidationError, match=r"declared an interest and withdrew\), so you did not chair it"):
        svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)
    assert svc.minutes_history(panel.db, panel.clerk, item)[-1].status == "submitted" and handoffs == []
    # the vice chair, with an account that may approve and linked to their central-list entry, approves
    vice = make_user(panel.db, "viceuser", Role.PANEL_CHAIR)
    with panel.db.session() as session:
        session.get(PanelMember, panel.members["vice"]).user_id = vice.user_id
    done = svc.approve_minutes(panel.db, vice, item, TEST_PASSWORD, today=TODAY)
    assert done.status == "approved" and done.approved_by_name == vice.full_name


# --- 4. Word document properties ----------------------------------------------------------------------------
def test_word_minutes_say_whose_they_are(panel: Panel, tmp_path: Path) -> None:
    attend(panel, *SIX)
    pack = svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id, today=TODAY)
    path = documents.write_minutes_docx(pack, tmp_path / "minutes.docx")
    cp = Document(str(path)).core_properties
    assert cp.author == pack.agency_name and cp.author
    assert cp.title == "Adoption panel minutes: 10 November 2026"
    assert cp.comments == "" and "python-docx" not in (cp.author + cp.comments + cp.last_modified_by)
    assert cp.created is not None and cp.created.year >= 2026


def test_word_letters_say_whose_they_are() -> None:
    doc, count = letters_document([], Letterhead("Brackenmoor Adoption Agency", "1 High Street"), title="Invitations")
    cp = doc.core_properties
    assert count == 0
    assert (cp.author, cp.title, cp.comments) == ("Brackenmoor Adoption Agency", "Invitations", "")


def test_templates_carry_no_python_docx_properties(tmp_path: Path) -> None:
    from adoption_desktop.panel import minutes_template
    from adoption_desktop.reports import report_template

    for build in (minutes_template.build, report_template.build):
        cp = Document(str(build(tmp_path / "t.docx"))).core_properties
        assert "python-docx" not in cp.author + cp.comments and cp.comments == ""


def test_stored_minutes_never_hold_an_uncounted_view_after_the_routes(panel: Panel) -> None:
    """Whatever route was taken above, the row itself (what the Word file and the extract are built from)."""
    attend(panel, *SIX, "adviser")
    item = _item(panel)
    svc.save_minutes(panel.db, panel.clerk, item, _views(panel, *SIX, "adviser"))
    with panel.db.session(write=False) as session:
        stored = json.loads(session.scalars(select(PanelMinutes.member_views)
                                            .where(PanelMinutes.item_id == item)).one())
    assert str(panel.members["adviser"]) not in stored and len(stored) == 6
