"""Many people on one record, with real concurrency: two processes on one SQLCipher file (each with its
own engine) and two clients on a throwaway PostgreSQL. Exactly one sign-off wins, a stale save is
refused (never silently overwritten), parallel wrong passwords lock the account, presence leases show
and expire."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from adoption_desktop.adm import service as adm
from adoption_desktop.adm.models import AdmDecision, AdmLetter
from adoption_desktop.core import presence
from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.config import LOCKOUT_ATTEMPTS
from adoption_desktop.core.errors import StaleRecord
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import SYSTEM as SYSTEM_PRINCIPAL
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.security.service import AccountLocked, SignInError, authenticate
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import create_database
from adoption_desktop.letterbox import rules as lb_rules
from adoption_desktop.letterbox import service as lb
from adoption_desktop.letterbox.service import TermData
from adoption_desktop.panel import service as panel
from adoption_desktop.panel.models import PanelDeclaration, PanelItemAbsence, PanelMinutes
from tests.adm.conftest import handoff, open_from_panel
from tests.concurrency_worker import context as worker_context
from tests.concurrency_worker import process
from tests.conftest import TEST_PASSWORD, make_user
from tests.letterbox.conftest import sample_input

DAY = dt.date(2025, 12, 3)


@dataclasses.dataclass
class Shared:
    db: Database
    target: str
    key_hex: str | None


@pytest.fixture(params=["sqlcipher", "postgresql"])
def shared(request: pytest.FixtureRequest, tmp_path: Path, store: Any) -> Iterator[Shared]:
    """One database two processes open: an encrypted file, or a database on the throwaway server."""
    if request.param == "sqlcipher":
        created = create_database(tmp_path / "shared.db", store)
        password = created.db.engine.url.password
        assert password is not None
        yield Shared(created.db, str(tmp_path / "shared.db"), password[2:-1])
        created.db.dispose()
        return
    server = request.getfixturevalue("postgres_server")
    if server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    for db in server.fresh_database():
        yield Shared(db, db.engine.url.render_as_string(hide_password=False), None)


def race(s: Shared, op: str, a: list[dict[str, Any]], b: list[dict[str, Any]]) -> list[dict[str, tuple[str, str]]]:
    """Two processes, each doing its round i at the same moment as the other: results per round."""
    return race_ops(s, (op, a), (op, b))


def race_ops(s: Shared, a_op: tuple[str, list[dict[str, Any]]], b_op: tuple[str, list[dict[str, Any]]]
             ) -> list[dict[str, tuple[str, str]]]:
    """As :func:`race`, each process with its own use case (``(op, rounds)``)."""
    ctx = worker_context()
    barrier, results = ctx.Barrier(2), ctx.Queue()
    a, b = a_op[1], b_op[1]
    procs = [process(ctx, s.target, s.key_hex, op, rounds, barrier, results, who)
             for who, (op, rounds) in (("a", a_op), ("b", b_op))]
    for p in procs:
        p.start()
    out: list[dict[str, tuple[str, str]]] = [{} for _ in a]
    for _ in range(len(a) + len(b)):
        who, i, kind, message = results.get(timeout=300)
        out[i][who] = (kind, message)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    for r in out:
        assert not any(kind.startswith("crash") for kind, _ in r.values()), r
    return out


def one_winner(r: dict[str, tuple[str, str]]) -> tuple[str, str, str]:
    """(winner, loser, loser's message); fails unless exactly one of the two succeeded."""
    oks = [who for who, (kind, _) in r.items() if kind == "ok"]
    assert len(oks) == 1, r
    winner = oks[0]
    loser = "b" if winner == "a" else "a"
    assert r[loser][0] in ("Conflict", "StaleRecord"), r
    return winner, loser, r[loser][1]


def _two_adms_and_decisions(db: Database, n: int, *, signed: bool = False) -> tuple[dict[str, Principal], list[int]]:
    """Two ADMs ("a", "b") and ``n`` decisions recorded by "a" (signed by "a" when ``signed``)."""
    users = {"a": make_user(db, "adm_one", Role.AGENCY_DECISION_MAKER),
             "b": make_user(db, "adm_two", Role.AGENCY_DECISION_MAKER)}
    ids = []
    for _ in range(n):
        with db.session() as session:
            did = open_from_panel(session, handoff())
        adm.record_decision(db, users["a"], did, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="I agree with the panel's reasons.")
        if signed:
            adm.sign_decision(db, users["a"], did, TEST_PASSWORD, DAY)
        ids.append(did)
    return users, ids


def test_exactly_one_adm_signs(shared: Shared) -> None:
    db = shared.db
    users, ids = _two_adms_and_decisions(db, 20)
    versions = {d: adm.get_decision(db, users["a"], d, DAY).row_version for d in ids}
    rounds = {who: [{"user": u, "id": d, "password": TEST_PASSWORD, "day": DAY, "version": versions[d]}
                    for d in ids] for who, u in users.items()}
    results = race(shared, "sign", rounds["a"], rounds["b"])
    with db.session(write=False) as session:
        for did, r in zip(ids, results, strict=True):
            winner, _loser, message = one_winner(r)
            assert f"signed by {users[winner].full_name}" in message
            d = session.get(AdmDecision, did)
            assert d is not None and d.signed_by_name == users[winner].full_name
            assert session.scalar(select(func.count()).select_from(AdmLetter)
                                  .where(AdmLetter.decision_id == did)) == 1
            assert session.scalar(select(func.count()).select_from(AuditEntry).where(
                AuditEntry.action == "sign", AuditEntry.entity_id == str(did))) == 1


def test_two_people_recording_the_applicants_told_at_once_record_it_once(shared: Shared) -> None:
    """Concurrency probe, 2026-12-04: two records of the oral notification at the same moment made two rows
    (the 2-working-day figure counts from the first); now one is recorded and the other is told who did."""
    from adoption_desktop.adm.models import AdmNotification

    db = shared.db
    users, ids = _two_adms_and_decisions(db, 6, signed=True)
    rounds = {who: [{"user": u, "id": d, "day": DAY} for d in ids] for who, u in users.items()}
    for did, r in zip(ids, race(shared, "oral_told", rounds["a"], rounds["b"]), strict=True):
        _winner, _loser, message = one_winner(r)
        assert "already recorded as told" in message
        with db.session(write=False) as session:
            assert session.scalar(select(func.count()).select_from(AdmNotification).where(
                AdmNotification.decision_id == did, AdmNotification.kind == "oral")) == 1


#: sittings whose attendance the tests mark: held ones (before a sitting's day only apologies are recorded),
#: a Tuesday months before any day these tests run on
MARKED_SITTINGS_FROM = dt.date(2026, 6, 2)


def _panel_item(db: Database, clerk: Principal, n: int) -> int:
    sitting = panel.schedule_sittings(db, clerk, panel.SittingInput(
        dt.date(2026, 11, 10) + dt.timedelta(days=7 * n), venue="Room 4, Civic Centre"))[0]
    item = panel.add_item(db, clerk, sitting, panel.ItemInput("approval", f"ADP-{500 + n}", "C.D."))
    panel.save_minutes(db, clerk, item, panel.MinutesDraft(discussion="First notes of the discussion."))
    return item


def test_a_stale_minutes_save_is_refused(shared: Shared) -> None:
    db = shared.db
    users = {"a": make_user(db, "clerk_one", Role.PANEL_ADMINISTRATOR),
             "b": make_user(db, "clerk_two", Role.PANEL_ADMINISTRATOR)}
    items = [_panel_item(db, users["a"], n) for n in range(5)]
    versions = {}
    with db.session(write=False) as session:
        for i in items:
            m = session.scalars(select(PanelMinutes).where(PanelMinutes.item_id == i)).one()
            versions[i] = m.row_version
    rounds = {who: [{"user": u, "id": i, "text": f"Notes typed by {who} on item {i}.", "version": versions[i]}
                    for i in items] for who, u in users.items()}
    results = race(shared, "minutes", rounds["a"], rounds["b"])
    with db.session(write=False) as session:
        for i, r in zip(items, results, strict=True):
            winner, loser, message = one_winner(r)
            assert r[loser][0] == "StaleRecord" and users[winner].full_name in message
            m = session.scalars(select(PanelMinutes).where(PanelMinutes.item_id == i)).one()
            assert m.discussion == f"Notes typed by {winner} on item {i}."


def test_two_clerks_recording_one_member_not_present_for_an_item_leave_one_record(shared: Shared) -> None:
    """Both record the same member as not present for the same item at the same moment: one record, and the
    other clerk is told (a Conflict naming the member), never a raw unique-constraint error."""
    db = shared.db
    users = {"a": make_user(db, "abs_one", Role.PANEL_ADMINISTRATOR),
             "b": make_user(db, "abs_two", Role.PANEL_ADMINISTRATOR)}
    member = panel.add_member(db, users["a"], panel.MemberInput("Nia Larkholt", "member", dt.date(2024, 1, 1),
                                                                independent=True)).id
    items = []
    for n in range(5):
        sitting = panel.schedule_sittings(db, users["a"], panel.SittingInput(
            MARKED_SITTINGS_FROM + dt.timedelta(days=7 * n), venue="Room 4, Civic Centre"))[0]
        panel.set_attendance(db, users["a"], sitting, member, "present")
        items.append(panel.add_item(db, users["a"], sitting, panel.ItemInput("approval", f"ADP-{600 + n}", "C.D.")))
    rounds = {who: [{"user": u, "id": i, "member": member, "reason": reason} for i in items]
              for (who, u), reason in zip(users.items(), ("left_before", "arrived_after"), strict=True)}
    results = race(shared, "item_absence", rounds["a"], rounds["b"])
    with db.session(write=False) as session:
        for i, r in zip(items, results, strict=True):
            _winner, loser, message = one_winner(r)
            assert r[loser][0] == "Conflict" and "Nia Larkholt is already recorded as not present" in message
            assert session.scalar(select(func.count()).select_from(PanelItemAbsence)
                                  .where(PanelItemAbsence.item_id == i)) == 1


def _sittings_to_mark(db: Database, clerk: Principal, first: int, n: int = 6) -> list[int]:
    """``n`` sittings; every other one has an agenda item (marking locks the items first), the rest none (two
    first marks then meet at the unique pair of sitting and member)."""
    out = []
    for k in range(n):
        sitting = panel.schedule_sittings(db, clerk, panel.SittingInput(
            MARKED_SITTINGS_FROM + dt.timedelta(days=7 * (first + k)), venue="Room 4, Civic Centre"))[0]
        if k % 2:
            panel.add_item(db, clerk, sitting, panel.ItemInput("approval", f"ADP-{800 + first + k}", "G.T."))
        out.append(sitting)
    return out


def _marks(db: Database, sitting: int) -> dict[str, str]:
    with db.session(write=False) as session:
        return {a.full_name: a.status for a in panel._attendance(session, panel._sitting(session, sitting))
                if a.status}


def test_two_clerks_marking_attendance_from_the_same_screen_one_mark_stands_and_the_other_is_told(
        shared: Shared) -> None:
    """Team-mode trial: two clerks whose screens both show Gina as not recorded mark her at the same moment
    (one "apologies", one "present"): exactly one mark is stored, never overwritten by the other, who is
    told who marked her (a StaleRecord, never a raw unique-constraint error)."""
    db = shared.db
    users = {"a": make_user(db, "att_one", Role.PANEL_ADMINISTRATOR),
             "b": make_user(db, "att_two", Role.PANEL_ADMINISTRATOR)}
    gina = panel.add_member(db, users["a"], panel.MemberInput("Gina Tolley", "member", dt.date(2024, 1, 1),
                                                              independent=True)).id
    sittings = _sittings_to_mark(db, users["a"], 0)
    status = {"a": "apologies", "b": "present"}
    rounds = {who: [{"user": u, "sitting": s, "member": gina, "status": status[who], "expected": ""}
                    for s in sittings] for who, u in users.items()}
    results = race(shared, "attendance", rounds["a"], rounds["b"])
    for s, r in zip(sittings, results, strict=True):
        winner, loser, message = one_winner(r)
        assert r[loser][0] == "StaleRecord", r
        assert message.startswith(f"{users[winner].full_name} marked Gina Tolley {status[winner]} at "), message
        assert "was not saved" in message
        assert _marks(db, s) == {"Gina Tolley": status[winner]}


def test_all_not_recorded_present_beside_a_colleagues_attendance_mark_never_overwrites_it(shared: Shared) -> None:
    """One clerk marks Gina "apologies" while the other presses "All not recorded → present" on a screen
    showing Gina and Kit as not recorded: Kit is present either way; Gina has whichever mark came first,
    and the clerk who came second is told (the skipped person named, or the mark refused)."""
    db = shared.db
    users = {"a": make_user(db, "rest_one", Role.PANEL_ADMINISTRATOR),
             "b": make_user(db, "rest_two", Role.PANEL_ADMINISTRATOR)}
    gina, kit = (panel.add_member(db, users["a"], panel.MemberInput(name, role, dt.date(2024, 1, 1),
                                                                    independent=True)).id
                 for name, role in (("Gina Tolley", "member"), ("Kit Brambleby", "vice_chair")))
    sittings = _sittings_to_mark(db, users["a"], 10)
    rounds = {"a": [{"user": users["a"], "sitting": s, "member": gina, "status": "apologies", "expected": ""}
                    for s in sittings],
              "b": [{"user": users["b"], "sitting": s, "seen": [gina, kit]} for s in sittings]}
    a_ops = race_ops(shared, ("attendance", rounds["a"]), ("rest_present", rounds["b"]))
    for s, r in zip(sittings, a_ops, strict=True):
        winner, loser, message = one_winner(r)
        marks = _marks(db, s)
        assert marks["Kit Brambleby"] == "present", (r, marks)
        if winner == "a":  # Gina's apologies came first: left as they are, and named
            assert r[loser][0] == "Conflict" and message.startswith(
                f"Gina Tolley (apologies, marked by {users['a'].full_name} at "), r
            assert marks["Gina Tolley"] == "apologies"
        else:  # marked present first: the apologies from the stale screen are refused, naming who
            assert r[loser][0] == "StaleRecord" and message.startswith(
                f"{users['b'].full_name} marked Gina Tolley present at "), r
            assert marks["Gina Tolley"] == "present"


@dataclasses.dataclass
class Sent:
    """A sitting of six present, one item whose minutes wait for the chair (sw2 recorded out of the room)."""

    clerk: Principal
    chair: Principal
    ids: dict[str, int]
    sitting: int
    item: int
    away: int
    today: dt.date


def _minutes_with_the_chair(db: Database) -> Sent:
    from tests.conftest import papers_received
    from tests.panel.conftest import MEMBERS

    clerk = make_user(db, "pres_clerk", Role.PANEL_ADMINISTRATOR)
    chair = make_user(db, "pres_chair", Role.PANEL_CHAIR)
    day, today = dt.date(2026, 11, 10), dt.date(2026, 11, 23)
    ids = {key: panel.add_member(db, clerk, panel.MemberInput(
        name, role, dt.date(2024, 1, 1), pqe, ind, user_id=chair.user_id if key == "chair" else None,
        appraisal_due=dt.date(2027, 6, 1), dbs_checked_on=dt.date(2025, 1, 1), training_on=dt.date(2026, 6, 1)),
        today=today).id for key, (name, role, pqe, ind) in MEMBERS.items()}
    sitting = panel.schedule_sittings(db, clerk, panel.SittingInput(day, "10:00", "13:00", "Room 2, Civic Centre"))[0]
    for key in ("chair", "vice", "sw", "med", "pe", "sw2"):
        panel.set_attendance(db, clerk, sitting, ids[key], "present")
    item = papers_received(db, clerk, panel.add_item(db, clerk, sitting, panel.ItemInput("approval", "ADP-700", "C.D.")),
                           day)
    away = panel.record_item_absence(db, clerk, item, ids["sw2"], "left_before")
    panel.save_minutes(db, clerk, item, panel.MinutesDraft(
        outcome="suitable", reasons="Thorough assessment.", discussion="Questions answered.", vote="unanimous",
        member_views={ids[k]: "Agrees." for k in ("chair", "vice", "sw", "med", "pe")}))
    panel.submit_minutes(db, clerk, item, today=today)
    return Sent(clerk, chair, ids, sitting, item, away, today)


def _paused_beside_the_approval(monkeypatch: pytest.MonkeyPatch, check: str, change: Any, sent: Sent,
                                db: Database, *, module: Any = None,
                                shown_version: int | None = None) -> dict[str, str]:
    """Run ``change()`` in one session, paused just after ``<module>.<check>`` passed (``attendance`` by
    default), while the chair approves the item in another (``shown_version``: the minutes' version the
    chair's screen showed); each one's outcome ("ok" or the refusal)."""
    import time

    from adoption_desktop.panel.service import attendance

    module = module or attendance
    checked, go = threading.Event(), threading.Event()
    real_check = getattr(module, check)

    def check_then_pause(*args: Any, **kw: Any) -> None:
        real_check(*args, **kw)
        checked.set()
        go.wait(10)

    monkeypatch.setattr(module, check, check_then_pause)
    outcome: dict[str, str] = {}

    def act(who: str, fn: Any) -> None:
        try:
            fn()
            outcome[who] = "ok"
        except Exception as exc:  # an AppError is the expected refusal; anything else fails the caller
            outcome[who] = f"{type(exc).__name__}: {exc}"

    changing = threading.Thread(target=act, args=("change", change))
    approving = threading.Thread(target=act, args=("approve", lambda: panel.approve_minutes(
        db, sent.chair, sent.item, TEST_PASSWORD, today=sent.today, expected_version=shown_version)))
    changing.start()
    assert checked.wait(20)
    approving.start()
    time.sleep(2)  # time for the approval to commit, if nothing makes it wait for the change
    go.set()
    changing.join(60)
    approving.join(60)
    assert sorted(outcome) == ["approve", "change"], outcome
    return outcome


def test_marking_a_member_present_again_while_the_chair_approves_never_both_happen(
        shared: Shared, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review: on PostgreSQL "Mark present again" checked that the minutes were not approved without
    locking the item, so a chair approving in between approved the quorum without the member and the
    record was then removed: approved minutes contradicted by the data. Two sessions, the removal paused
    just after its check while the chair approves: one of them happens, and what is stored agrees."""
    db = shared.db
    sent = _minutes_with_the_chair(db)
    outcome = _paused_beside_the_approval(
        monkeypatch, "_check_open", lambda: panel.remove_item_absence(db, sent.clerk, sent.away), sent, db)
    assert list(outcome.values()).count("ok") == 1, outcome
    with db.session(write=False) as session:
        approved = session.scalar(select(func.count()).select_from(PanelMinutes).where(
            PanelMinutes.item_id == sent.item, PanelMinutes.status == "approved"))
        recorded = session.scalar(select(func.count()).select_from(PanelItemAbsence).where(
            PanelItemAbsence.item_id == sent.item))
    if outcome["approve"] == "ok":  # approved first: the record stays, and the clerk is told why
        assert approved == 1 and recorded == 1 and "approved" in outcome["change"], outcome
    else:  # removed first: the chair is refused (the member now counts and has no view)
        assert approved == 0 and recorded == 0 and outcome["approve"].startswith(("ValidationError", "Conflict")), \
            outcome


def test_attendance_changed_while_the_chair_approves_stays_as_the_approved_minutes_say(
        shared: Shared, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review: attendance is refused once minutes of the sitting are approved; with two sessions, a mark
    that passed that check just before the chair approved must not land after the approval. The vice
    chair is marked absent beside the approval: whichever comes first, the approved quorum statement is
    what the attendance then stored says."""
    db = shared.db
    sent = _minutes_with_the_chair(db)
    outcome = _paused_beside_the_approval(
        monkeypatch, "check_attendance_open",
        lambda: panel.set_attendance(db, sent.clerk, sent.sitting, sent.ids["vice"], "absent"), sent, db)
    live = panel.item_quorum(db, sent.clerk, sent.item)
    approved = [m for m in panel.minutes_history(db, sent.clerk, sent.item) if m.status == "approved"]
    if outcome["approve"] == "ok":  # whichever came first, the approved statement is the stored attendance's
        [m] = approved
        assert m.quorum_statement == f"Quorate: {live.counted} members count for this item.", (outcome, live)
    else:  # the mark came first and left the item inquorate: nothing approved
        assert not approved and not live.quorate, (outcome, live)


def test_a_declaration_added_while_the_chair_approves_stays_as_the_approved_minutes_say(
        shared: Shared, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review: a declaration (the member withdrew) takes the member out of the item's quorum, and it was
    checked against the current minutes only, without the item's lock. The medical adviser's declaration
    is recorded beside the chair's approval, paused just after its check: one of them happens, and the
    approved quorum statement is always what the stored declarations give."""
    db = shared.db
    sent = _minutes_with_the_chair(db)
    outcome = _paused_beside_the_approval(
        monkeypatch, "_check_open", lambda: panel.declare_interest(
            db, sent.clerk, sent.item, sent.ids["med"], "GP to one of the applicants", True), sent, db)
    assert list(outcome.values()).count("ok") == 1, outcome
    live = panel.item_quorum(db, sent.clerk, sent.item)
    approved = [m for m in panel.minutes_history(db, sent.clerk, sent.item) if m.status == "approved"]
    with db.session(write=False) as session:
        declared = session.scalar(select(func.count()).select_from(PanelDeclaration).where(
            PanelDeclaration.item_id == sent.item))
    if outcome["approve"] == "ok":  # approved first: nothing declared, the clerk is told why
        [m] = approved
        assert declared == 0 and "approved" in outcome["change"], outcome
        assert m.quorum_statement == live.summary == f"Quorate: {live.counted} members count for this item.", \
            (outcome, live)
    else:  # declared first: the chair is refused (the minutes still carry the withdrawn member's view)
        assert not approved and declared == 1 and live.counted == 4, (outcome, live)
        assert outcome["approve"].startswith(("ValidationError", "Conflict")), outcome


def test_minutes_changed_and_sent_again_while_the_chair_approves_are_never_approved_unseen(
        shared: Shared, monkeypatch: pytest.MonkeyPatch) -> None:
    """Trial: the chair opened the minutes; the panel administrator changed the reasons and sent them
    again while the chair typed the password, and the chair approved (and handed to the ADM) a sentence
    never shown. The chair loads version N; the administrator's save lands, and sending again is paused
    just after its check (the item locked) while the chair approves in another session: the approval
    waits, then is refused naming who changed them; nothing is approved, no decision opened."""
    from adoption_desktop.panel.service import minutes as minutes_service

    db = shared.db
    sent = _minutes_with_the_chair(db)
    [shown] = [m for m in panel.minutes_history(db, sent.chair, sent.item) if m.status == "submitted"]
    unseen = "Thorough assessment. The applicants also withdrew their earlier complaint."

    def change_and_send_again() -> None:
        panel.save_minutes(db, sent.clerk, sent.item, dataclasses.replace(shown.draft, reasons=unseen),
                           expected_version=shown.row_version)
        panel.submit_minutes(db, sent.clerk, sent.item, today=sent.today)

    outcome = _paused_beside_the_approval(monkeypatch, "_complete", change_and_send_again, sent, db,
                                          module=minutes_service, shown_version=shown.row_version)
    assert outcome["change"] == "ok", outcome
    assert outcome["approve"].startswith("StaleRecord: These minutes were changed by "
                                         f"{sent.clerk.full_name} at "), outcome
    assert "read them again before approving" in outcome["approve"], outcome
    [now] = panel.minutes_history(db, sent.chair, sent.item)
    assert now.status == "submitted" and now.draft.reasons == unseen and now.handed_off_on is None
    # read again (the version now shown), the chair approves what they read
    row = panel.approve_minutes(db, sent.chair, sent.item, TEST_PASSWORD, today=sent.today,
                                expected_version=now.row_version)
    assert row.status == "approved" and row.draft.reasons == unseen


def test_one_letterbox_outcome_wins(shared: Shared) -> None:
    db = shared.db
    users = {"a": make_user(db, "lb_one", Role.LETTERBOX_COORDINATOR),
             "b": make_user(db, "lb_two", Role.LETTERBOX_COORDINATOR)}
    arrangement = lb.create_arrangement(db, users["a"], sample_input())
    items = [lb.log_item(db, users["a"], arrangement, direction=lb_rules.TO_BIRTH, received_on=dt.date(2025, 12, 1),
                         log_again=True)
             for _ in range(6)]
    choice = {"a": ("returned", "Please leave out the school's name."), "b": ("held", "")}
    rounds = {who: [{"user": u, "id": i, "outcome": choice[who][0], "reason": choice[who][1], "day": DAY}
                    for i in items] for who, u in users.items()}
    results = race(shared, "outcome", rounds["a"], rounds["b"])
    for i, r in zip(items, results, strict=True):
        winner, _loser, message = one_winner(r)
        assert users[winner].full_name in message
        assert lb.get_item(db, users["a"], i).status == choice[winner][0]


def test_one_outcome_wins_when_both_were_checked_first(shared: Shared) -> None:
    """The item dialog checks an outcome (``check_only``) before asking "an outcome is final", then records
    it: two people who both passed the check at the same moment still record exactly one outcome."""
    db = shared.db
    users = {"a": make_user(db, "lbq_one", Role.LETTERBOX_COORDINATOR),
             "b": make_user(db, "lbq_two", Role.LETTERBOX_COORDINATOR)}
    arrangement = lb.create_arrangement(db, users["a"], sample_input())
    items = [lb.log_item(db, users["a"], arrangement, direction=lb_rules.TO_BIRTH, received_on=dt.date(2025, 12, 1),
                         log_again=True)
             for _ in range(6)]
    versions = {i: lb.get_item(db, users["a"], i).row_version for i in items}
    choice = {"a": ("returned", "Please leave out the school's name."), "b": ("held", "")}
    rounds = {who: [{"user": u, "id": i, "outcome": choice[who][0], "reason": choice[who][1], "day": DAY,
                     "version": versions[i]} for i in items] for who, u in users.items()}
    results = race(shared, "outcome_confirmed", rounds["a"], rounds["b"])
    for i, r in zip(items, results, strict=True):
        winner, _loser, _message = one_winner(r)
        detail = lb.get_item(db, users["a"], i)
        assert detail.status == choice[winner][0]
        assert [e.action for e in detail.history].count(choice[winner][0]) == 1


def test_two_coordinators_rewording_one_return_reason_leave_one(shared: Shared) -> None:
    """Two coordinators reword the reason of the same returned item at the same moment, each from the
    version they loaded: one rewording per item is saved, the other is refused naming who saved (never
    silently overwritten)."""
    db = shared.db
    users = {"a": make_user(db, "lbr_one", Role.LETTERBOX_COORDINATOR),
             "b": make_user(db, "lbr_two", Role.LETTERBOX_COORDINATOR)}
    arrangement = lb.create_arrangement(db, users["a"], sample_input())
    items = []
    for _ in range(4):
        item = lb.log_item(db, users["a"], arrangement, direction=lb_rules.TO_BIRTH,
                           received_on=dt.date(2025, 12, 1), log_again=True)
        lb.record_outcome(db, users["a"], item, "returned", DAY, reason="Please leave out the school.")
        items.append(item)
    versions = {i: lb.get_item(db, users["a"], i).row_version for i in items}
    words = {"a": "Please leave out the name of the school.", "b": "Please do not name the school."}
    rounds = {who: [{"user": u, "id": i, "reason": words[who], "version": versions[i]} for i in items]
              for who, u in users.items()}
    results = race(shared, "reword_reason", rounds["a"], rounds["b"])
    for i, r in zip(items, results, strict=True):
        winner, loser, message = one_winner(r)
        assert r[loser][0] == "StaleRecord" and users[winner].full_name in message
        detail = lb.get_item(db, users["a"], i)
        assert detail.reason == words[winner]
        assert [e.action for e in detail.history].count("reason_reworded") == 1


def test_two_coordinators_screening_one_item_leave_one_screening(shared: Shared) -> None:
    """Two coordinators press Screen text on the same item at the same moment, each from the version they
    were shown (team-mode trial: the second silently replaced the first's text and findings): one
    screening per item is kept, the other is refused naming who screened it."""
    db = shared.db
    users = {"a": make_user(db, "lbs_one", Role.LETTERBOX_COORDINATOR),
             "b": make_user(db, "lbs_two", Role.LETTERBOX_COORDINATOR)}
    arrangement = lb.create_arrangement(db, users["a"], sample_input())
    items = [lb.log_item(db, users["a"], arrangement, direction=lb_rules.TO_BIRTH, received_on=dt.date(2025, 12, 1),
                         log_again=True)
             for _ in range(4)]
    versions = {i: lb.get_item(db, users["a"], i).row_version for i in items}
    words = {"a": "We go to Kestrel Vale Primary now.", "b": "Happy birthday, love from us all."}
    rounds = {who: [{"user": u, "id": i, "text": words[who], "version": versions[i]} for i in items]
              for who, u in users.items()}
    results = race(shared, "screen_item", rounds["a"], rounds["b"])
    for i, r in zip(items, results, strict=True):
        winner, loser, message = one_winner(r)
        assert r[loser][0] == "StaleRecord" and users[winner].full_name in message
        detail = lb.get_item(db, users["a"], i)
        assert detail.text == words[winner] and detail.screened_by == users[winner].username
        assert [e.action for e in detail.history].count("screened") == 1


def test_two_exports_onto_one_file_leave_one_whole_batch(shared: Shared, tmp_path: Path) -> None:
    """Two people export the same month's reminders to the same file at once: each is recorded with its
    own audit entry (the first as sent, the others as reprints), and the file is one whole batch (never a mix, never cut short, no temporary file
    left beside it)."""
    from pypdf import PdfReader

    db = shared.db
    users = {"a": make_user(db, "lbx_one", Role.LETTERBOX_COORDINATOR),
             "b": make_user(db, "lbx_two", Role.LETTERBOX_COORDINATOR)}
    for n in range(12):
        lb.create_arrangement(db, users["a"], sample_input(f"LB-{n:04d}"))
    out_dir = tmp_path / "letters"
    out_dir.mkdir()
    out = out_dir / "reminders.pdf"
    rounds = {who: [{"user": u, "out": str(out), "month": "2026-03", "day": dt.date(2026, 2, 14)}
                    for _ in range(3)] for who, u in users.items()}
    results = race(shared, "reminders", rounds["a"], rounds["b"])
    assert all(kind == "ok" for r in results for kind, _ in r.values()), results
    assert [p.name for p in out_dir.iterdir()] == ["reminders.pdf"]
    pages = PdfReader(str(out)).pages
    texts = [p.extract_text() or "" for p in pages]
    refs = sorted({f"LB-{n:04d}" for n in range(12) for t in texts if f"LB-{n:04d}" in t})
    assert refs == [f"LB-{n:04d}" for n in range(12)]
    with db.session(write=False) as session:
        entries = session.execute(select(AuditEntry.action, AuditEntry.entity_id).where(
            AuditEntry.action.in_(["letterbox_letters_sent", "letterbox_letters_reprinted"]))).all()
    # each export has its own entry; the month's reminders are recorded as sent once, the later exports are
    # reprints (the writes queue: the first to record is the one that sent them)
    assert len(entries) == 6 and len({batch for _action, batch in entries}) == 6
    assert sorted(action for action, _batch in entries) == ["letterbox_letters_reprinted"] * 5 + [
        "letterbox_letters_sent"]


def test_a_stale_arrangement_form_never_deletes_a_protected_term(shared: Shared) -> None:
    db = shared.db
    users = {"a": make_user(db, "lbc_one", Role.LETTERBOX_COORDINATOR),
             "b": make_user(db, "lbc_two", Role.LETTERBOX_COORDINATOR)}
    ids = [lb.create_arrangement(db, users["a"], sample_input(f"LB-{n:04d}")) for n in range(4)]
    details = {i: lb.get_arrangement(db, users["a"], i) for i in ids}
    new_term = TermData("Larkspur Academy", "school")
    rounds = {
        "a": [{"user": users["a"], "id": i, "version": d.row_version,
               "data": dataclasses.replace(d.data, protected=(*d.data.protected, new_term))}
              for i, d in details.items()],
        "b": [{"user": users["b"], "id": i, "version": d.row_version,
               "data": dataclasses.replace(d.data, notes="Birth mother phoned about the spring letter.")}
              for i, d in details.items()]}
    results = race(shared, "arrangement", rounds["a"], rounds["b"])
    for i, r in zip(ids, results, strict=True):
        winner, loser, message = one_winner(r)
        assert r[loser][0] == "StaleRecord" and users[winner].full_name in message
        saved = lb.get_arrangement(db, users["a"], i).data
        terms = [t.term for t in saved.protected]
        if winner == "a":
            assert "Larkspur Academy" in terms and saved.notes == details[i].data.notes
        else:
            assert "Larkspur Academy" not in terms and saved.notes.startswith("Birth mother phoned")


def test_a_stale_support_referral_save_is_refused(shared: Shared) -> None:
    """Two coordinators save the same birth-parent support referrals at the same moment, each from the
    version they loaded: one save per referral wins, the other is refused naming who saved."""
    from adoption_desktop.letterbox import support

    db = shared.db
    users = {"a": make_user(db, "sr_one", Role.LETTERBOX_COORDINATOR),
             "b": make_user(db, "sr_two", Role.LETTERBOX_COORDINATOR)}
    loaded = [support.add_referral(db, users["a"], support.ReferralInput(
        f"BR-{n:04d}", initials="TQ", relationship="Birth mother", referred_on=dt.date(2025, 11, 20),
        service="Independent birth-parent support service"), today=DAY) for n in range(4)]

    def edited(v: support.ReferralView, **changes: Any) -> support.ReferralInput:
        return dataclasses.replace(support.ReferralInput(**{f: getattr(v, f) for f in support.INPUT_FIELDS}),
                                   **changes)

    rounds = {
        "a": [{"user": users["a"], "id": v.id, "version": v.row_version,
               "data": edited(v, offered_on=dt.date(2025, 11, 27))} for v in loaded],
        "b": [{"user": users["b"], "id": v.id, "version": v.row_version,
               "data": edited(v, notes="Left a message with the service on Friday.")} for v in loaded]}
    results = race(shared, "referral", rounds["a"], rounds["b"])
    for v, r in zip(loaded, results, strict=True):
        winner, loser, message = one_winner(r)
        assert r[loser][0] == "StaleRecord" and users[winner].full_name in message
        saved = support.get_referral(db, users["a"], v.id)
        assert saved.row_version == v.row_version + 1
        if winner == "a":
            assert saved.offered_on == dt.date(2025, 11, 27) and saved.notes == ""
        else:
            assert saved.offered_on is None and saved.notes.startswith("Left a message")


def test_a_stale_counselling_referral_save_is_refused_and_its_warning_recorded_once(shared: Shared) -> None:
    """Two counsellors save the same referrals at once, each from the version they loaded: one enters the
    adoption order date from the court (1961), the other answers Yes to "adopted before 12 November 1975?".
    Either makes the interview required for records already shared without one. One save per case wins,
    the other is refused naming who saved, and the warning is audited once per case, by the winner."""
    from adoption_desktop.counselling import service as counselling
    from tests.counselling.conftest import records_received, referral

    db = shared.db
    users = {"a": make_user(db, "cr_one", Role.COUNSELLOR), "b": make_user(db, "cr_two", Role.COUNSELLOR)}
    today = dt.date(2026, 11, 23)
    base = referral(adoption_order_date=None, adopted_before_1975=False, date_of_birth=dt.date(1960, 3, 4))
    loaded = []
    for n in range(4):
        case_id = counselling.create_referral(db, users["a"], dataclasses.replace(base, current_name=f"Amy Lark {n}"),
                                              today=today)
        records_received(db, users["a"], case_id)  # a check and a sharing need records received first
        counselling.add_redaction(db, users["a"], case_id, "Agency file", dt.date(2026, 11, 9), "")
        counselling.record_disclosure(db, users["a"], case_id, dt.date(2026, 11, 10), "Amy Lark", "Redacted file",
                                      "in person", records_shared=True, today=today)
        loaded.append(counselling.open_case(db, users["a"], case_id, today=today))
    changes = {"a": {"adoption_order_date": dt.date(1961, 1, 10), "adopted_before_1975": None},
               "b": {"adopted_before_1975": True}}
    rounds = {who: [{"user": users[who], "id": c.id, "version": c.row_version, "day": today,
                     "data": dataclasses.replace(c.referral, **changes[who])} for c in loaded]
              for who in ("a", "b")}
    results = race(shared, "counselling_referral", rounds["a"], rounds["b"])
    for c, r in zip(loaded, results, strict=True):
        winner, loser, message = one_winner(r)
        assert r[loser][0] == "StaleRecord" and users[winner].full_name in message
        saved = counselling.open_case(db, users["a"], c.id, today=today)
        assert saved.row_version == c.row_version + 1
        assert (saved.referral.adoption_order_date, saved.referral.adopted_before_1975) == (
            (dt.date(1961, 1, 10), None) if winner == "a" else (None, True))
        assert saved.shared_without_interview == (dt.date(2026, 11, 10),)
        with db.session(write=False) as session:
            warnings = session.scalars(select(AuditEntry).where(
                AuditEntry.action == "warning", AuditEntry.entity_id == str(c.id))).all()
        assert len(warnings) == 1 and "before any counselling interview" in warnings[0].detail


def test_two_counsellors_recording_the_checks_at_once_never_lose_a_note(shared: Shared) -> None:
    """User trial: two counsellors recorded the register and veto checks on one case at once, both were told
    "Checks recorded." and the second note silently replaced the first (a "no-contact" register entry could be
    lost). Each saves from the version they loaded: one per case wins, the other is refused naming who saved,
    with the note now stored among the values the conflict shows."""
    from adoption_desktop.counselling import service as counselling
    from tests.counselling.conftest import referral

    db = shared.db
    users = {"a": make_user(db, "ck_one", Role.COUNSELLOR), "b": make_user(db, "ck_two", Role.COUNSELLOR)}
    today = dt.date(2026, 11, 23)
    loaded = [counselling.open_case(db, users["a"], counselling.create_referral(
        db, users["a"], dataclasses.replace(referral(), current_name=f"Amy Lark {n}"), today=today), today=today)
        for n in range(4)]
    notes = {"a": "Register: birth mother asked for no contact (entry of 2019).", "b": "Nothing on the register."}
    rounds = {who: [{"user": users[who], "id": c.id, "version": c.row_version, "day": today, "note": notes[who]}
                    for c in loaded] for who in ("a", "b")}
    results = race(shared, "counselling_checks", rounds["a"], rounds["b"])
    for c, r in zip(loaded, results, strict=True):
        winner, loser, message = one_winner(r)
        assert r[loser][0] == "StaleRecord" and users[winner].full_name in message
        saved = counselling.open_case(db, users["a"], c.id, today=today)
        assert saved.row_version == c.row_version + 1 and saved.acr_note == notes[winner]
    with pytest.raises(StaleRecord) as refused:  # what the loser's conflict dialog is given: the stored note
        counselling.record_checks(db, users["b"], loaded[0].id, acr_checked_on=today, acr_note="mine",
                                  today=today, expected_version=loaded[0].row_version)
    assert refused.value.saved_values["ACR note"] in notes.values()
    assert refused.value.saved_values["Adoption Contact Register checked"] == f"{today:%d/%m/%Y}"


def test_two_counsellors_recording_one_receipt_at_once_record_it_once(shared: Shared) -> None:
    """The receipt of requested records is a state change: of two counsellors recording it at once one
    does; the other is told who recorded it (it was silently replaced: its date, format and pages)."""
    from adoption_desktop.counselling import service as counselling
    from tests.counselling.conftest import referral

    db = shared.db
    users = {"a": make_user(db, "rc_one", Role.COUNSELLOR), "b": make_user(db, "rc_two", Role.COUNSELLOR)}
    today = dt.date(2026, 11, 23)
    case_id = counselling.create_referral(db, users["a"], referral(), today=today)
    requests = [counselling.add_request(db, users["a"], case_id, counselling.RequestInput(
        "court", f"Court {n}", dt.date(2026, 11, 2)), today=today) for n in range(4)]
    rounds = {who: [{"user": users[who], "id": rid, "day": today, "format": fmt, "pages": pages}
                    for rid in requests] for who, fmt, pages in (("a", "paper", 10), ("b", "electronic", 99))}
    results = race(shared, "counselling_receipt", rounds["a"], rounds["b"])
    for rid, r in zip(requests, results, strict=True):
        winner, loser, message = one_winner(r)
        assert r[loser][0] == "Conflict" and users[winner].full_name in message and "received" in message
        row = next(q for q in counselling.open_case(db, users["a"], case_id, today=today).requests if q.id == rid)
        assert (row.record_format, row.pages) == (rounds[winner][0]["format"], rounds[winner][0]["pages"])


def test_two_administrators_changing_each_other_at_once_leave_one(shared: Shared) -> None:
    """Review: on PostgreSQL, B taking A's administrator role while A disabled B left no enabled
    administrator (each passed its check before the other committed). B's account is held here until both
    changes have begun, so each starts before the other ends: one wins, the other is refused because its
    author is no longer an administrator."""
    import time

    from adoption_desktop.core.errors import PermissionDenied
    from adoption_desktop.core.security import service as security
    from adoption_desktop.core.storage.engine import AccountChanged

    db = shared.db
    a = make_user(db, "adm_a", Role.ADMINISTRATOR)
    b = make_user(db, "adm_b", Role.ADMINISTRATOR)
    done: list[list[dict[str, tuple[str, str]]]] = []
    racing = threading.Thread(target=lambda: done.append(race(
        shared, "admin_change", [{"user": a, "id": b.user_id, "action": "disable"}],
        [{"user": b, "id": a.user_id, "action": "take_admin_role"}])))
    with db.session() as session:  # B's row (the whole file on SQLite) held while both processes start
        session.execute(select(User.id).where(User.id == b.user_id).with_for_update()).all()
        racing.start()
        time.sleep(4)
    racing.join(timeout=300)
    [r] = done[0]
    oks = [who for who, (kind, _) in r.items() if kind == "ok"]
    assert len(oks) == 1, r
    loser = "b" if oks == ["a"] else "a"
    assert r[loser][0] in (PermissionDenied.__name__, AccountChanged.__name__), r  # its author refused
    accounts = {u.username: u for u in security.list_users(db, SYSTEM_PRINCIPAL)}
    assert any(not accounts[u].disabled and Role.ADMINISTRATOR in accounts[u].roles for u in ("adm_a", "adm_b"))


def test_a_stale_adopter_household_save_is_refused(shared: Shared) -> None:
    """The same for the adopters' journey: two panel administrators date the same households' stages."""
    from adoption_desktop.journey import adopters
    from adoption_desktop.journey.service import AdopterStages

    db = shared.db
    users = {"a": make_user(db, "hh_one", Role.PANEL_ADMINISTRATOR),
             "b": make_user(db, "hh_two", Role.PANEL_ADMINISTRATOR)}
    loaded = [adopters.add_household(db, users["a"], AdopterStages(f"HH-{n:04d}", dt.date(2025, 6, 2)), today=DAY)
              for n in range(4)]
    rounds = {
        who: [{"user": u, "id": h.id, "version": h.row_version,
               "data": AdopterStages(h.reference, h.registered_on, dt.date(2025, 8, 1 if who == "a" else 15))}
              for h in loaded] for who, u in users.items()}
    results = race(shared, "household", rounds["a"], rounds["b"])
    for h, r in zip(loaded, results, strict=True):
        winner, loser, message = one_winner(r)
        assert r[loser][0] == "StaleRecord" and users[winner].full_name in message
        saved = adopters.get_household(db, users["a"], h.id)
        assert saved.stage1_completed_on == dt.date(2025, 8, 1 if winner == "a" else 15)
        assert saved.row_version == h.row_version + 1


def test_stale_record_carries_the_saved_version_and_values(db: Database) -> None:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    item = _panel_item(db, clerk, 0)
    first = panel.save_minutes(db, clerk, item, panel.MinutesDraft(discussion="Mine."), expected_version=1)
    with pytest.raises(StaleRecord) as caught:
        panel.save_minutes(db, clerk, item, panel.MinutesDraft(discussion="Old form."), expected_version=1)
    err = caught.value
    assert err.saved_version == first.row_version == 2 and err.your_version == 1
    assert err.saved_values["Discussion"] == "Mine." and err.saved_by == clerk.full_name
    # re-applying on top of the saved version is accepted
    again = panel.save_minutes(db, clerk, item, panel.MinutesDraft(discussion="Old form."),
                               expected_version=err.saved_version)
    assert again.draft.discussion == "Old form." and again.row_version == 3


def test_one_person_signing_in_on_two_pcs_at_once_leaves_the_account_sealed(shared: Shared) -> None:
    """Concurrency probe, 2026-12-04: in team mode two sign-ins of one account at the same moment left its
    row reported "changed outside the application" by ``verify``, for good. Each compared the row with its
    latest seal before sealing its bookkeeping; a colleague's commit landed between the row read and the
    seal read (the old row against the new seal), so the row was taken as tampered and left unsealed. The
    rows are now locked as they are compared (PostgreSQL)."""
    from adoption_desktop.core.storage.lifecycle import verify_database

    make_user(shared.db, "twice", Role.COUNSELLOR)
    rounds = [{"username": "twice", "password": TEST_PASSWORD} for _ in range(20)]
    results = race(shared, "sign_in", rounds, rounds)
    assert all(kind == "ok" for r in results for kind, _ in r.values()), results
    report = verify_database(shared.db)
    assert report.ok, report


def test_parallel_wrong_passwords_lock_the_account_sqlcipher(shared: Shared) -> None:
    if shared.key_hex is None:
        pytest.skip("PostgreSQL: see the twelve-client test")
    db = shared.db
    make_user(db, "victim", Role.COUNSELLOR)
    with db.session(write=False) as session:
        limit = get_setting(session, LOCKOUT_ATTEMPTS)
    rounds = [{"username": "victim"} for _ in range(6)]
    results = race(shared, "wrong_password", rounds, rounds)
    kinds = [kind for r in results for kind, _ in r.values()]
    # the wrong passwords before the limit say "not right"; the one that locks it, and those after, say locked
    assert kinds.count("SignInError") >= limit - 1 and "AccountLocked" in kinds
    with pytest.raises(AccountLocked):
        authenticate(db, "victim", TEST_PASSWORD)


def test_twelve_clients_with_wrong_passwords_lock_the_account_postgresql(postgres_server: Any) -> None:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    for db in postgres_server.fresh_database():
        _twelve_wrong_passwords(db)


def _twelve_wrong_passwords(db: Database) -> None:
    make_user(db, "victim", Role.COUNSELLOR)
    barrier = threading.Barrier(12)
    errors: list[str] = []

    def attempt() -> None:
        barrier.wait(timeout=60)
        try:
            authenticate(db, "victim", "not-the-password")
        except Exception as exc:
            errors.append(type(exc).__name__)

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    with db.session(write=False) as session:
        limit = get_setting(session, LOCKOUT_ATTEMPTS)
        user = session.scalars(select(User).where(User.username == "victim")).one()
        assert user.locked_until is not None
        fails = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "sign_in_failed"))
        refused = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "sign_in_refused"))
    # writers take turns from the start of their transaction, as on SQLite (BEGIN IMMEDIATE): the
    # attempts after the one that locked the account are told it is locked, and the refusal is audited
    # (before, all twelve had read it unlocked at once and each was counted as a wrong password); the attempt
    # that locked it says so too
    assert sorted(errors) == ["AccountLocked"] * (12 - limit + 1) + ["SignInError"] * (limit - 1)
    assert fails == limit and refused >= 1
    with pytest.raises(AccountLocked):
        authenticate(db, "victim", TEST_PASSWORD)


def test_presence_lease_is_shown_renewed_and_expires(shared: Shared) -> None:
    from tests.concurrency_worker import open_target

    db = shared.db
    ann = make_user(db, "ann", Role.COUNSELLOR)
    bob = make_user(db, "bob", Role.COUNSELLOR)
    other = open_target(shared.target, shared.key_hex)  # a second client with its own engine
    try:
        start = dt.datetime(2026, 12, 1, 14, 2)
        lease = presence.acquire(db, ann, "counselling_cases", 7, now=start)
        seen = presence.who_is_editing(other, bob, "counselling_cases", 7, now=start + dt.timedelta(seconds=30))
        assert [e.name for e in seen] == [ann.full_name]
        assert presence.banner_text(seen).startswith(f"Being edited by {ann.full_name} since ")
        # Ann's own second window (or a program of hers that stopped): "you", never her own name
        mine_too = presence.who_is_editing(db, ann, "counselling_cases", 7, now=start + dt.timedelta(seconds=30))
        assert presence.banner_text(mine_too, me=ann.user_id).startswith("Being edited by you in another window")
        assert presence.who_is_editing(db, ann, "counselling_cases", 7, now=start, mine=lease) == []
        assert presence.who_is_editing(other, bob, "counselling_cases", 8, now=start) == []
        later = start + dt.timedelta(seconds=presence.LEASE_SECONDS - 10)
        presence.renew(db, ann, lease, now=later)
        assert presence.who_is_editing(other, bob, "counselling_cases", 7,
                                       now=start + dt.timedelta(seconds=presence.LEASE_SECONDS + 30))
        # the PC crashes: nobody renews; the lease lapses and nothing is left behind
        gone = later + dt.timedelta(seconds=presence.LEASE_SECONDS + 1)
        assert presence.who_is_editing(other, bob, "counselling_cases", 7, now=gone) == []
        mine = presence.acquire(other, bob, "counselling_cases", 7, now=gone)
        presence.release(other, bob, mine)
        assert presence.who_is_editing(db, ann, "counselling_cases", 7, now=gone) == []
    finally:
        other.engine.dispose()


def test_a_user_disabled_from_another_process_is_refused_and_audited_here(shared: Shared) -> None:
    """An administrator on another PC (another process) disables a coordinator who is signed in here: the
    coordinator's next action here is refused and leaves one ``refused`` entry under their name, naming it;
    trying again adds none."""
    from adoption_desktop.core.audit import verify_chain
    from adoption_desktop.core.errors import PermissionDenied
    from adoption_desktop.letterbox.service import ItemFilter, list_items

    db = shared.db
    admin = make_user(db, "adm_far", Role.ADMINISTRATOR)
    make_user(db, "coord_here", Role.LETTERBOX_COORDINATOR)
    coordinator = authenticate(db, "coord_here", TEST_PASSWORD)  # signed in here: refusals are audited
    assert list_items(db, coordinator, ItemFilter()) is not None
    ctx = worker_context()
    barrier, results = ctx.Barrier(1), ctx.Queue()
    far = process(ctx, shared.target, shared.key_hex, "admin_change",
                  [{"user": admin, "id": coordinator.user_id, "action": "disable"}], barrier, results, "far")
    far.start()
    assert results.get(timeout=300)[2] == "ok"
    far.join(timeout=60)
    for _ in range(2):
        with pytest.raises(PermissionDenied, match="disabled"):
            list_items(db, coordinator, ItemFilter())
    with db.session(write=False) as s:
        refused = [(e.actor_id, e.detail) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.action == "refused").order_by(AuditEntry.seq))]
        assert verify_chain(s) is None
    assert refused == [(coordinator.user_id, "adoption_desktop.letterbox.service.item_register.list_items: "
                                             "the account is disabled or no longer exists")]


def test_a_notice_made_again_while_recorded_as_sent_ends_one_way(shared: Shared) -> None:
    """A QD notice made again while a colleague records it as sent: one whole action before the other, never
    a replaced notice recorded as sent (4 December review)."""
    from adoption_desktop.adm.models import AdmLetter
    from tests.adm.test_qd_clock import proposal

    db = shared.db
    adm_a = make_user(db, "adm_again", Role.AGENCY_DECISION_MAKER)
    adm_b = make_user(db, "adm_sent", Role.AGENCY_DECISION_MAKER)
    letters = [proposal(db, adm_a).letter_id for _ in range(5)]
    day = dt.date(2025, 12, 4)
    results = race_ops(shared, ("reissue_notice", [{"user": adm_a, "id": i, "day": day} for i in letters]),
                       ("notice_sent", [{"user": adm_b, "id": i, "day": day} for i in letters]))
    with db.session(write=False) as s:
        for letter_id, r in zip(letters, results, strict=True):
            old = s.get(AdmLetter, letter_id)
            assert old is not None
            newer = list(s.scalars(select(AdmLetter).where(AdmLetter.decision_id == old.decision_id,
                                                          AdmLetter.kind == "adm_qd_notice",
                                                          AdmLetter.id > letter_id)))
            assert [kind for kind, _m in r.values()].count("ok") == 1, r
            if r["a"][0] == "ok":  # made again first: the old letter is not sent, the new one waits
                assert old.sent_on is None and len(newer) == 1 and "replaced by the notice" in r["b"][1]
            else:  # recorded as sent first: nothing made again
                assert old.sent_on == day and newer == [] and "recorded as sent on 04/12/2025" in r["a"][1]


def test_a_sitting_moved_while_the_chair_approves_its_minutes_ends_one_way(shared: Shared) -> None:
    """A sitting moved while the chair approves its minutes: approved minutes are never dated by a sitting
    moved after the approval."""
    from adoption_desktop.panel import service as panel
    from adoption_desktop.panel.models import PanelMinutes, PanelSitting
    from tests.panel.conftest import MEMBERS, SITTING_DAY, TODAY, Panel
    from tests.panel.test_documents import _sitting_with_minutes

    db = shared.db
    clerk = make_user(db, "clerk2", Role.PANEL_ADMINISTRATOR)
    chair = make_user(db, "chair2", Role.PANEL_CHAIR)
    rounds_move, rounds_approve, items = [], [], []
    ids = {key: panel.add_member(db, clerk, panel.MemberInput(
        name, role, dt.date(2024, 1, 1), pqe, ind, user_id=chair.user_id if key == "chair" else None,
        appraisal_due=dt.date(2027, 6, 1), dbs_checked_on=dt.date(2025, 1, 1), training_on=dt.date(2026, 6, 1)), today=TODAY).id
        for key, (name, role, pqe, ind) in MEMBERS.items()}
    for n in range(3):
        sitting = panel.schedule_sittings(db, clerk, panel.SittingInput(
            SITTING_DAY - dt.timedelta(days=7 * n), "10:00", "13:00", "Room 2, Civic Centre"))[0]
        first = _sitting_with_minutes(Panel(db, clerk, chair, ids, sitting), approve=False)[0]
        panel.submit_minutes(db, clerk, first, today=TODAY)
        items.append(first)
        rounds_move.append({"user": clerk, "id": sitting, "day": SITTING_DAY - dt.timedelta(days=7 * n + 1),
                            "today": TODAY})
        rounds_approve.append({"user": chair, "id": first, "password": TEST_PASSWORD, "today": TODAY})
    results = race_ops(shared, ("move_sitting", rounds_move), ("approve_minutes", rounds_approve))
    with db.session(write=False) as s:
        for item, move, r in zip(items, rounds_move, results, strict=True):
            m = s.scalars(select(PanelMinutes).where(PanelMinutes.item_id == item)).one()
            sitting = s.get(PanelSitting, move["id"])
            assert sitting is not None
            if r["a"][0] != "ok":  # the approval came first: the move was refused, the date stands
                assert m.status == "approved" and "are approved and dated by it" in r["a"][1]
                assert sitting.moved_from is None
            else:  # moved first, then approved on the corrected date (or the approval refused for another
                # reason it names): never approved and then moved
                assert sitting.sitting_date == move["day"]
                assert r["b"][0] == "ok" or m.status != "approved", r


def test_changing_your_own_password_ends_your_session_in_another_process(shared: Shared) -> None:
    """Signed in on two PCs (two clients with their own engines): a password changed on one ends the
    session on the other, as an administrator's reset does (someone who learnt the old password is put
    out); the PC that made the change goes on. The other's next action is refused, audited under their
    name, and it must sign in again, with the new password."""
    from adoption_desktop.core.errors import PermissionDenied
    from adoption_desktop.core.security import service as users
    from adoption_desktop.letterbox.service import ItemFilter, list_items
    from tests.concurrency_worker import open_target

    db = shared.db
    make_user(db, "two_pcs", Role.LETTERBOX_COORDINATOR)
    other = open_target(shared.target, shared.key_hex)  # the second PC
    try:
        here = authenticate(db, "two_pcs", TEST_PASSWORD)
        there = authenticate(other, "two_pcs", TEST_PASSWORD)
        assert list_items(db, here, ItemFilter()) is not None
        assert list_items(other, there, ItemFilter()) is not None
        new = "another-quiet-lantern"
        here = users.change_own_password(db, here, TEST_PASSWORD, new)
        assert list_items(db, here, ItemFilter()) is not None  # the session making the change goes on
        said = "Your password was changed since you signed in"
        with pytest.raises(PermissionDenied, match=said):
            list_items(other, there, ItemFilter())
        with pytest.raises(users.LockedOut, match=said):  # nor can the idle lock be passed with the new one
            users.confirm_password(other, there, new)
        users.sign_out(other, there)
        with pytest.raises(users.SignInError, match="not right"):  # the old password is gone
            authenticate(other, "two_pcs", TEST_PASSWORD)
        there = authenticate(other, "two_pcs", new)  # signed in again
        assert list_items(other, there, ItemFilter()) is not None
        with db.session(write=False) as s:
            refused = [e.detail for e in s.scalars(select(AuditEntry).where(
                AuditEntry.action == "refused", AuditEntry.actor == "two_pcs"))]
        assert refused == ["adoption_desktop.letterbox.service.item_register.list_items: "
                           "the password was changed since signing in"]
    finally:
        other.engine.dispose()


def _locked_accounts(db: Database, n: int) -> list[Principal]:
    """``n`` counsellors, each locked out by wrong passwords (as five mistyped sign-ins leave them)."""
    with db.session(write=False) as session:
        limit = get_setting(session, LOCKOUT_ATTEMPTS)
    out = []
    for k in range(n):
        who = make_user(db, f"locked{k}", Role.COUNSELLOR)
        for _ in range(limit):
            with pytest.raises((AccountLocked, SignInError)):
                authenticate(db, who.username, "not-the-password")
        out.append(who)
    return out


def test_two_administrators_unlocking_one_account_at_once_record_one_unlock(shared: Shared) -> None:
    """Concurrency review, 6 December 2026: two administrators clicking Unlock on the same locked account at
    the same moment both recorded "Account unlocked" (the second read the account after the first had
    unlocked it, found nothing to unlock and recorded it anyway, "it was not locked"). The account's row is
    now taken first, as the sign-in's failure counting takes it, and an account with nothing to unlock is
    refused: exactly one unlock is recorded, and the other administrator is told who unlocked it."""
    from adoption_desktop.core.audit_service import verify

    db = shared.db
    admins = {"a": make_user(db, "admin_one", Role.ADMINISTRATOR),
              "b": make_user(db, "admin_two", Role.ADMINISTRATOR)}
    accounts = _locked_accounts(db, 3)
    rounds = {who: [{"user": u, "id": acc.user_id} for acc in accounts] for who, u in admins.items()}
    results = race(shared, "unlock", rounds["a"], rounds["b"])
    for acc, r in zip(accounts, results, strict=True):
        oks = [who for who, (kind, _) in r.items() if kind == "ok"]
        assert len(oks) == 1, r
        winner, loser = oks[0], "b" if oks == ["a"] else "a"
        kind, message = r[loser]
        assert kind == "AlreadyUnlocked", r
        assert message.startswith(f"The account of {acc.full_name} ({acc.username}) was already unlocked by "
                                  f"{admins[winner].full_name} at ")
        assert message.endswith("so nothing was changed. It can sign in now.")
        with db.session(write=False) as session:
            unlocks = session.scalars(select(AuditEntry).where(
                AuditEntry.action == "unlock", AuditEntry.entity_id == str(acc.user_id))).all()
        assert [(e.actor, e.detail.split("; ")[1][:20]) for e in unlocks] == [
            (admins[winner].username, "it was locked until ")]
        authenticate(db, acc.username, TEST_PASSWORD)  # and it is unlocked
    assert verify(db, SYSTEM_PRINCIPAL).ok


def test_an_unlock_beside_the_wrong_password_that_locks_the_account_records_what_it_found(shared: Shared) -> None:
    """An unlock racing the wrong password that locks the account: they go one after the other (the account's
    row is taken by both), so the unlock either clears the lock that attempt made ("it was locked until")
    or clears the failed attempts before it (and the attempt then counts one): never "it was not locked"
    beside a lock it left in place, never an account locked after an unlock that said it cleared it."""
    db = shared.db
    admin = make_user(db, "admin_one", Role.ADMINISTRATOR)
    with db.session(write=False) as session:
        limit = get_setting(session, LOCKOUT_ATTEMPTS)
    victims = []
    for k in range(3):
        v = make_user(db, f"nearly{k}", Role.COUNSELLOR)
        for _ in range(limit - 1):
            with pytest.raises(SignInError):
                authenticate(db, v.username, "not-the-password")
        victims.append(v)
    results = race_ops(shared, ("unlock", [{"user": admin, "id": v.user_id} for v in victims]),
                       ("wrong_password", [{"username": v.username} for v in victims]))
    for v, r in zip(victims, results, strict=True):
        assert r["a"][0] == "ok", r
        with db.session(write=False) as session:
            (detail,) = session.scalars(select(AuditEntry.detail).where(
                AuditEntry.action == "unlock", AuditEntry.entity_id == str(v.user_id))).all()
            user = session.get(User, v.user_id)
            assert user is not None
            if r["b"][0] == "AccountLocked":  # the wrong password came first and locked it: the unlock ended it
                assert "it was locked until " in detail and user.locked_until is None, (r, detail)
            else:  # the unlock came first: the attempts cleared, the wrong password then counted one
                assert r["b"][0] == "SignInError", r
                assert detail.endswith(f"it was not locked; {limit - 1} failed sign-in attempts cleared"), detail
                assert user.locked_until is None and user.failed_attempts == 1
        authenticate(db, v.username, TEST_PASSWORD)
