"""The ADM conflict rule at recording and signing, from the panel's tables as they are then (roles trial,
December 2026): a member who declared an interest in an item and withdrew may not decide it afterwards, and a
central-list entry linked to the ADM's account after the hand-off counts (in another session too), with the
warning about unlinked members following the links as they are now. A member whose entry is made an adviser
after the sitting still sat on the item (review of 6 December)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event

from adoption_desktop.adm import service as adm
from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.core.errors import PermissionDenied
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as svc
from tests.conftest import TEST_PASSWORD, make_user, papers_received

from .conftest import SITTING_DAY, TODAY, Panel, attend, with_views

GOOD = svc.MinutesDraft(outcome="suitable", reasons="Thorough assessment; strong support network.",
                        vote="unanimous")
ADDRESS = "Mr and Mrs Testcase\n1 Any Road\nZZ99 1AA"
DECLARED = "you declared an interest in this case at the panel on 10/11/2026"


def _link(db: Database, p: Panel, key: str, user: Principal | None) -> None:
    """The panel administrator links (or unlinks) the vice chair's central-list entry."""
    assert key == "vice"
    svc.update_member(db, p.clerk, p.members[key],
                      svc.MemberInput("Kit Brambleby", "vice_chair", dt.date(2024, 1, 1), None, True,
                                      user_id=user.user_id if user else None), today=TODAY)


def _renamed(db: Database, user: Principal, name: str) -> Principal:
    with db.session() as session:
        row = session.get(User, user.user_id)
        assert row is not None
        row.full_name = name
    return replace(user, full_name=name)


def _handed_off(p: Panel, *, declare: bool = False, withdrew: bool = True) -> int:
    """An approval item heard by six members (the vice chair declaring an interest when ``declare``), its
    minutes approved: the ADM decision's id, its letter details filled in."""
    attend(p, "chair", "vice", "sw", "sw2", "med", "pe")
    item = papers_received(p.db, p.clerk, svc.add_item(p.db, p.clerk, p.sitting_id, svc.ItemInput(
        "approval", "AD-2026-0101", "AB/CD", "Jay Quillby")), SITTING_DAY)
    if declare:
        svc.declare_interest(p.db, p.clerk, item, p.members["vice"],
                             "Line manager of the assessing social worker; knows the applicants.", withdrew=withdrew)
    svc.save_minutes(p.db, p.clerk, item, with_views(p, GOOD))
    svc.submit_minutes(p.db, p.clerk, item, today=TODAY)
    decision = svc.approve_minutes(p.db, p.chair, item, TEST_PASSWORD, today=TODAY).adm_decision_id
    assert decision is not None
    with p.db.session() as session:
        d = session.get(AdmDecision, decision)
        assert d is not None
        d.addressee, d.salutation = ADDRESS, "Mr and Mrs Testcase"
    return decision


def _refused_everywhere(p: Panel, who: Principal, decision: int, match: str) -> None:
    assert match in adm.get_decision(p.db, who, decision, TODAY).conflict_refusal
    with pytest.raises(PermissionDenied, match=re.escape(match)):
        adm.record_decision(p.db, who, decision, outcome="agree", decision_text="Approved.", reasons="")
    with pytest.raises(PermissionDenied, match=re.escape(match)):
        adm.save_draft_decision(p.db, who, decision, outcome="agree", decision_text="Approved.", reasons="",
                                addressee=ADDRESS, salutation="Mr and Mrs Testcase", social_worker="")
    with pytest.raises(PermissionDenied, match=re.escape(match)):
        adm.check_signable(p.db, who, decision, TODAY)
    with pytest.raises(PermissionDenied, match=re.escape(match)):
        adm.sign_decision(p.db, who, decision, TEST_PASSWORD, TODAY)
    assert adm.get_decision(p.db, who, decision, TODAY).row.state == "pending"


