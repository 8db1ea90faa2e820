"""Team mode: write sessions take turns from their start, as ``BEGIN IMMEDIATE`` makes them on the embedded
store (multi-user trial, 5 December 2026). Before, the only wait on PostgreSQL was the audit head's row lock,
taken at a transaction's first flush; a check made before it (the name already on the central list, the
next case number, a reference in use) was passed by two PCs at once under READ COMMITTED, and both saved.

Two engines on one database on the throwaway server, as two PCs; the calls run at once in two threads, the
check widened by a pause after it passes (the gap it guards is real, only made certain)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service as counselling
from adoption_desktop.counselling.models import CounsellingCase
from adoption_desktop.letterbox import service as letterbox
from adoption_desktop.letterbox.models import Arrangement
from adoption_desktop.letterbox.service import arrangements
from adoption_desktop.panel import service as panel
from adoption_desktop.panel.models import PanelMember
from adoption_desktop.panel.service import members
from tests.conftest import make_user
from tests.counselling.conftest import referral
from tests.letterbox.conftest import sample_input

TODAY = dt.date(2026, 11, 23)


def at_once(*calls: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Each call in a thread of its own, all started together: ("ok", value) or (error name, message)."""
    out: list[tuple[str, Any]] = [("not run", None)] * len(calls)

    def run(k: int, call: Callable[[], Any]) -> None:
        try:
            out[k] = ("ok", call())
        except Exception as exc:  # what the person would be told
            out[k] = (type(exc).__name__, str(exc))

    threads = [threading.Thread(target=run, args=(k, c)) for k, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def pause_after(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, seconds: float = 0.5) -> None:
    real = getattr(module, name)

    def slow(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        time.sleep(seconds)
        return result

    monkeypatch.setattr(module, name, slow)


def _member(name: str, user_id: int | None = None) -> panel.MemberInput:
    return panel.MemberInput(name, "social_worker", dt.date(2024, 1, 1), 5, False, user_id=user_id,
                             appraisal_due=dt.date(2027, 6, 1), dbs_checked_on=dt.date(2025, 1, 1),
                             training_on=dt.date(2026, 6, 1))


def test_one_person_added_by_two_clerks_at_once_is_on_the_list_once(
        two_pcs: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch) -> None:
    one, two = two_pcs
    a = make_user(one, "clerk_a", Role.PANEL_ADMINISTRATOR)
    b = make_user(one, "clerk_b", Role.PANEL_ADMINISTRATOR)
    pause_after(monkeypatch, members, "_refuse_duplicate_name")
    results = at_once(lambda: panel.add_member(one, a, _member("Tara Dunmere"), today=TODAY).id,
                      lambda: panel.add_member(two, b, _member("Tara Dunmere"), today=TODAY).id)
    assert sorted(kind for kind, _ in results) == ["ValidationError", "ok"], results
    with one.session(write=False) as session:
        assert list(session.scalars(select(PanelMember.full_name))) == ["Tara Dunmere"]


def test_one_account_linked_to_two_members_at_once_is_linked_once(
        two_pcs: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch) -> None:
    one, two = two_pcs
    a = make_user(one, "clerk_a", Role.PANEL_ADMINISTRATOR)
    b = make_user(one, "clerk_b", Role.PANEL_ADMINISTRATOR)
    adm = make_user(one, "adm", Role.AGENCY_DECISION_MAKER)
    kit = panel.add_member(one, a, _member("Kit Brambleby"), today=TODAY)
    eli = panel.add_member(one, a, _member("Eli Fenwick"), today=TODAY)
    with one.session(write=False) as session:
        versions = {m.id: m.row_version for m in session.scalars(select(PanelMember))}
    pause_after(monkeypatch, members, "_check_linked_user")
    results = at_once(
        lambda: panel.update_member(one, a, kit.id, _member("Kit Brambleby", adm.user_id), today=TODAY,
                                    expected_version=versions[kit.id]),
        lambda: panel.update_member(two, b, eli.id, _member("Eli Fenwick", adm.user_id), today=TODAY,
                                    expected_version=versions[eli.id]))
    assert sorted(kind for kind, _ in results)[-1] == "ok" and [k for k, _ in results].count("ok") == 1, results
    with one.session(write=False) as session:
        linked = list(session.scalars(select(PanelMember.full_name).where(PanelMember.user_id == adm.user_id)))
    assert len(linked) == 1


def test_two_referrals_saved_at_once_get_the_next_two_numbers(two_pcs: tuple[Database, Database]) -> None:
    """No pause: two counsellors pressing Save at the same moment. The second was refused with the driver's
    unique-key error (the same number, counted by both before either wrote)."""
    one, two = two_pcs
    a = make_user(one, "corey", Role.COUNSELLOR)
    b = make_user(one, "casey", Role.COUNSELLOR)
    for n in range(6):
        first, second = referral(birth_name=f"Amy Thornby {n}"), referral(birth_name=f"Ben Hollis {n}")
        results = at_once(lambda: counselling.create_referral(one, a, first, today=TODAY),  # noqa: B023
                          lambda: counselling.create_referral(two, b, second, today=TODAY))  # noqa: B023
        assert [kind for kind, _ in results] == ["ok", "ok"], results
    with one.session(write=False) as session:
        references = list(session.scalars(select(CounsellingCase.reference)))
    assert len(set(references)) == len(references) == 12


def test_one_reference_typed_two_ways_at_once_makes_one_arrangement(
        two_pcs: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch) -> None:
    one, two = two_pcs
    a = make_user(one, "lbc_a", Role.LETTERBOX_COORDINATOR)
    b = make_user(one, "lbc_b", Role.LETTERBOX_COORDINATOR)
    pause_after(monkeypatch, arrangements, "_validate")
    results = at_once(lambda: letterbox.create_arrangement(one, a, sample_input("LB-0042")),
                      lambda: letterbox.create_arrangement(two, b, sample_input("lb-0042")))
    assert [kind for kind, _ in results].count("ok") == 1, results
    with one.session(write=False) as session:
        assert len(list(session.scalars(select(Arrangement.id)))) == 1


def test_a_write_session_inside_another_does_not_wait_for_itself(pg_db: Database) -> None:
    """A write session opened within one (a second connection of the same program and thread) would wait
    for the lock its own caller holds until it ends: it goes on without it, as before."""
    make_user(pg_db, "clerk_a", Role.PANEL_ADMINISTRATOR)
    done = at_once(lambda: _nested(pg_db))
    assert done == [("ok", True)]


def _nested(db: Database) -> bool:
    with db.session() as outer:
        outer.execute(select(1))
        with db.session() as inner:
            inner.execute(select(1))
    return True


def test_verify_while_a_colleague_saves_reports_nothing(two_pcs: tuple[Database, Database]) -> None:
    """``verify`` reads the log, the seals and the rows in many statements; under READ COMMITTED a colleague's
    save committed between them looked like a change made outside the program (9 runs of 15 in the trial)."""
    from adoption_desktop.core.storage.lifecycle import verify_database

    one, two = two_pcs
    clerk = make_user(one, "clerk", Role.PANEL_ADMINISTRATOR)
    ids = [panel.add_member(one, clerk, _member(f"Member {n}"), today=TODAY).id for n in range(20)]
    stop = threading.Event()
    saves = [0]

    def colleague() -> None:
        while not stop.is_set():
            n = saves[0]
            member = ids[n % len(ids)]
            with two.session(write=False) as session:
                version = session.get_one(PanelMember, member).row_version
            panel.update_member(two, clerk, member, _member(f"Member {n % len(ids)} v{n}"), today=TODAY,
                                expected_version=version)
            saves[0] = n + 1

    writer = threading.Thread(target=colleague)
    writer.start()
    try:
        # verify again until the colleague has saved a few times meanwhile (eight verifies at least): on a
        # loaded machine eight verifies had overlapped only six saves, and the test failed on its own count
        reports = []
        deadline = time.monotonic() + 120
        while (len(reports) < 8 or saves[0] <= 8) and time.monotonic() < deadline:
            reports.append(verify_database(one))
    finally:
        stop.set()
        writer.join(60)
    assert saves[0] > 8  # the colleague saved while verify ran
    assert [r.problems for r in reports if not r.ok] == []
    assert verify_database(one).ok
