"""The Ofsted pack: one bookmarked PDF with what inspectors ask for first.

1. Index (the sections and their first pages)
2. The last three sets of approved panel minutes (sittings on or before the pack's date whose every item's
   minutes were approved on or before that date), each rendered from ``panel.service.minutes_pack`` with,
   per item, the newest version approved by then (a later correction is not in the pack)
3. The central list: panel members and advisers with roles, terms, appraisal, DBS and training dates
4. ADM timeliness for the twelve months to the pack's date (by decision type and by quarter)
5. The figures for the year (every area's report figures for the twelve months)

Each part is laid out with reportlab platypus, the parts are merged with pypdf and every section gets an
outline entry (each sitting's minutes a child entry). Creating the pack is audited.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from reportlab.platypus import Flowable, Paragraph, Spacer
from sqlalchemy import select

from adoption_desktop.adm import rules as adm_rules
from adoption_desktop.adm.settings import DECISION_DUE_WD
from adoption_desktop.core import audit
from adoption_desktop.core.documents.letterhead import letterhead
from adoption_desktop.core.documents.pdf import Letterhead, long_date
from adoption_desktop.core.documents.pdf_flow import styles
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.files import output_file, scratch_folder
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage.engine import Database, secure_umask
from adoption_desktop.core.wording import percent
from adoption_desktop.panel import service as panel_service
from adoption_desktop.panel.models import PanelItem, PanelMinutes, PanelSitting
from adoption_desktop.panel.settings import DBS_RENEWAL_YEARS
from adoption_desktop.reports import ofsted_parts, service
from adoption_desktop.reports.periods import (
    Period,
    add_months,
    future_end_problem,
    quarter_label,
    quarters_to,
)
from adoption_desktop.reports.report_data import _decisions

MINUTES_SETS = 3
FOOTER = "OFFICIAL-SENSITIVE: Ofsted pack; contains personal information. Keep it secure."
SECTION_TITLES = ("Index", "Approved panel minutes", "Central list of panel members", "ADM timeliness",
                  "Figures for the year")


@dataclass(frozen=True)
class PackSection:
    title: str
    first_page: int  # 1-based, in the merged pack
    pages: int
    children: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class PackResult:
    path: Path
    sections: tuple[PackSection, ...]
    sittings: tuple[dt.date, ...]


def approved_sittings(db: Database, actor: Principal, as_of: dt.date, count: int = MINUTES_SETS) -> list[int]:
    """The last ``count`` sittings on or before ``as_of`` each of whose items has a version of its minutes
    approved on or before ``as_of`` (the pack shows, per item, the newest such version): a pack as of
    30/09/2026 made in December carried the minutes of 29/09/2026 approved on 2 and 8 October (user trial),
    which an inspection on 30 September could not have had."""
    require(actor, Permission.PANEL_VIEW)
    found: list[int] = []
    with db.session(actor, write=False) as session:
        sittings = list(session.scalars(
            select(PanelSitting.id).where(PanelSitting.sitting_date <= as_of, PanelSitting.status != "cancelled")
            .order_by(PanelSitting.sitting_date.desc(), PanelSitting.id.desc())))
        for sitting_id in sittings:
            items = list(session.scalars(select(PanelItem.id).where(PanelItem.sitting_id == sitting_id)))
            if not items:
                continue
            # per item, any version approved by the date: a correction started (or approved) after it
            # leaves the minutes an inspection on that date could have had (review: a correction made in
            # December dropped the sitting from a pack as of September)
            approved = set(session.scalars(
                select(PanelMinutes.item_id).where(PanelMinutes.item_id.in_(items),
                                                   PanelMinutes.status == "approved",
                                                   PanelMinutes.approved_on <= as_of)))
            if all(i in approved for i in items):
                found.append(sitting_id)
                if len(found) == count:
                    break
    return found


def members_as_of(db: Database, actor: Principal, day: dt.date) -> list[panel_service.MemberRow]:
    """The central list with each member's appraisal as it stood on ``day`` (the last appraisal held on or
    before it and the due date then: ``panel.rules.appraisal_as_it_stood``). DBS and training dates are
    kept only as the latest recorded; :func:`ofsted_parts.central_list_flowables` says so."""
    from adoption_desktop.panel import rules as panel_rules
    from adoption_desktop.panel.models import PanelAppraisal

    members = panel_service.list_members(db, actor, today=day)
    held: dict[int, list[tuple[dt.date | None, dt.date]]] = {}
    with db.session(actor, write=False) as session:
        for member_id, due_on, done_on in session.execute(
                select(PanelAppraisal.member_id, PanelAppraisal.due_on, PanelAppraisal.done_on)):
            held.setdefault(member_id, []).append((due_on, done_on))
    out = []
    for m in members:
        due, last = panel_rules.appraisal_as_it_stood(m.appraisal_due, held.get(m.id, ()), day)
        out.append(replace(m, appraisal_due=due, appraised_on=last,
                           next_appraisal=panel_rules.next_appraisal_due(due, last)))
    return out


def _pct(part: int, whole: int) -> str:
    return percent(part, whole) if whole else "n/a"


def adm_timeliness(db: Database, actor: Principal, year: Period) -> tuple[list[list[str]], list[list[str]], int]:
    """(rows by decision type, rows by quarter, timescale in working days) for decisions signed in ``year``."""
    require(actor, Permission.ADM_VIEW)
    quarters = quarters_to(year.end, 5)  # the year's first quarter may be a part of one
    with db.session(actor, write=False) as session:
        threshold = int(get_setting(session, DECISION_DUE_WD))
        decisions = _decisions(session, year.start, year.end)

    def row(label: str, rows: Sequence[tuple[str, str, dt.date, dt.date | None, dt.date, int]]) -> list[str]:
        timed = [r for r in rows if r[3] is not None]
        within = sum(1 for r in timed if r[3] is not None and r[4] <= r[3])
        wd = [r[5] for r in rows if r[1] == "panel"]  # time waiting for information not counted
        return [label, str(len(rows)), str(len(timed)), str(within), _pct(within, len(timed)),
                f"{statistics.median(wd):g}" if wd else "n/a"]

    by_type = [row(adm_rules.type_label(t), [d for d in decisions if d[0] == t])
               for t in sorted({d[0] for d in decisions})]
    if decisions:
        by_type.append(row("All decisions", decisions))
    by_quarter = []
    for q in quarters:
        start, end = max(q.start, year.start), min(q.end, year.end)
        if start > end:
            continue
        label = quarter_label(q) + ("" if (start, end) == (q.start, q.end) else
                                    f" ({start:%d/%m}–{end:%d/%m})")
        by_quarter.append(row(label, [d for d in decisions if start <= d[4] <= end]))
    return by_type, by_quarter, threshold


def _index(titles: Sequence[tuple[str, int]], agency: str, as_of: dt.date, sittings: Sequence[dt.date]
           ) -> list[Flowable]:
    st = styles()
    flow: list[Flowable] = [Paragraph(f"Ofsted pack: {agency}", st["head"]), Spacer(1, 4),
                            Paragraph(f"As of {long_date(as_of)}. Prepared for inspection; contains personal "
                                      "information about panel members: keep it secure.", st["body"]),
                            Spacer(1, 8)]
    flow.append(ofsted_parts.table(("Section", "Page"), [[t, str(p)] for t, p in titles], (140, 30)))
    if sittings:
        flow.append(Spacer(1, 8))
        flow.append(Paragraph("Minutes included: " + "; ".join(long_date(d) for d in sittings) + ".", st["body"]))
    else:
        flow.append(Paragraph("No sitting on or before this date has all its minutes approved.", st["body"]))
    return flow


def _write_part(path: Path, flowables: list[Flowable], head: Letterhead, title: str) -> None:
    """A part of the pack: the letterhead footer line without the part's own page numbers (the merged
    pack is numbered as a whole by :func:`_stamp_page_numbers`)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    from adoption_desktop.core.documents.pdf import FONT, register_fonts

    register_fonts()
    doc = BaseDocTemplate(str(path), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                          bottomMargin=20 * mm, title=title, author=head.agency_name)

    def footer(c: Canvas, d: BaseDocTemplate) -> None:
        c.saveState()
        c.setFont(FONT, 7.5)
        c.setFillColor(colors.grey)
        c.drawString(d.leftMargin, 10 * mm, head.footer)
        c.restoreState()

    doc.addPageTemplates([PageTemplate(id="pack", frames=[Frame(doc.leftMargin, doc.bottomMargin, doc.width,
                                                                doc.height, id="body")], onPage=footer)])
    doc.build(flowables)


