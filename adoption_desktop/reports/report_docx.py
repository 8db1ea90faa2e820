"""The six-monthly or annual report as an editable Word document (``resources/templates/report.docx``).

Chapters in the order the agencies' reports use: summary, panel activity, membership and training, ADM
decisions and timeliness, children's journey, adopters' journey, post box contact, birth-records
counselling, then eight quarters of trends. Every table shows this period beside the previous period and
the same period last year, or for a year-long period beside the previous year alone (it is both; the
trends are then by the financial year's quarters); charts are PNG images (``charts``) with a caption and
alternative text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

from adoption_desktop.adm import rules as adm_rules
from adoption_desktop.core.documents.docx_properties import save_docx, stamp
from adoption_desktop.core.documents.docx_styles import cache_style_lookups, paragraphs_in_style
from adoption_desktop.core.files import output_file
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database, secure_umask
from adoption_desktop.core.wording import percent
from adoption_desktop.journey.figures import TIMELINESS as JOURNEY_TIMELINESS
from adoption_desktop.panel import rules as panel_rules
from adoption_desktop.reports import charts
from adoption_desktop.reports.measures import Measure
from adoption_desktop.reports.periods import pick, series_names, shown_columns
from adoption_desktop.reports.report_data import ComparedMeasure, ComparedTable, KeyFigures, ReportData
from adoption_desktop.reports.report_template import MARKER, template_path

NO_CHILDREN = "No children's journeys are recorded for this period."
NO_ADOPTERS_MEASURES = "No adopters' journey measures are recorded for this period."
#: the rows of the panel's and the ADM's figures about prospective adopters: they begin with the panel's
#: case type or the ADM's decision type, as each labels it (a list typed out here missed the ADM's
#: approvals — user trial)
ADOPTER_PREFIXES = tuple(dict.fromkeys(
    label for t in ("approval", "review", "termination", "early_permanence")
    for label in (panel_rules.CASE_TYPES[t], f"Items: {panel_rules.CASE_TYPES[t]}", adm_rules.BUILTIN_TYPES[t])))


def _period_headers(data: ReportData) -> list[str]:
    shown = [data.periods[i] for i in shown_columns(data.periods)]
    return [f"{name}\n{p.label}" for name, p in zip(series_names(data.periods), shown, strict=True)]


def _widths(data: ReportData, figure: float = 6.5) -> tuple[float, ...]:
    """The figure's column and one column per period shown, 17 cm in all."""
    n = len(series_names(data.periods))
    return (figure, *([(17.0 - figure) / n] * n))


def _repeat_header(row: object) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _table(doc: DocxDocument, header: Sequence[str], rows: Sequence[Sequence[str]],
           widths: Sequence[float] | None = None) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    _repeat_header(table.rows[0])
    for row in rows:
        new = table.add_row()
        new._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a row never breaks across pages
        for cell, text in zip(new.cells, row, strict=True):
            cell.text = text
    widths = widths or [17.0 / len(header)] * len(header)
    table.autofit = False
    for column, w in zip(table.columns, widths, strict=False):
        column.width = Cm(w)  # the table grid: what LibreOffice and Word lay out from
    for row in table.rows:
        for cell, w in zip(row.cells, widths, strict=False):
            cell.width = Cm(w)
    doc.add_paragraph()


def _compared(doc: DocxDocument, data: ReportData, table: ComparedTable, *, heading: bool = True) -> None:
    if heading:
        doc.add_heading(table.title, level=2)
    if not table.rows:
        doc.add_paragraph("Nothing recorded in any of the periods compared.")
        return
    _table(doc, ["Figure", *_period_headers(data)], [[r[0], *pick(r[1:], data.periods)] for r in table.rows],
           _widths(data))


def _picture(doc: DocxDocument, png: bytes, caption: str) -> None:
    """The chart and its caption, numbered in the order the figures appear ("Figure 4. …")."""
    number = 1 + paragraphs_in_style(doc, "Caption")
    caption = f"Figure {number}. " + re.sub(r"^Figure \d+\. ", "", caption)
    doc.add_picture(io.BytesIO(png), width=Cm(16.5))
    inline = doc.inline_shapes[-1]._inline
    inline.docPr.set("descr", caption)
    inline.docPr.set("title", caption)
    doc.add_paragraph(caption, style="Caption")


