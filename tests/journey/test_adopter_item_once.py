"""User trial: one panel approval item could be linked to two adopter households, and the Panel date typed was not
checked against the linked item's sitting. An approval item is one household's (refused, naming the household
that has it, in the save's own transaction: two PCs at once take turns and the second is refused); a household
linked to an item takes the sitting's date as its panel date, and a different one typed is refused."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import adopters, rules
from adoption_desktop.journey.service import AdopterStages
from adoption_desktop.panel import service as svc
from tests.conftest import make_user

D = dt.date


def _sitting_day() -> dt.date:
    return dt.date.today() - dt.timedelta(days=40)


def _approval_item(db: Database, clerk: Principal, day: dt.date) -> int:
    sitting = svc.schedule_sittings(db, clerk, svc.SittingInput(day, venue="Room 2, Civic Centre"))[0]
    return svc.add_item(db, clerk, sitting, svc.ItemInput("approval", "AD-2026-0031", "AB/CD", "Jay Quillby"))


def _stages(ref: str, item: int | None, panel_on: dt.date | None = None) -> AdopterStages:
    registered = _sitting_day() - dt.timedelta(days=200)
    return AdopterStages(ref, registered, registered + dt.timedelta(days=50), registered + dt.timedelta(days=60),
                         panel_on, None, item)


def test_panel_date_from_sitting_rule() -> None:
    today, sat = D(2026, 11, 23), D(2026, 6, 25)
    assert rules.panel_date_from_sitting(None, sat, today) == (sat, None)
    assert rules.panel_date_from_sitting(sat, sat, today) == (sat, None)
    assert rules.panel_date_from_sitting(None, D(2026, 12, 3), today) == (None, None)  # not yet sat
    assert rules.panel_date_from_sitting(D(2026, 5, 1), None, today) == (D(2026, 5, 1), None)  # not linked
    day, problem = rules.panel_date_from_sitting(D(2026, 6, 24), sat, today)
    assert day == D(2026, 6, 24) and problem is not None
    assert problem.startswith("Panel: 24/06/2026 differs from the date of the sitting") and "(25/06/2026)" in problem


def test_a_household_takes_the_sittings_date_and_a_different_one_is_refused(db: Database) -> None:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    item = _approval_item(db, clerk, _sitting_day())
    saved = adopters.add_household(db, clerk, _stages("HH-31", item))
    assert saved.panel_on == _sitting_day()
    assert adopters.get_household(db, clerk, saved.id).panel_on == _sitting_day()
    other = adopters.add_household(db, clerk, _stages("HH-32", None))
    wrong = _sitting_day() - dt.timedelta(days=1)
    item2 = _approval_item(db, clerk, _sitting_day() + dt.timedelta(days=7))
    with pytest.raises(ValidationError, match=f"Panel: .* differs .*\\({_sitting_day() + dt.timedelta(days=7):%d/%m/%Y}\\)") \
            as exc:
        adopters.update_household(db, clerk, other.id, _stages("HH-32", item2, wrong),
                                  expected_version=other.row_version)
    assert exc.value.field == "panel_on"
    assert adopters.get_household(db, clerk, other.id).approval_item_id is None


def test_an_item_linked_to_one_household_is_refused_for_another(db: Database) -> None:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    item = _approval_item(db, clerk, _sitting_day())
    first = adopters.add_household(db, clerk, _stages("HH-41", item))
    second = adopters.add_household(db, clerk, _stages("HH-42", None))
    with pytest.raises(ValidationError, match="already linked to household HH-41") as exc:
        adopters.update_household(db, clerk, second.id, _stages("HH-42", item), expected_version=second.row_version)
    assert exc.value.field == "approval_item_id"
    with pytest.raises(ValidationError, match="already linked to household HH-41"):
        adopters.add_household(db, clerk, _stages("HH-43", item))
    # the household that has it saves again as before
    again = adopters.update_household(db, clerk, first.id, _stages("HH-41", item), expected_version=first.row_version)
    assert again.approval_item_id == item


def test_two_pcs_linking_one_item_at_once_link_it_once(pcs: tuple[Database, Database],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The first PC's save is held open after its check of the item; the second PC's save of another household
    with the same item runs meanwhile. It waits for the first and is refused: one household holds the item."""
    mine, colleague = pcs
    clerk = make_user(mine, "clerk", Role.PANEL_ADMINISTRATOR)
    item = _approval_item(mine, clerk, _sitting_day())
    a = adopters.add_household(mine, clerk, _stages("HH-51", None))
    b = adopters.add_household(mine, clerk, _stages("HH-52", None))
    read, go = threading.Event(), threading.Event()
    real: Callable[..., Any] = adopters.check_approval_item

    def held(*args: Any) -> Any:
        out = real(*args)
        if not read.is_set():
            read.set()
            assert go.wait(30)
        return out

    monkeypatch.setattr(adopters, "check_approval_item", held)
    results: dict[str, object] = {}

    def run(name: str, db: Database, household: int, ref: str, version: int) -> None:
        try:
            results[name] = adopters.update_household(db, clerk, household, _stages(ref, item),
                                                      expected_version=version)
        except Exception as exc:
            results[name] = exc

    first = threading.Thread(target=run, args=("a", mine, a.id, "HH-51", a.row_version))
    first.start()
    assert read.wait(30)
    second = threading.Thread(target=run, args=("b", colleague, b.id, "HH-52", b.row_version))
    second.start()
    time.sleep(0.5)  # the colleague's save is under way (waiting for the first) before the first commits
    go.set()
    first.join(60)
    second.join(60)
    assert isinstance(results["a"], adopters.Household), results["a"]
    assert isinstance(results["b"], ValidationError) and "already linked to household HH-51" in str(results["b"])
    linked = [h.reference for h in adopters.list_households(mine, clerk) if h.approval_item_id == item]
    assert linked == ["HH-51"]


def test_the_demo_households_save_as_they_are(small_demo_db: Database) -> None:
    """The demo linked its households to approval items of other sittings than their panel dates (and two to one
    sitting's items at random): each opened and saved unchanged was refused. Each now has its own item, heard on
    its panel date."""
    paneladmin = make_user(small_demo_db, "clerk", Role.PANEL_ADMINISTRATOR)
    homes = adopters.list_households(small_demo_db, paneladmin)
    linked = [h for h in homes if h.approval_item_id is not None]
    assert linked
    assert len({h.approval_item_id for h in linked}) == len(linked)
    for home in homes:
        saved = adopters.update_household(small_demo_db, paneladmin, home.id, adopters.stages_of(home),
                                          expected_version=home.row_version)
        assert saved.panel_on == home.panel_on and saved.approval_item_id == home.approval_item_id


def test_the_scripts_record_adopter_stages_checks_the_item_too(db: Database) -> None:
    from adoption_desktop.journey import service

    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    item = _approval_item(db, clerk, _sitting_day())
    service.record_adopter_stages(db, clerk, _stages("HH-71", item))
    with pytest.raises(ValidationError, match="already linked to household HH-71"):
        service.record_adopter_stages(db, clerk, _stages("HH-72", item))
    with pytest.raises(ValidationError, match=r"Panel: .* differs"):
        service.record_adopter_stages(db, clerk, _stages("HH-71", item, _sitting_day() - dt.timedelta(days=2)))
    [home] = adopters.list_households(db, clerk)
    assert (home.reference, home.approval_item_id, home.panel_on) == ("HH-71", item, _sitting_day())
