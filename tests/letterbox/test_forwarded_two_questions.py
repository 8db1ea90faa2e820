"""The two counts of items forwarded answer two questions and say so (tester: the annual report had "of which
passed on (forwarded)" 386 and "Receipt to forwarding: Items forwarded" 387 with nothing to explain it). One
counts items received in the period and passed on by its end, the other items forwarded in the period
whenever received; their labels tell them apart and the report's Definitions explain both."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from docx import Document

from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import figures as lb
from adoption_desktop.letterbox import rules, service
from adoption_desktop.reports.periods import Period
from adoption_desktop.reports.report_data import build_report
from adoption_desktop.reports.report_docx import write_report_docx
from adoption_desktop.reports.service import collect_compared, write_csv
from tests.conftest import make_user

D = dt.date
HALF = Period(D(2026, 4, 1), D(2026, 9, 30))
BY_END = "of which passed on (forwarded) by the end of the period"
IN_PERIOD = "Items forwarded in the period (whenever received)"


def _item(db: Database, who: Principal, arrangement: int, received: dt.date, forwarded: dt.date) -> None:
    item = service.log_item(db, who, arrangement, direction=rules.TO_BIRTH, received_on=received, log_again=True)
    service.screen_item(db, who, item, "All well.")
    service.record_outcome(db, who, item, "forwarded", forwarded, method="post")


def test_the_two_forwarded_counts_are_told_apart_and_defined(db: Database, coordinator: Principal,
                                                             arrangement: int, tmp_path: Path) -> None:
    _item(db, coordinator, arrangement, D(2026, 3, 25), D(2026, 4, 2))  # received before, forwarded in: 8 days
    _item(db, coordinator, arrangement, D(2026, 5, 10), D(2026, 5, 15))  # received and forwarded in: 5 days
    _item(db, coordinator, arrangement, D(2026, 9, 28), D(2026, 10, 5))  # received in, forwarded after
    manager = make_user(db, "mgr", Role.MANAGER)
    sections = {s.title: dict(s.rows) for s in lb.figures(db, manager, HALF.start, HALF.end)}
    received = sections["Letterbox items received and exchanges completed"]
    assert received["Items received in the period"] == "2"
    assert received[BY_END] == "1" and received["of which awaiting a decision at the end of the period"] == "1"
    assert sections["Receipt to forwarding"] == {IN_PERIOD: "2", "Median days from receipt to forward": "6.5"}

    doc = Document(str(write_report_docx(build_report(db, manager, HALF, "six-monthly", today=D(2026, 11, 2)),
                                         tmp_path / "six.docx")))
    rows = {r.cells[0].text: r.cells[1].text for t in doc.tables for r in t.rows}
    assert rows[BY_END] == "1" and rows[IN_PERIOD] == "2" and "Items forwarded" not in rows
    paragraphs = [(p.style.name if p.style is not None else "", p.text) for p in doc.paragraphs]
    chapter = paragraphs.index(("Heading 1", "Post box contact"))
    after = paragraphs.index(("Heading 1", "Support for birth parents"))
    heading = paragraphs.index(("Heading 2", "Definitions"), chapter)
    assert heading < after
    defined = {text.split(": ", 1)[0]: text.split(": ", 1)[1] for style, text in paragraphs[heading + 1:after]
               if style == "List Bullet"}
    assert "of the items received in the period" in defined[BY_END]
    assert "whenever they were received" in defined[IN_PERIOD] and BY_END in defined[IN_PERIOD]

    compared = collect_compared(db, manager, HALF.start, HALF.end)
    out = tmp_path / "figures.csv"
    write_csv(db, manager, compared.sections, HALF.start, HALF.end, out, compared)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        lines = {(r[0], r[1]): r[2] for r in csv.reader(fh)}
    assert lines[("Letterbox items received and exchanges completed", BY_END)] == "1"
    assert lines[("Receipt to forwarding", IN_PERIOD)] == "2"
