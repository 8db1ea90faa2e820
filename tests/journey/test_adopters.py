"""The adopters' journey: a household's dates checked in order, versions, the link to the panel approval
item, and the stage figures on a small fixture worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.core.errors import NotFound, PermissionDenied, StaleRecord, ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import adopter_figures, adopters
from adoption_desktop.journey.service import AdopterStages
from adoption_desktop.reports.behind import open_figure
from tests.conftest import make_user

D = dt.date
TODAY = D(2026, 11, 23)
START, END = D(2026, 4, 1), D(2026, 9, 30)


@pytest.fixture
def clerk(db: Database) -> Principal:
    return make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)


def _approval_item(db: Database, clerk: Principal) -> int:
    from adoption_desktop.panel import service as svc

    sitting = svc.schedule_sittings(db, clerk, svc.SittingInput(D(2026, 6, 25), venue="Room 2, Civic Centre"))[0]
    return svc.add_item(db, clerk, sitting, svc.ItemInput("approval", "AD-2026-0007", "AB/CD", "Jay Quillby"))


def test_dates_are_checked_in_order_with_the_field_named(db: Database, clerk: Principal) -> None:
    with pytest.raises(ValidationError, match="Stage 2 started: 01/02/2026 is before stage 1 completed") as exc:
        adopters.add_household(db, clerk, AdopterStages("HH-1", D(2026, 1, 1), D(2026, 2, 10), D(2026, 2, 1)),
                               today=TODAY)
    assert exc.value.field == "stage2_started_on"
    with pytest.raises(ValidationError, match="Stage 1 completed: enter it before stage 2 starts"):
        adopters.add_household(db, clerk, AdopterStages("HH-1", D(2026, 1, 1), None, D(2026, 2, 1)), today=TODAY)
    with pytest.raises(ValidationError, match="Registration \\(stage 1 starts\\): enter the date"):
        adopters.add_household(db, clerk, AdopterStages("HH-1", None, D(2026, 2, 1)), today=TODAY)
    with pytest.raises(ValidationError, match="in the future"):
        adopters.add_household(db, clerk, AdopterStages("HH-1", D(2026, 12, 1)), today=TODAY)
    with pytest.raises(ValidationError, match="Household reference"):
        adopters.add_household(db, clerk, AdopterStages(" ", D(2026, 1, 1)), today=TODAY)


def test_create_edit_link_and_stale_save(db: Database, clerk: Principal) -> None:
    item = _approval_item(db, clerk)
    home = adopters.add_household(db, clerk, AdopterStages("HH-2", D(2026, 1, 10)), today=TODAY)
    with pytest.raises(ValidationError, match="already recorded"):
        adopters.add_household(db, clerk, AdopterStages("hh-2", D(2026, 1, 10)), today=TODAY)
    saved = adopters.update_household(db, clerk, home.id, AdopterStages(
        "HH-2", D(2026, 1, 10), D(2026, 3, 5), D(2026, 3, 20), D(2026, 6, 25), D(2026, 7, 2), item),
        expected_version=home.row_version, today=TODAY)
    assert saved.row_version == home.row_version + 1
    assert saved.approval_item == "AD-2026-0007 at the 25/06/2026 sitting"
    assert [i.id for i in adopters.approval_items(db, clerk)] == [item]
    with pytest.raises(StaleRecord):
        adopters.update_household(db, clerk, home.id, AdopterStages("HH-2", D(2026, 1, 11)),
                                  expected_version=home.row_version, today=TODAY)
    with pytest.raises(NotFound):
        adopters.update_household(db, clerk, home.id, AdopterStages("HH-2", D(2026, 1, 10), approval_item_id=9999),
                                  expected_version=saved.row_version, today=TODAY)
    assert adopters.get_household(db, clerk, home.id).approved_on == D(2026, 7, 2)
    chair = make_user(db, "chair", Role.PANEL_CHAIR)
    assert [h.reference for h in adopters.list_households(db, chair)] == ["HH-2"]
    with pytest.raises(PermissionDenied):
        adopters.add_household(db, chair, AdopterStages("HH-3", D(2026, 1, 10)), today=TODAY)


def test_stage_figures_by_hand(db: Database, clerk: Principal) -> None:
    add = adopters.add_household
    # H1: stage 1 in 54 days (by 10/03: within 2 months); stage 2 20/03 to approval 02/07 (by 20/07: within 4
    # months); registration 10/01 to approval 02/07 (by 10/07: within 6 months). Approved in the period.
    add(db, clerk, AdopterStages("H1", D(2026, 1, 10), D(2026, 3, 5), D(2026, 3, 20), D(2026, 6, 25),
                                 D(2026, 7, 2)), today=TODAY)
    # H2: stage 1 ends 15/04 (after 01/04: over 2 months, in the period); stage 2 01/05 (in the period) to
    # approval 20/09 (after 01/09: over 4 months; after 01/08: over 6 months)
    add(db, clerk, AdopterStages("H2", D(2026, 2, 1), D(2026, 4, 15), D(2026, 5, 1), D(2026, 9, 10),
                                 D(2026, 9, 20)), today=TODAY)
    # H3: registered 05/05 (in the period), stage 1 ends 30/06 (within 2 months), still in assessment
    add(db, clerk, AdopterStages("H3", D(2026, 5, 5), D(2026, 6, 30)), today=TODAY)
    # H4: everything before the period
    add(db, clerk, AdopterStages("H4", D(2025, 9, 1), D(2025, 10, 20), D(2025, 11, 1), D(2026, 2, 10),
                                 D(2026, 2, 20)), today=TODAY)
    manager = make_user(db, "mgr", Role.MANAGER)
    [section] = adopter_figures.figures(db, manager, START, END)
    assert section.rows == [
        (adopter_figures.REGISTERED, "1"),
        (adopter_figures.STAGE1, "2"),
        ("of which within 2 months of registration", "1"),
        (adopter_figures.STAGE2, "1"),
        (adopter_figures.APPROVED, "2"),
        ("of which decided within 4 months of stage 2 starting", "1"),
        ("of which approved within 6 months of registration", "1"),
        (adopter_figures.IN_ASSESSMENT, "1"),
    ]
    with pytest.raises(PermissionDenied, match="counts only"):  # the manager sees the count, not the households
        open_figure(db, manager, adopter_figures.SECTION, adopter_figures.APPROVED, START, END)
    behind = open_figure(db, clerk, adopter_figures.SECTION, adopter_figures.APPROVED, START, END)
    assert [(r[0], r[-1]) for r in behind.rows] == [("H1", "173"), ("H2", "231")]
    # the measure's figures open too: stage 1 ended in the period for H2 and H3, within 2 months for H3
    from adoption_desktop.journey import figures as journey_figures

    label = "Adopters: stage 1 completed within 2 months"
    opened = open_figure(db, clerk, journey_figures.TIMELINESS, f"{label} (%)", START, END)
    assert [r[0] for r in opened.rows] == ["H2", "H3"]
    within = open_figure(db, clerk, journey_figures.TIMELINESS, f"{label}: cases within the threshold", START, END)
    assert [(r[0], r[6]) for r in within.rows] == [("H3", "Yes")]
    counsellor = make_user(db, "cns", Role.COUNSELLOR)
    with pytest.raises(PermissionDenied):
        adopter_figures.figures(db, counsellor, START, END)
