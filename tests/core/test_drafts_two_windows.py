"""The same person with the same form open twice, on one database (the program opened twice, or two PCs in
team mode): neither window's draft silently replaces the other's. Real SQLCipher file, each window with its
own engine (``Database``) on it, and two processes saving at the same moment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop.core import drafts, presence, running
from adoption_desktop.core.drafts import DraftCopy
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from tests.concurrency_worker import context as worker_context
from tests.concurrency_worker import open_target, process
from tests.conftest import TEST_PASSWORD, make_user

KEY = "letterbox.arrangement:5"


def _key_hex(db: Database) -> str:
    password = db.engine.url.password
    assert password is not None
    return password[2:-1]


@pytest.fixture
def second(db: Database, db_path: Path) -> Iterator[Database]:
    """The same file opened again: the other copy of the program (another PC, or the program opened twice)."""
    other = open_target(str(db_path), _key_hex(db))
    yield other
    other.dispose()


@pytest.fixture
def ann(db: Database) -> Principal:
    return make_user(db, "ann", Role.LETTERBOX_COORDINATOR)


def _texts(db: Database, who: Principal) -> list[str]:
    return [f.text for f in drafts.drafts_of_form(db, who, KEY)]


def test_a_second_windows_draft_is_kept_apart_never_over_the_first(db: Database, second: Database,
                                                                   ann: Principal) -> None:
    ann_b = authenticate(second, "ann", TEST_PASSWORD)  # the same person, signed in again
    a, b = DraftCopy(db, ann, KEY), DraftCopy(second, ann_b, KEY)
    assert a.offer() == [] and b.offer() == []  # both forms opened before anything was typed
    assert a.save("Window A: the adopters' notes", fields={"replies_expected": "1"})
    assert not b.save("Window B: other notes", fields={"replies_expected": "0"})  # A's was there: kept apart
    assert b.apart and not a.apart
    assert drafts.load_draft(db, ann, KEY) == "Window A: the adopters' notes"  # A's is still the form's draft
    assert _texts(db, ann) == ["Window A: the adopters' notes", "Window B: other notes"]
    assert a.save("Window A: typed on")  # each window goes on keeping its own
    assert b.save("Window B: typed on") and b.apart
    found = drafts.drafts_of_form(second, ann_b, KEY)
    assert [(f.text, f.apart) for f in found] == [("Window A: typed on", False), ("Window B: typed on", True)]
    assert found[0].stamp.copy == a.copy and found[1].stamp.copy == b.copy  # each knows which window kept it
    kept = drafts.list_drafts(db, ann)  # My work: two lines, the second "from another window"
    assert sorted((k.kind, k.record_id, k.apart) for k in kept) == [("arrangement", 5, False),
                                                                  ("arrangement", 5, True)]


def test_a_window_that_took_the_draft_of_a_window_gone_keeps_over_it_and_the_first_then_keeps_apart(
        db: Database, second: Database, ann: Principal) -> None:
    ann_b = authenticate(second, "ann", TEST_PASSWORD)
    a = DraftCopy(db, ann, KEY)
    a.offer()
    assert a.save("typed in A")
    a.close()  # A's window is gone (a crash): its draft waits for the next opening
    b = DraftCopy(second, ann_b, KEY)
    offered = b.offer()
    assert [f.text for f in offered] == ["typed in A"]
    b.took(offered[0])  # B's form now holds A's text: B may keep its typing over it
    assert b.borrowed is None
    assert b.save("typed in A, then more in B") and not b.apart
    assert a.save("typed in A, and more in A") is False  # B kept since A last did: A's is kept apart
    assert _texts(db, ann) == ["typed in A, then more in B", "typed in A, and more in A"]


def test_a_window_that_brings_back_the_draft_of_a_window_still_open_neither_replaces_nor_removes_it(
        db: Database, second: Database, ann: Principal) -> None:
    """Review: B opening while A (still open) held the draft took A's stamp; B's Discard (or save) then deleted
    A's draft, A's timer was idle, and a crash of A lost its text."""
    ann_b = authenticate(second, "ann", TEST_PASSWORD)
    a = DraftCopy(db, ann, KEY)
    assert a.save("typed in A, then A went to a meeting")
    b = DraftCopy(second, ann_b, KEY)
    offered = b.offer()
    b.took(offered[0])
    assert b.borrowed == offered[0] and b.apart  # a copy: B's typing is kept under its own stamp
    b.clear()  # B discards (nothing typed there yet): A's draft stays
    assert _texts(db, ann) == ["typed in A, then A went to a meeting"]
    c = DraftCopy(second, ann_b, KEY)
    c.took(c.offer()[0])
    assert c.save("A's text, with more typed in C")  # kept apart at once (nothing to say: it is a copy)
    assert drafts.load_draft(db, ann, KEY) == "typed in A, then A went to a meeting"
    c.clear()  # C saved the record: A's draft is still A's
    assert _texts(db, ann) == ["typed in A, then A went to a meeting"]
    assert a.save("A back from the meeting, typing on")  # A keeps its draft in place, as before
    assert _texts(db, ann) == ["A back from the meeting, typing on"]
    a.clear()
    assert _texts(db, ann) == []


def test_a_draft_from_another_program_is_left_to_it_while_that_program_holds_a_lease(
        db: Database, second: Database, ann: Principal, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another program (another PC) still running: it renews its presence leases, so its window may be open.
    Once its leases have lapsed (a crash there), its draft is taken over."""
    ann_b = authenticate(second, "ann", TEST_PASSWORD)
    elsewhere = "e" * 32  # the other program's mark: no file on this PC, so never known here to have ended
    a = DraftCopy(db, ann, KEY, holder=elsewhere)
    a.close()  # not a window of this program
    a.save("typed on the other PC")
    monkeypatch.setattr(running, "this_program", lambda: elsewhere)
    lease = presence.acquire(db, ann, "letterbox_arrangements", 5)
    monkeypatch.undo()
    b = DraftCopy(second, ann_b, KEY)
    b.took(b.offer()[0])
    assert b.borrowed is not None and b.apart
    presence.release(db, ann, lease)  # the other PC's leases gone: its window is not open
    c = DraftCopy(second, ann_b, KEY)
    c.took(c.offer()[0])
    assert c.borrowed is None and not c.apart
    c.clear()
    assert _texts(db, ann) == []


