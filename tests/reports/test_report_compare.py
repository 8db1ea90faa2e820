"""How the report matches a section's rows across this period, the previous one and the same period last year."""

from __future__ import annotations

from adoption_desktop.reports.measures import Measure
from adoption_desktop.reports.model import FigureSection
from adoption_desktop.reports.report_data import _compare
from adoption_desktop.reports.report_docx import _threshold_unit


def _monthly(months: list[str], values: list[int]) -> FigureSection:
    section = FigureSection("Letterbox exchanges received by month")
    for month, value in zip(months, values, strict=True):
        section.rows.append((f"{month}: adoptive family to birth family", str(value)))
        section.rows.append((f"{month}: birth family to adoptive family", str(value + 100)))
    section.rows.append(("Total exchanges", str(sum(values) * 2 + 100 * len(values))))
    return section


def test_a_monthly_table_sets_each_month_beside_its_counterparts() -> None:
    now = _monthly(["April 2026", "May 2026"], [3, 4])
    before = _monthly(["October 2025", "November 2025"], [7, 8])
    last_year = _monthly(["April 2025"], [1])  # May 2025 had no exchange row
    (table,) = _compare([[now], [before], [last_year]])
    assert table.rows == (
        ("April 2026: adoptive family to birth family", "3", "7", "1"),
        ("April 2026: birth family to adoptive family", "103", "107", "101"),
        ("May 2026: adoptive family to birth family", "4", "8", "–"),
        ("May 2026: birth family to adoptive family", "104", "108", "–"),
        ("Total exchanges", "214", "230", "102"),
    )


def test_ordinary_rows_are_matched_by_label() -> None:
    a = FigureSection("Panel", [("Sittings held", "12"), ("Items", "30")])
    b = FigureSection("Panel", [("Items", "20")])
    c = FigureSection("Panel", [("Sittings held", "9"), ("New row", "1")])
    (table,) = _compare([[a], [b], [c]])
    assert table.rows == (("Sittings held", "12", "–", "9"), ("Items", "30", "20", "–"), ("New row", "–", "–", "1"))


def test_month_timescales_are_stated_in_months() -> None:
    stage = Measure("stage1_2m", "Adopters: stage 1 completed within 2 months", 50.0, "%", 2, 2, "def", 1)
    a3 = Measure("A3", "A3: children who waited less than the threshold", 40.0, "%", 426, 5, "def", 2)
    assert _threshold_unit(stage) == "months" and _threshold_unit(a3) == "days"