@pytest.mark.parametrize("withdrew", [True, False])
def test_a_member_who_declared_an_interest_may_not_decide_the_case(panel: Panel, withdrew: bool) -> None:
    """Withdrawn after declaring (the trial's hole: left out of the hand-off's list) or not: refused, told
    when they declared; another ADM decides it."""
    deputy = make_user(panel.db, "deputyadm", Role.AGENCY_DECISION_MAKER, Role.PANEL_CHAIR)
    _link(panel.db, panel, "vice", deputy)
    decision = _handed_off(panel, declare=True, withdrew=withdrew)
    _refused_everywhere(panel, deputy, decision, DECLARED + (" and withdrew" if withdrew else " ("))
    other = make_user(panel.db, "otheradm", Role.AGENCY_DECISION_MAKER)
    adm.record_decision(panel.db, other, decision, outcome="agree", decision_text="Approved.", reasons="")
    adm.sign_decision(panel.db, other, decision, TEST_PASSWORD, TODAY)


def test_the_handoff_lists_a_withdrawn_member_for_the_conflict_rule(panel: Panel,
                                                                    handoffs: list[Any]) -> None:
    deputy = make_user(panel.db, "deputyadm", Role.AGENCY_DECISION_MAKER, Role.PANEL_CHAIR)
    _link(panel.db, panel, "vice", deputy)
    attend(panel, "chair", "vice", "sw", "sw2", "med", "pe")
    item = papers_received(panel.db, panel.clerk, svc.add_item(panel.db, panel.clerk, panel.sitting_id,
                                                               svc.ItemInput("approval", "AD-2026-0102", "AB/CD",
                                                                             "Jay Quillby")), SITTING_DAY)
    svc.declare_interest(panel.db, panel.clerk, item, panel.members["vice"], "Knows the applicants.",
                         withdrew=True)
    svc.save_minutes(panel.db, panel.clerk, item, with_views(panel, GOOD))
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)
    [h] = handoffs
    assert deputy.user_id in h.member_user_ids and "Kit Brambleby" not in h.member_names


def test_a_link_made_after_the_handoff_refuses_the_member_and_ends_the_name_warning(panel: Panel) -> None:
    """Same name: the warning said "not linked" (false once linked) and signing went through."""
    deputy = _renamed(panel.db, make_user(panel.db, "kbrambleby", Role.AGENCY_DECISION_MAKER), "Kit Brambleby")
    decision = _handed_off(panel)
    assert "Kit Brambleby sat on the panel" in adm.decision_warnings(panel.db, deputy, decision)[0]
    _link(panel.db, panel, "vice", deputy)
    assert adm.decision_warnings(panel.db, deputy, decision) == []
    assert adm.get_decision(panel.db, deputy, decision, TODAY).conflict_warning == ""
    _refused_everywhere(panel, deputy, decision, "Kit Brambleby sat on the panel for this item")


def test_a_link_made_in_another_session_before_signing_is_seen_at_signing(panel: Panel, other_pc: Database) -> None:
    """Names differ (no warning at all before): the ADM opens and drafts the decision; the panel administrator,
    on another PC (a second connection to the same SQLCipher file), links the vice chair's entry to the ADM's
    account; signing is refused and the draft stays as it was."""
    deputy = make_user(panel.db, "deputyadm", Role.AGENCY_DECISION_MAKER)
    decision = _handed_off(panel)
    shown = adm.get_decision(panel.db, deputy, decision, TODAY)
    assert shown.conflict_refusal == "" and shown.conflict_warning == ""
    version = adm.record_decision(panel.db, deputy, decision, outcome="agree", decision_text="Approved.",
                                  reasons="")
    adm.check_signable(panel.db, deputy, decision, TODAY)  # the sign dialog's check: nothing against it yet
    _link(other_pc, panel, "vice", deputy)
    with pytest.raises(PermissionDenied, match="sat on the panel for this item"):
        adm.sign_decision(panel.db, deputy, decision, TEST_PASSWORD, TODAY, expected_version=version)
    after = adm.get_decision(panel.db, deputy, decision, TODAY)
    assert after.row.state == "pending" and after.decision_text == "Approved."