def _value(m: Measure | None) -> str:
    if m is None:
        return "–"
    if m.value is None:
        return "n/a"
    v = f"{m.value:.0f}" if abs(m.value - round(m.value)) < 0.05 else f"{m.value:.1f}"
    unit = "child" if m.unit == "children" and v == "1" else m.unit  # "1 child (n=3)", never "1 children"
    return f"{v} {unit}".strip() + f" (n={m.count})"


def _within(m: Measure) -> str:
    if m.within is None or not m.count:
        return "–"
    return f"{percent(m.within, m.count)} ({m.within} of {m.count})"


#: measures whose threshold is a number of months (the adopters' stages, plan to panel), not days
MONTH_THRESHOLDS = frozenset({"plan_to_panel_2m", "stage1_2m", "stage2_4m", "approval_6m"})


def _measure_name(m: Measure) -> str:
    """A scorecard measure is named with its code ("A1 …") once; the application's own measures by their
    label alone (their codes are internal)."""
    if re.fullmatch(r"A\d+", m.code) and not m.label.startswith(m.code):
        return f"{m.code} {m.label}"
    return m.label


def _threshold_unit(m: Measure) -> str:
    """The unit of a measure's threshold: months for the month timescales; days for a share of children
    within a number of days (A3); otherwise the measure's own unit."""
    if m.code in MONTH_THRESHOLDS:
        return "months"
    if m.code == "adm_7wd":
        return "working days"
    return "days" if m.unit == "%" else m.unit


def _measures(doc: DocxDocument, data: ReportData, rows: Sequence[ComparedMeasure], empty: str,
              chart_title: str) -> None:
    if not rows or all(c.current.count == 0 and (c.previous is None or c.previous.count == 0)
                       and (c.last_year is None or c.last_year.count == 0) for c in rows):
        doc.add_paragraph(empty)  # measures exist, but no child (or household) in any of the periods
        return
    # "Threshold" in the heading's bold type needs 2.4 cm (at 2 cm Word broke it as "Threshol/d")
    periods = (4.1, 2.4, 2.4, 2.4)[:1 + len(series_names(data.periods))]
    _table(doc, ["Measure", *_period_headers(data), "Threshold", "Within threshold"],
           [[_measure_name(c.current), *pick((_value(c.current), _value(c.previous), _value(c.last_year)),
                                             data.periods),
             "–" if c.current.threshold is None else f"{c.current.threshold:g} {_threshold_unit(c.current)}".strip(),
             _within(c.current)] for c in rows], (*periods, 2.4, 2.6))
    # a chart against the threshold where the figure and the threshold are in one unit (A3 is a share of
    # children, its threshold a number of days: the table says so, a chart would not)
    timed = [c.current for c in rows if c.current.threshold is not None and c.current.value is not None
             and _threshold_unit(c.current) == c.current.unit]
    for m in timed[:4]:
        # a measure with a threshold: this period against the threshold, beside the two comparisons
        vals = [m.value] + [x.value if x else None for x in (next(c for c in rows if c.current is m).previous,
                                                             next(c for c in rows if c.current is m).last_year)]
        png = charts.against_threshold(_measure_name(m), series_names(data.periods),
                                       [vals[i] for i in range(len(series_names(data.periods)))], m.threshold,
                                       unit=f" {m.unit}"
                                       if m.unit else "", threshold_label=f"Threshold {m.threshold:g} {m.unit}")
        _picture(doc, png, f"{chart_title}: {_measure_name(m)} against its threshold of {m.threshold:g} {m.unit}")
    doc.add_heading("Definitions", level=2)
    for c in rows:
        doc.add_paragraph(f"{_measure_name(c.current)}: {c.current.definition}", style="List Bullet")


def _fmt_pct(v: float | None) -> str:
    return "n/a" if v is None else percent(v)