def _stamp_page_numbers(writer: PdfWriter, scratch: Path) -> None:
    """Each part numbers its own pages in its footer; the index refers to pages of the whole pack, so
    every page gets "Ofsted pack, page i of n" at the bottom right."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from adoption_desktop.core.documents.pdf import FONT, register_fonts

    register_fonts()
    total = len(writer.pages)
    c = Canvas(str(scratch), pagesize=A4)
    for i in range(1, total + 1):
        c.setFont(FONT, 8)
        c.drawRightString(A4[0] - 20 * mm, 10 * mm, f"Ofsted pack, page {i} of {total}")
        c.showPage()
    c.save()
    numbers = PdfReader(str(scratch))
    for page, stamp in zip(writer.pages, numbers.pages, strict=True):
        page.merge_page(stamp)


def as_of_problem(as_of: dt.date, today: dt.date | None = None) -> str:
    """Why the pack cannot be made as of ``as_of`` ("" when it can): a date after today, refused as
    ``export report`` refuses a period ending after today (``periods.future_end_problem``)."""
    return future_end_problem(Period(as_of, as_of), today or dt.date.today(), pack=True)


def write_ofsted_pack(db: Database, actor: Principal, out: Path, *, as_of: dt.date | None = None,
                      progress: Callable[[int, int], None] | None = None,
                      today: dt.date | None = None) -> PackResult:
    """Build the pack as ``out`` (PDF, atomic) and audit its creation. ``as_of`` (default ``today``, the
    real today unless given) may not be after ``today``: refused with a ValidationError, nothing written."""
    require(actor, Permission.ADM_VIEW, Permission.PANEL_VIEW, Permission.REPORTS_VIEW)
    today = today or dt.date.today()
    day = as_of or today
    if problem := as_of_problem(day, today):
        raise ValidationError(problem, "as_of")
    year = Period(add_months(day, -12) + dt.timedelta(days=1), day)
    with db.session(actor, write=False) as session:
        head = replace(letterhead(session), footer=FOOTER)
    sitting_ids = approved_sittings(db, actor, day)
    steps = len(sitting_ids) + 4
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, steps)

    secure_umask()
    # a private folder, swept by the next export if this one is killed before it removes it
    with scratch_folder("ofsted-pack-") as tmp:
        parts: list[tuple[str, Path, tuple[str, ...]]] = []
        minutes_paths: list[Path] = []
        dates: list[dt.date] = []
        for sid in sitting_ids:
            # read only: the exports are recorded with the pack's own entry, as the pack is delivered
            pack = panel_service.minutes_pack(db, actor, sid, today=day, record_export=False, approved_by=day)
            dates.append(pack.sitting.sitting_date)
            path = tmp / f"minutes-{sid}.pdf"
            _write_part(path, ofsted_parts.minutes_flowables(pack), head,
                           f"Panel minutes {pack.sitting.sitting_date:%d/%m/%Y}")
            minutes_paths.append(path)
            tick()
        members = members_as_of(db, actor, day)
        with db.session(actor, write=False) as session:
            dbs_years = int(get_setting(session, DBS_RENEWAL_YEARS))
        central = tmp / "central.pdf"
        _write_part(central, ofsted_parts.central_list_flowables(members, day, dbs_years, recorded_on=today),
                    head, "Central list")
        tick()
        by_type, by_quarter, threshold = adm_timeliness(db, actor, year)
        adm = tmp / "adm.pdf"
        _write_part(adm, ofsted_parts.adm_flowables(by_type, by_quarter, threshold, year.start, year.end),
                       head, "ADM timeliness")
        tick()
        figures = tmp / "figures.pdf"
        _write_part(figures, ofsted_parts.figures_flowables(
            service.collect(db, actor, year.start, year.end), year.start, year.end), head, "Figures for the year")
        tick()
        if minutes_paths:
            merged_minutes = tmp / "minutes.pdf"
            w = PdfWriter()
            for p in minutes_paths:
                w.append(str(p))
            w.write(str(merged_minutes))
        else:
            merged_minutes = tmp / "minutes.pdf"
            _write_part(merged_minutes, [Paragraph("Approved panel minutes", styles()["head"]), Paragraph(
                "No sitting on or before this date has all its minutes approved.", styles()["body"])],
                head, "Approved panel minutes")
        parts = [(SECTION_TITLES[1], merged_minutes, ()), (SECTION_TITLES[2], central, ()),
                 (SECTION_TITLES[3], adm, ()), (SECTION_TITLES[4], figures, ())]
        counts = [len(PdfReader(str(p)).pages) for _t, p, _c in parts]
        minutes_pages = [len(PdfReader(str(p)).pages) for p in minutes_paths]
        # the index is one page; it is built last, once every section's first page is known
        first = 2
        starts = []
        for n in counts:
            starts.append(first)
            first += n
        index = tmp / "index.pdf"
        _write_part(index, _index([(t, s) for (t, _p, _c), s in zip(parts, starts, strict=True)],
                                     head.agency_name, day, dates), head, "Ofsted pack")
        index_pages = len(PdfReader(str(index)).pages)
        if index_pages != 1:  # a very long index: shift every section
            starts = [s + index_pages - 1 for s in starts]
            _write_part(index, _index([(t, s) for (t, _p, _c), s in zip(parts, starts, strict=True)],
                                         head.agency_name, day, dates), head, "Ofsted pack")
        writer = PdfWriter()
        writer.append(str(index))
        for _t, p, _c in parts:
            writer.append(str(p))
        _stamp_page_numbers(writer, tmp / "numbers.pdf")
        sections = [PackSection(SECTION_TITLES[0], 1, index_pages)]
        writer.add_outline_item(title=SECTION_TITLES[0], page_number=0)
        for (title, _p, _c), start, n in zip(parts, starts, counts, strict=True):
            parent = writer.add_outline_item(title=title, page_number=start - 1)
            children: list[tuple[str, int]] = []
            if title == SECTION_TITLES[1]:
                page = start
                for d, pages in zip(dates, minutes_pages, strict=True):
                    label = f"Minutes of {long_date(d)}"
                    writer.add_outline_item(title=label, page_number=page - 1, parent=parent)
                    children.append((label, page))
                    page += pages
            sections.append(PackSection(title, start, n, tuple(children)))
        writer.add_metadata({"/Title": f"Ofsted pack {day:%d/%m/%Y}", "/Author": head.agency_name})
        writer.page_mode = "/UseOutlines"
        out = Path(out)
        # The pack gets its name only once its audit entries are committed, all in one transaction (the
        # minutes it carries and the pack itself): an interruption or failure before then leaves neither.
        with output_file(out) as partial:
            with partial.open("wb") as fh:
                writer.write(fh)
            with db.session(actor) as session:
                for sid in sitting_ids:
                    panel_service.record_minutes_export(session, sid, detail=f"minutes, in the Ofsted pack {out.name}")
                audit.record(session, "export", "ofsted_pack", day.isoformat(),
                             detail=f"{out.name}: minutes of {len(dates)} sittings, "
                                    f"{sum(counts) + index_pages} pages")
    tick()
    return PackResult(out, tuple(sections), tuple(dates))