def test_an_unlinked_namesake_is_warned_about_from_the_links_as_they_are_now(panel: Panel) -> None:
    """The vice chair was linked to another account at the hand-off (no unlinked names then); the link is
    taken off since: the ADM of the same name is warned."""
    linked = make_user(panel.db, "kit2", Role.PANEL_CHAIR)
    namesake = _renamed(panel.db, make_user(panel.db, "kbrambleby", Role.AGENCY_DECISION_MAKER), "Mr Kit Brambleby")
    _link(panel.db, panel, "vice", linked)
    decision = _handed_off(panel)
    assert adm.decision_warnings(panel.db, namesake, decision) == []
    _link(panel.db, panel, "vice", None)
    [warning] = adm.decision_warnings(panel.db, namesake, decision)
    assert "Kit Brambleby sat on the panel for this item and is not linked" in warning


def test_unlinking_the_member_after_the_handoff_does_not_lift_the_refusal(panel: Panel) -> None:
    """The vice chair's entry was linked to the deputy ADM's account when the minutes were approved; taking
    the link off afterwards (the panel administrator, or anyone able to edit the central list) must not let
    that account decide the case it sat on."""
    deputy = make_user(panel.db, "deputy", Role.AGENCY_DECISION_MAKER)
    _link(panel.db, panel, "vice", deputy)
    decision = _handed_off(panel)
    _link(panel.db, panel, "vice", None)
    _refused_everywhere(panel, deputy, decision, "sat on the panel for this item")


def _made_adviser(p: Panel, user: Principal | None) -> None:
    """After the hand-off, the vice chair's central-list entry is changed to a panel adviser's role (and linked
    to ``user``'s account, or to none)."""
    svc.update_member(p.db, p.clerk, p.members["vice"],
                      svc.MemberInput("Kit Brambleby", "panel_adviser", dt.date(2024, 1, 1), None, True,
                                      user_id=user.user_id if user else None), today=TODAY)


def test_a_member_made_an_adviser_after_the_handoff_still_sat_on_the_item(panel: Panel) -> None:
    """Review of 6 December: the vice chair sat on the item (not linked to an account then); the entry was
    changed to a panel adviser's role and linked to the deputy ADM afterwards. The conflict check took the
    role as it is now ("an adviser, not a member") and let the member who sat record and sign the decision."""
    deputy = make_user(panel.db, "deputyadm", Role.AGENCY_DECISION_MAKER)
    decision = _handed_off(panel)
    _made_adviser(panel, deputy)
    _refused_everywhere(panel, deputy, decision, "sat on the panel for this item")
    other = make_user(panel.db, "otheradm", Role.AGENCY_DECISION_MAKER)
    adm.record_decision(panel.db, other, decision, outcome="agree", decision_text="Approved.", reasons="")
    adm.sign_decision(panel.db, other, decision, TEST_PASSWORD, TODAY)


def test_the_name_warning_stays_when_the_member_is_made_an_adviser(panel: Panel) -> None:
    """Review of 6 December: the same role change, no account linked: the warning about an unlinked namesake
    went (only the current members were read). It stays, once."""
    same = _renamed(panel.db, make_user(panel.db, "kbrambleby", Role.AGENCY_DECISION_MAKER), "Kit Brambleby")
    decision = _handed_off(panel)
    [before] = adm.decision_warnings(panel.db, same, decision)
    _made_adviser(panel, None)
    [after] = adm.decision_warnings(panel.db, same, decision)
    assert after == before
    assert "Kit Brambleby sat on the panel for this item and is not linked to a user account" in after
    assert adm.get_decision(panel.db, same, decision, TODAY).conflict_warning == after


