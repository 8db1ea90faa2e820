"""User trial: a unanimous vote with votes against, and a majority that leaves members counted unaccounted
for (no abstention recorded), were sent to the chair."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from pytestqt.qtbot import QtBot

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.panel import rules
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import papers_received

from .conftest import SITTING_DAY, TODAY, Panel, attend

GOOD = svc.MinutesDraft(outcome="suitable", reasons="Thorough assessment; strong support network.",
                        discussion="Questions on support answered.", vote="unanimous")
FIVE = ("chair", "vice", "sw", "med", "pe")


def _ready(p: Panel) -> int:
    attend(p, *FIVE)
    return papers_received(p.db, p.clerk, svc.add_item(p.db, p.clerk, p.sitting_id, svc.ItemInput(
        "approval", "AD-2026-0601", "AB", "Jay Quillby")), SITTING_DAY)


def _views(p: Panel, **special: str) -> dict[int, str]:
    return {p.members[k]: special.get(k, "Agrees with the recommendation.") for k in FIVE}


def test_a_unanimous_vote_has_no_votes_against(panel: Panel) -> None:
    item = _ready(panel)
    draft = dataclasses.replace(GOOD, member_views=_views(panel), votes_against=1)
    svc.save_minutes(panel.db, panel.clerk, item, draft)
    with pytest.raises(ValidationError, match="a unanimous vote has no votes against") as err:
        svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    assert err.value.field == "vote"
    svc.save_minutes(panel.db, panel.clerk, item, dataclasses.replace(draft, votes_against=0))
    assert svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY).status == "submitted"


def test_a_majority_accounts_for_every_member_counted(panel: Panel) -> None:
    item = _ready(panel)
    short = dataclasses.replace(GOOD, vote="majority", votes_for=3, votes_against=1, member_views=_views(panel))
    svc.save_minutes(panel.db, panel.clerk, item, short)
    with pytest.raises(ValidationError, match="3 for and 1 against accounts for 4 of the 5 members") as err:
        svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    assert err.value.field == "votes_for" and '"Abstained: "' in str(err.value)
    # the member who abstained says so in their view: now every member counted is accounted for
    abstained = dataclasses.replace(short, member_views=_views(panel, pe="Abstained: had not read the medical."))
    svc.save_minutes(panel.db, panel.clerk, item, abstained)
    assert svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY).status == "submitted"


def test_vote_problem_counts_members_recorded_as_not_voting() -> None:
    assert rules.vote_problem("majority", 3, 1, 5) is not None
    assert rules.vote_problem("majority", 3, 1, 5, not_voting=1) is None
    assert rules.vote_problem("majority", 4, 1, 5) is None
    assert rules.vote_problem("unanimous", None, None, 5) is None
    assert rules.did_not_vote("abstained") and rules.did_not_vote("No view recorded: left early")
    assert not rules.did_not_vote("Agrees; abstained from nothing")


def test_choosing_unanimous_clears_the_majority_numbers(qtbot: QtBot, panel: Panel) -> None:
    _ready(panel)
    page = PanelPage(AppContext(panel.db, panel.clerk, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    editor = page.minutes
    assert editor.current is not None
    editor.set_vote("majority")
    editor.votes_for.setValue(4)
    editor.votes_against.setValue(1)
    editor.set_vote("unanimous")
    draft = editor.draft()
    assert (draft.vote, draft.votes_for, draft.votes_against) == ("unanimous", None, None)
    editor.autosave.stop()


def test_minutes_of_a_future_sitting_cannot_be_sent_to_the_chair(panel: Panel) -> None:
    """As approval already was: minutes record what happened, so they go to the chair once the panel sat."""
    item = _ready(panel)
    svc.save_minutes(panel.db, panel.clerk, item, dataclasses.replace(GOOD, member_views=_views(panel)))
    before = SITTING_DAY - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="the sitting is on 10/11/2026; minutes can be sent to the chair only "
                                              "on or after the day the panel sat"):
        svc.submit_minutes(panel.db, panel.clerk, item, today=before)
    assert svc.submit_minutes(panel.db, panel.clerk, item, today=SITTING_DAY).status == "submitted"