def test_clearing_removes_only_this_windows_draft(db: Database, second: Database, ann: Principal) -> None:
    ann_b = authenticate(second, "ann", TEST_PASSWORD)
    a, b = DraftCopy(db, ann, KEY), DraftCopy(second, ann_b, KEY)
    a.save("A's draft")
    b.save("B's draft")
    b.clear()  # B saved the arrangement (or discarded its typing): A's draft stays
    assert _texts(db, ann) == ["A's draft"]
    c = DraftCopy(second, ann_b, KEY)
    c.took(c.offer()[0])
    c.save("C took A's and typed on")
    a.clear()  # A saved: C's draft, kept after A last read, stays
    assert _texts(db, ann) == ["C took A's and typed on"]
    c.clear()
    assert _texts(db, ann) == [] and drafts.list_drafts(db, ann) == []


def test_a_draft_kept_apart_is_offered_once_the_forms_own_has_gone(db: Database, second: Database,
                                                                  ann: Principal) -> None:
    ann_b = authenticate(second, "ann", TEST_PASSWORD)
    a, b = DraftCopy(db, ann, KEY), DraftCopy(second, ann_b, KEY)
    a.save("A's draft", base="3")
    b.save("B's draft", base="4", fields={"status": "suspended"})
    b.close()  # B's window is gone (a crash)
    a.clear()
    c = DraftCopy(db, ann, KEY)  # the form opened again
    offered = c.offer()
    assert [(f.text, f.base, f.fields, f.apart) for f in offered] == [("B's draft", "4", {"status": "suspended"},
                                                                       True)]
    c.took(offered[0])
    assert c.save("B's draft, finished in C", base="4")  # kept as the form's own; the one taken goes
    assert _texts(db, ann) == ["B's draft, finished in C"]
    assert drafts.load_draft_base(db, ann, KEY) == "4"


def test_a_draft_taken_from_another_window_stays_when_that_window_typed_on(
        db: Database, second: Database, ann: Principal) -> None:
    ann_b = authenticate(second, "ann", TEST_PASSWORD)
    a, b = DraftCopy(db, ann, KEY), DraftCopy(second, ann_b, KEY)
    a.save("A's draft")
    b.save("B's draft")
    a.clear()
    c = DraftCopy(db, ann, KEY)
    c.took(c.offer()[0])
    b.save("B typed on")  # B is still open and typing
    c.save("C's version of B's first draft")
    assert _texts(db, ann) == ["C's version of B's first draft", "B typed on"]


def test_a_draft_from_before_stamps_is_not_replaced_by_a_window_that_did_not_take_it(
        db: Database, ann: Principal) -> None:
    drafts.save_draft(db, ann, KEY, "kept by the program before this version")  # no window's stamp
    a = DraftCopy(db, ann, KEY)
    assert not a.save("typed into a form that did not show it")
    assert _texts(db, ann) == ["kept by the program before this version", "typed into a form that did not show it"]


def test_two_processes_keeping_the_same_forms_draft_at_the_same_moment_lose_nothing(
        db: Database, db_path: Path, ann: Principal) -> None:
    """Two programs (separate processes, each its own engine) keep their drafts of one form at the same
    moment, round after round: each one's last text is kept, neither replaced."""
    rounds = 6
    ctx = worker_context()
    barrier, results = ctx.Barrier(2), ctx.Queue()
    work: dict[str, list[dict[str, Any]]] = {
        who: [{"username": "ann", "password": TEST_PASSWORD, "key": KEY, "text": f"window {who}, round {i}"}
              for i in range(rounds)] for who in ("a", "b")}
    procs = [process(ctx, str(db_path), _key_hex(db), "draft", rounds_, barrier, results, who)
             for who, rounds_ in work.items()]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=300) for _ in range(2 * rounds)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert all(kind == "ok" for _who, _i, kind, _m in outcomes), outcomes
    assert sorted(_texts(db, ann)) == [f"window a, round {rounds - 1}", f"window b, round {rounds - 1}"]