def test_an_adviser_at_the_sitting_may_still_decide(panel: Panel) -> None:
    """The panel adviser, present at the sitting as an adviser (never a member of the panel), linked to the
    ADM's account: neither refused nor warned about."""
    gus = _renamed(panel.db, make_user(panel.db, "gmossley", Role.AGENCY_DECISION_MAKER), "Gus Mossley")
    svc.update_member(panel.db, panel.clerk, panel.members["adviser"],
                      svc.MemberInput("Gus Mossley", "panel_adviser", dt.date(2024, 1, 1), 12, True,
                                      user_id=gus.user_id), today=TODAY)
    attend(panel, "adviser")
    decision = _handed_off(panel)
    shown = adm.get_decision(panel.db, gus, decision, TODAY)
    assert shown.conflict_refusal == "" and shown.conflict_warning == ""
    adm.record_decision(panel.db, gus, decision, outcome="agree", decision_text="Approved.", reasons="")
    adm.sign_decision(panel.db, gus, decision, TEST_PASSWORD, TODAY)


@pytest.fixture
def statements(panel: Panel) -> Iterator[list[str]]:
    seen: list[str] = []

    def log(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(panel.db.engine, "before_cursor_execute", log)
    yield seen
    event.remove(panel.db.engine, "before_cursor_execute", log)


def test_the_members_of_an_item_are_read_in_two_queries(panel: Panel, statements: list[str]) -> None:
    deputy = make_user(panel.db, "deputyadm", Role.AGENCY_DECISION_MAKER)
    _link(panel.db, panel, "vice", deputy)
    decision = _handed_off(panel, declare=True)
    with panel.db.session(write=False) as session:
        d = session.get(AdmDecision, decision)
        assert d is not None and d.panel_item_id is not None
        statements.clear()
        found = svc.item_members(session, d.panel_item_id)
        assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) <= 2
    assert found is not None and found.sitting_date == SITTING_DAY
    by_name = {m.full_name: m for m in found.members}
    assert set(by_name) == {"Rowan Ashcombe", "Kit Brambleby", "Tara Dunmere", "Eli Fenwick",
                            "Dr Quinn Hazelford", "Nia Larkholt"}
    vice = by_name["Kit Brambleby"]
    assert vice.declared_interest and vice.withdrew and vice.user_id == deputy.user_id


def test_the_conflict_check_reads_two_queries(panel: Panel, statements: list[str]) -> None:
    """The refusal and the warning, each from the decision already read: the panel's two queries, the lists
    frozen on the decision read from it (no more queries as the members grow)."""
    deputy = make_user(panel.db, "deputyadm", Role.AGENCY_DECISION_MAKER)
    decision = _handed_off(panel)
    _made_adviser(panel, deputy)
    with panel.db.session(write=False) as session:
        d = session.get(AdmDecision, decision)
        assert d is not None
        for check in (adm._conflict_message, adm._name_warning):
            statements.clear()
            check(d, deputy)
            assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) <= 2


def test_the_adm_page_shows_the_refusal_for_a_link_made_after_the_handoff(panel: Panel, qtbot: Any) -> None:
    from adoption_desktop.adm.views.page import AdmPage
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    deputy = _renamed(panel.db, make_user(panel.db, "kbrambleby", Role.AGENCY_DECISION_MAKER), "Kit Brambleby")
    decision = _handed_off(panel)
    _link(panel.db, panel, "vice", deputy)
    page = AdmPage(AppContext(panel.db, deputy, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.resize(1500, 850)
    assert page.select_decision(decision)
    shown = page.detail.members.text()
    assert "Kit Brambleby sat on the panel for this item (the central-list member present is linked" in shown
    assert "not linked to a user account" not in shown
    page.detail.sign(password=TEST_PASSWORD)
    assert adm.get_decision(panel.db, deputy, decision, TODAY).row.state == "pending"