def _summary(doc: DocxDocument, data: ReportData) -> None:
    k, prev, ly = data.key
    year = len(series_names(data.periods)) == 2  # the previous period is the same period last year
    doc.add_heading("Summary", level=1)
    items_before = (f"{prev.items} in the previous year" if year else
                    f"{prev.items} in the previous period, {ly.items} in the same period last year")
    within_before = (f"previous year {_fmt_pct(prev.adm_within_pct)}" if year else
                     f"previous period {_fmt_pct(prev.adm_within_pct)}, last year {_fmt_pct(ly.adm_within_pct)}")
    doc.add_paragraph(
        f"In {data.periods[0].label} the adoption panel sat {k.sittings} times and considered {k.items} items "
        f"({items_before}). "
        f"{k.adm_decisions} agency decisions were signed, with or without panel; "
        f"{_fmt_pct(k.adm_within_pct)} of the {k.adm_timed} with a due date were made by it ({within_before}). "
        f"The post box received {k.exchanges} items (letters, cards, photos) and the birth-records counselling "
        f"service received {k.referrals} referrals.")
    rows: list[tuple[str, Sequence[KeyFigures], str]] = []
    _table(doc, ["Figure", *_period_headers(data)], [
        [label, *pick([fn(x) for x in data.key], data.periods)] for label, fn in (
            ("Panel sittings held", lambda x: str(x.sittings)),
            ("Panel items considered", lambda x: str(x.items)),
            ("ADM decisions signed", lambda x: str(x.adm_decisions)),
            ("ADM decisions within the timescale (all decisions, with or without panel)",
             lambda x: "n/a" if x.adm_within_pct is None else f"{_fmt_pct(x.adm_within_pct)} "
                                                             f"({x.adm_within} of {x.adm_timed})"),
            ("Median working days, final minutes to ADM decision (waiting for information not counted)",
             lambda x: "n/a" if x.adm_median_wd is None else f"{x.adm_median_wd:g}"),
            ("Post box items received", lambda x: str(x.exchanges)),
            ("Birth-records counselling referrals", lambda x: str(x.referrals)),
        )], _widths(data))
    del rows
    shown = data.key[:len(series_names(data.periods))]
    _picture(doc, charts.compare_periods(
        "This year and the previous year" if year else
        "This period, the previous period and the same period last year", series_names(data.periods), [
            ("Panel items", [x.items for x in shown]),
            ("ADM decisions", [x.adm_decisions for x in shown]),
            ("Post box items received", [x.exchanges for x in shown]),
            ("Counselling referrals", [x.referrals for x in shown]),
        ]), "Figure 1. Main figures: this period (solid) and the previous year (hatched)" if year else
        "Figure 1. Main figures: this period (solid), the previous period (hatched) and the same period last "
        "year (light grey)")


def _chapter(doc: DocxDocument, data: ReportData, key: str) -> None:
    tables = data.chapters.get(key, ())
    if not tables:
        doc.add_paragraph("This area is not installed.")
    for t in tables:
        _compared(doc, data, t)


def _definitions(doc: DocxDocument, data: ReportData, *keys: str) -> None:
    """The chapter's *Definitions*: what a row counts where its label cannot say it all (two counts of items
    forwarded answer two questions: received in the period and passed on by its end; forwarded in it)."""
    defined = [d for key in keys for d in data.definitions.get(key, ())]
    if not defined:
        return
    doc.add_heading("Definitions", level=2)
    for label, meaning in defined:
        doc.add_paragraph(f"{label}: {meaning}", style="List Bullet")


def _adopters(doc: DocxDocument, data: ReportData) -> None:
    doc.add_heading("Adopters' journey", level=1)
    rows = [r for t in data.chapters.get("panel", ()) + data.chapters.get("adm", ())
            for r in t.rows if r[0].startswith(ADOPTER_PREFIXES)]
    doc.add_paragraph("Prospective adopters' approvals, reviews and terminations at panel and by the agency "
                      "decision maker.")
    _compared(doc, data, ComparedTable("Approvals and reviews", tuple(rows)))
    _chapter(doc, data, "adopters")
    _measures(doc, data, data.adopter_measures(), NO_ADOPTERS_MEASURES, "Adopters' journey")


