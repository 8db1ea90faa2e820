"""The list behind a band figure ("Matched within 4 months of the placement order (children)") is of that
band's children only, so the list's count is the figure (user trial ut13: the figure 1 opened "…: 3
children.", listing children matched 4 to 12 months after their order)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import figures as journey_figures
from adoption_desktop.reports import measures
from adoption_desktop.reports.behind import open_figure
from adoption_desktop.reports.periods import Period
from adoption_desktop.reports.service import collect_compared
from adoption_desktop.reports.views.page import ReportsPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user

D = dt.date
MADE = D(2026, 12, 6)
YEAR = Period(D(2025, 12, 7), MADE)
BANDS = {"match_4m": "band 0-4 months", "match_4_8m": "band 4-8 months", "match_8_12m": "band 8-12 months",
         "match_over_12m": "band over 12 months"}


def test_a_band_figure_lists_only_its_own_children(open_demo: Callable[..., Database], qtbot: Any) -> None:
    db = open_demo(MADE)
    admin = make_user(db, "trialadm", Role.AGENCY_DECISION_MAKER)
    bands = {m.code: m for m in measures.journey_measures(db, admin, YEAR.start, YEAR.end) if m.code in BANDS}
    assert len(bands) == 4
    # the demo's matches fall in more than one band: each band's figure is fewer than all matched
    assert any(m.value is not None and m.value < m.count for m in bands.values())
    for code, m in bands.items():
        behind = open_figure(db, admin, journey_figures.TIMELINESS, f"{m.label} ({m.unit})", YEAR.start, YEAR.end)
        assert len(behind.rows) == int(m.value or 0), (code, behind.rows)
        assert all(r[-1].split("; ")[0] == BANDS[code] for r in behind.rows), (code, behind.rows)
    # on the Reports page: the list's title counts what the figure says
    page = ReportsPage(AppContext(db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    page.show_compared(collect_compared(db, admin, YEAR.start, YEAR.end))
    tree = page.tree
    top = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
               if tree.topLevelItem(i).text(0) == journey_figures.TIMELINESS)  # type: ignore[union-attr]
    assert top is not None
    m = bands["match_4m"]
    row = next(top.child(i) for i in range(top.childCount())
               if top.child(i).text(0) == f"{m.label} ({m.unit})")  # type: ignore[union-attr]
    assert row is not None and row.text(1) == f"{m.value:g}"
    dialog = page.open_figure(row, 1)
    assert dialog is not None
    qtbot.addWidget(dialog)
    said = dialog.findChildren(QLabel)[0].text()
    n = int(m.value or 0)
    assert said.endswith(f": {n} {'child' if n == 1 else 'children'}." if n else ": none."), said


def test_a_bands_children_counted_lists_every_child_counted(open_demo: Callable[..., Database]) -> None:
    """The row under a band, "Matched within 4 months of the placement order: children counted", is every child
    matched in the period (the band's figure is counted out of them), so its list is all of them, each with its
    band in Detail: it listed only the band's own children, 1 under a figure of 3 (user trial, 7 December)."""
    db = open_demo(MADE)
    adm = make_user(db, "trialadm", Role.AGENCY_DECISION_MAKER)
    bands = {m.code: m for m in measures.journey_measures(db, adm, YEAR.start, YEAR.end) if m.code in BANDS}
    assert any(m.value is not None and m.value < m.count for m in bands.values())  # a band is not all of them
    every = set()
    for code, m in bands.items():
        behind = open_figure(db, adm, journey_figures.TIMELINESS, f"{m.label}: children counted", YEAR.start,
                             YEAR.end)
        assert len(behind.rows) == m.count, (code, behind.rows)
        assert {r[-1].split("; ")[0] for r in behind.rows} <= set(BANDS.values())
        every.add(tuple(sorted(r[0] for r in behind.rows)))
    assert len(every) == 1  # every band is counted out of the same children
