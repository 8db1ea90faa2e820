"""A deferral to a later sitting is one transaction (two-user trial): Ann defers an item to the sitting of
8 December while Bea, on another PC, cancels that sitting. It was three transactions (the minutes, the item
on the later agenda, its link back); Bea's cancel landing between them left the item minuted as deferred on
no later agenda, Ann was told only "This sitting is cancelled; add the item to another sitting.", and her
retry to another sitting was refused as "already recorded as deferred".

Two real ``Database`` objects on one SQLCipher file. Bea's cancel is run at a fixed moment: as Ann's first
write transaction of the deferral begins (before it takes the write lock, so Ann's checks must see it), or
just after it has taken the lock (so Bea must wait for it)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database
from adoption_desktop.panel import service as svc
from tests.conftest import make_user

from .conftest import SITTING_DAY, TODAY, Panel

LATER, LATER_STILL = SITTING_DAY + dt.timedelta(days=28), SITTING_DAY + dt.timedelta(days=42)


@pytest.fixture
def other_pc(db_path: Path, store: SecretStore, panel: Panel) -> Iterator[Database]:
    """The same database file opened again, with its own engine: a colleague's PC."""
    other = open_database(db_path, store)
    yield other
    other.dispose()


def _sitting(panel: Panel, day: dt.date) -> int:
    return svc.schedule_sittings(panel.db, panel.clerk, svc.SittingInput(
        day, "10:00", "13:00", "Room 2, Civic Centre, Ambleford ZZ99 1AB"))[0]


def _on_first_write(monkeypatch: pytest.MonkeyPatch, db: Database, before: Callable[[], None] | None = None,
                    after: Callable[[], None] | None = None) -> None:
    """Run ``before`` just before ``db``'s next write transaction begins, or ``after`` just after it has
    begun (and holds the write lock); once."""
    real = db._begin
    fired: list[bool] = []

    def begin(write: bool, *args: Any, **kwargs: Any) -> Session:
        if not write or fired:
            return real(write, *args, **kwargs)
        fired.append(True)
        if before is not None:
            before()
        session = real(write, *args, **kwargs)
        if after is not None:
            after()
        return session

    monkeypatch.setattr(db, "_begin", begin)


def _case(panel: Panel) -> int:
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id,
                        svc.ItemInput("approval", "AD-2026-0155", "AB/CD", "Jay Quillby", "10:00"))
    svc.save_minutes(panel.db, panel.clerk, item, svc.MinutesDraft(discussion="Questions on the support plan."))
    return item


def _minutes(panel: Panel, item: int) -> svc.MinutesDraft:
    [row] = [i for i in svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id, today=TODAY).items
             if i.id == item]
    assert row.minutes is not None
    return row.minutes.draft


def _agenda(panel: Panel, sitting: int) -> list[str]:
    return [i.subject_reference for i in svc.sitting_detail(panel.db, panel.clerk, sitting, today=TODAY).items]


def test_a_sitting_cancelled_as_the_deferral_is_saved_leaves_nothing_half_done(
        panel: Panel, other_pc: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    bea = make_user(panel.db, "bea", Role.PANEL_ADMINISTRATOR)
    later, later_still = _sitting(panel, LATER), _sitting(panel, LATER_STILL)
    item = _case(panel)
    _on_first_write(monkeypatch, panel.db,
                    before=lambda: svc.cancel_sitting(other_pc, bea, later, "Chair unwell"))

    with pytest.raises(Conflict) as refused:
        svc.defer_item(panel.db, panel.clerk, item, "Medical report not received.", to_sitting_id=later)

    draft = _minutes(panel, item)
    assert (draft.outcome, draft.deferral_reason) == ("", "")  # it was minuted as deferred
    assert draft.discussion == "Questions on the support plan."
    assert _agenda(panel, later) == []
    message = str(refused.value)
    assert message.startswith(f"The sitting of {LATER:%d/%m/%Y} was cancelled (Bea Tester, ")
    assert ": Chair unwell), so the item cannot be deferred to it." in message
    assert "Nothing was changed: the item is not recorded as deferred and was not added to a later agenda." in message
    assert message.endswith("Defer it again and choose another sitting.")

    moved = svc.defer_item(panel.db, panel.clerk, item, "Medical report not received.", to_sitting_id=later_still)
    assert moved is not None  # the retry was refused: "already recorded as deferred"
    assert _minutes(panel, item).outcome == "deferred"
    assert _agenda(panel, later_still) == ["AD-2026-0155"]
    [follow] = svc.sitting_detail(panel.db, panel.clerk, later_still, today=TODAY).items
    assert follow.id == moved


def test_a_cancel_made_while_the_deferral_is_saved_waits_for_it(
        panel: Panel, other_pc: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    bea = make_user(panel.db, "bea", Role.PANEL_ADMINISTRATOR)
    later = _sitting(panel, LATER)
    item = _case(panel)
    colleague = threading.Thread(target=svc.cancel_sitting, args=(other_pc, bea, later, "Chair unwell"))
    _on_first_write(monkeypatch, panel.db, after=colleague.start)

    moved = svc.defer_item(panel.db, panel.clerk, item, "Medical report not received.", to_sitting_id=later)
    colleague.join(timeout=60)

    assert not colleague.is_alive()
    assert _minutes(panel, item).outcome == "deferred"
    [follow] = svc.sitting_detail(panel.db, panel.clerk, later, today=TODAY).items
    assert follow.id == moved and follow.subject_reference == "AD-2026-0155"
    assert svc.sitting_detail(panel.db, panel.clerk, later, today=TODAY).sitting.status == "cancelled"