def write_report_docx(data: ReportData, path: Path, *, template: Path | None = None) -> Path:
    """Write ``data`` as ``path`` (.docx), built from the editable template; atomic (a crash leaves no
    half-written file under the final name)."""
    doc = Document(str(template or template_path()))
    cache_style_lookups(doc)
    for section in doc.sections:
        for para in section.header.paragraphs:
            for run in para.runs:
                run.text = run.text.replace("{agency_name}", data.agency_name)
    for para in doc.paragraphs:
        if para.text.strip() == MARKER:
            para._p.getparent().remove(para._p)
            break
    p0, p1, p2 = data.periods
    doc.add_paragraph(f"{data.title}: {p0.label}", style="Title")
    compared = (f"the previous year ({p1.label})" if len(series_names(data.periods)) == 2 else
                f"the previous period ({p1.label}) and the same period last year ({p2.label})")
    doc.add_paragraph(f"{data.agency_name}. Compared with {compared}. Prepared {data.made_on:%d %B %Y}.",
                      style="Subtitle")
    _summary(doc, data)
    doc.add_heading("Panel activity", level=1)
    _chapter(doc, data, "panel")
    doc.add_heading("Membership and training", level=1)
    _compared(doc, data, data.membership, heading=False)
    _chapter(doc, data, "membership")  # make-up, attendance and appraisals (panel/makeup, attendance, appraisals)
    doc.add_heading("ADM decisions and timeliness", level=1)
    _chapter(doc, data, "adm")
    _compared(doc, data, data.adm_by_type)
    _picture(doc, charts.against_threshold(
        "Median working days from final minutes to ADM decision (waiting for information not counted), by "
        "quarter", data.quarters,
        [q.adm_median_wd for q in data.quarter_key], data.adm_threshold_wd, unit="",
        threshold_label=f"Timescale: {data.adm_threshold_wd} working days",
        notes=[f"{_fmt_pct(q.adm_within_pct)} in time" for q in data.quarter_key]),
        f"Figure 2. ADM timeliness over the last eight quarters against the {data.adm_threshold_wd}-working-day "
        "timescale (hatched bars are within it; the percentage under each quarter is the share decided in time)")
    doc.add_heading("Children's journey", level=1)
    _measures(doc, data, data.children_measures(), NO_CHILDREN, "Children's journey")
    for t in data.chapters.get("children", ()):
        if t.title != JOURNEY_TIMELINESS:  # the measures above, each with its threshold
            _compared(doc, data, t)
    _adopters(doc, data)
    doc.add_heading("Post box contact", level=1)
    _chapter(doc, data, "letterbox")
    _chapter(doc, data, "letterbox_contact")
    _definitions(doc, data, "letterbox", "letterbox_contact")
    doc.add_heading("Support for birth parents", level=1)
    _chapter(doc, data, "birth_parent_support")
    _definitions(doc, data, "birth_parent_support")
    doc.add_heading("Birth-records counselling", level=1)
    _chapter(doc, data, "counselling")
    doc.add_heading("Trends over the last eight quarters", level=1)
    _picture(doc, charts.trends("Last eight quarters (latest solid)", data.quarters, [
        ("Panel items considered", [q.items for q in data.quarter_key]),
        ("ADM decisions signed", [q.adm_decisions for q in data.quarter_key]),
        ("Post box items received", [q.exchanges for q in data.quarter_key]),
        ("Counselling referrals", [q.referrals for q in data.quarter_key]),
    ]), "Figure 3. Trends by financial-year quarter (Q1 is April–June); the latest quarter is solid"
        if data.financial_quarters else "Figure 3. Trends by calendar quarter; the latest quarter is solid")
    doc.add_paragraph("Figures are counts and durations only; no person can be identified from this report. "
                      "“–” means nothing was recorded; “n/a” means there was nothing to measure.")
    stamp(doc, title=f"{data.title}: {p0.label}", author=data.agency_name)
    path = Path(path)
    secure_umask()
    with output_file(path) as tmp:
        save_docx(doc, tmp)
    return path


def export_report(db: Database, actor: Principal, data: ReportData, out: Path) -> Path:
    """Write the report and audit its export (the period and the file name, no figures)."""
    from adoption_desktop.core import audit

    require(actor, Permission.REPORTS_VIEW)
    # the document gets its name only once its audit entry is committed
    with output_file(out) as tmp:
        write_report_docx(data, tmp)
        with db.session(actor) as session:
            audit.record(session, "export", "report", f"{data.periods[0].start}..{data.periods[0].end}",
                         detail=f"{data.kind} {Path(out).name}")
    return Path(out)
