"""The parts of the Ofsted pack as reportlab flowables: approved panel minutes (from the same
``panel.service.minutes_pack`` data as the Word minutes), the central list, ADM timeliness and figures."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from adoption_desktop.core.documents.letter_canvas import break_word
from adoption_desktop.core.documents.pdf import FONT, FONT_BOLD, long_date
from adoption_desktop.core.documents.pdf_flow import styles
from adoption_desktop.panel import rules as panel_rules
from adoption_desktop.panel.documents import people_rows
from adoption_desktop.panel.service import ItemRow, MemberRow, MinutesPack, advice_text
from adoption_desktop.reports.model import FigureSection

WIDTH = 170 * mm


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(text or "—").replace("\n", "<br/>"), styles()[style])


def _d(day: dt.date | None) -> str:
    return long_date(day) if day else "—"


#: a table cell's padding either side (reportlab's default), taken from the column's width for its text
CELL_PAD = 6.0


def cell_markup(text: str, width: float, font: str, size: float) -> str:
    """``text`` as a table cell's Paragraph markup: escaped, its line breaks kept, and a word wider than
    ``width`` broken after its hyphens (and inside a part only where that part alone is too wide:
    ``letter_canvas.break_word``) with a forced break. Left to reportlab, such a word was split wherever the
    column ran out ("Featherstonehaugh-Ch" / "olmondeley-…", user trial), and in a narrow column its embedded
    hyphenation drew part of it past the border."""
    def measure(part: str) -> float:
        return stringWidth(part, font, size)

    lines = []
    for line in text.split("\n"):
        tokens = re.split(r"(\s+)", line)
        lines.append("".join(
            "<br/>".join(escape(p) for p in break_word(t, width, measure)) if t.strip() and measure(t) > width
            else escape(t) for t in tokens))
    return "<br/>".join(lines)


def table(header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float] | None = None) -> Table:
    """A grid with a bold repeated header row; cells wrap (a long hyphenated name after its hyphens)."""
    st = styles()
    cell = st["body"].clone("cell", fontSize=8.5, leading=10.5, spaceAfter=0)
    head = cell.clone("cellhead", fontName=FONT_BOLD)
    col = [w * mm for w in widths] if widths else [WIDTH / len(header)] * len(header)
    data = [[Paragraph(cell_markup(h, w - 2 * CELL_PAD, head.fontName, head.fontSize), head)
             for h, w in zip(header, col, strict=True)]]
    data += [[Paragraph(cell_markup(str(v), w - 2 * CELL_PAD, cell.fontName, cell.fontSize), cell)
              for v, w in zip(r, col, strict=True)] for r in rows]
    t = Table(data, colWidths=col, repeatRows=1, spaceAfter=6)
    t.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.88, 0.88)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
    ]))
    return t


def _item(number: int, item: ItemRow, names: dict[int, str]) -> list[Flowable]:
    st = styles()
    flow: list[Flowable] = [Paragraph(escape(f"Item {number}: {item.case_label}"
                                             + (f" — {item.subject}" if item.subject.strip() else "")), st["h2"]),
                            _p(f"Presented by: {item.presenting_worker or '—'}")]
    if item.papers:
        flow.append(table(("Paper", "Received", "On time"),
                          [[p.label, _d(p.received_on) if p.received_on else "not received", p.on_time_text]
                           for p in item.papers], (90, 45, 35)))
    decl = "; ".join(f"{d.member_name}: {d.interest}" + (" (withdrew)" if d.withdrew else " (did not withdraw)")
                     for d in item.declarations) or "None declared."
    flow.append(_p(f"Declarations of interest: {decl}"))
    if item.absences:
        flow.append(_p("Not present for this item: " + "; ".join(x.text for x in item.absences) + "."))
    m = item.minutes
    d = m.draft if m else None
    flow.append(_p(f"Quorum: {m.quorum_statement if m and m.quorum_statement else item.quorum_text}"))
    flow.append(_p(f"Discussion: {d.discussion if d and d.discussion else '—'}"))
    if d and d.member_views:
        flow.append(table(("Member", "View"), [[names.get(k, f"Member {k}"), v] for k, v in d.member_views.items()],
                          (50, 120)))
    outcome = panel_rules.OUTCOMES.get(d.outcome, "Not yet recorded") if d and d.outcome else "Not yet recorded"
    rec = _sentence(outcome) + (f" {_sentence(d.recommendation_text)}" if d and d.recommendation_text else "")
    if d and d.vote:
        rec += f" Vote: {panel_rules.VOTES[d.vote]}" + (
            f" ({d.votes_for} for, {d.votes_against} against)" if d.vote == "majority" else "") + "."
    flow.append(_p(f"Recommendation: {rec}"))
    if d and d.outcome == "deferred":
        flow.append(_p(f"Deferred because: {d.deferral_reason}"))
    flow.append(_p(f"Reasons: {d.reasons if d and d.reasons else '—'}"))
    flow.append(_p(f"Advice: {advice_text(d) if d and advice_text(d) else 'None.'}"))
    if m and m.locked:
        flow.append(_p(f"Minutes of this item approved by {m.approved_by_name} on {_d(m.approved_on)} "
                       f"(version {m.version})." + (f" Correction: {m.correction_reason}" if m.correction_reason
                                                    else ""), "small"))
    return flow


def minutes_flowables(pack: MinutesPack) -> list[Flowable]:
    """One sitting's approved minutes, in the same order and wording as the Word minutes."""
    st = styles()
    s = pack.sitting
    flow: list[Flowable] = [
        Paragraph(escape(f"Adoption panel minutes: {_d(s.sitting_date)}"), st["head"]), Spacer(1, 4),
        table(("Sitting", ""), [["Date", _d(s.sitting_date)], ["Time", f"{s.start_time}–{s.end_time}"],
                                ["Venue", s.place or "—"], ["Final minutes due", _d(s.minutes_due)]], (50, 120)),
        Paragraph("Members present", st["h2"]),
        table(("Name", "Role"), people_rows(pack.present), (70, 100)) if pack.present else _p("None recorded."),
    ]
    if pack.advisers:
        flow += [Paragraph("Advisers in attendance (not members)", st["h2"]),
                 table(("Name", "Role"), people_rows(pack.advisers), (70, 100))]
    flow.append(_p("Apologies: " + (", ".join(f"{a.full_name} ({a.role_label})" for a in pack.apologies)
                                    or "None.")))
    if pack.absent:
        flow.append(_p("Absent: " + ", ".join(f"{a.full_name} ({a.role_label})" for a in pack.absent)))
    for n, item in enumerate(pack.items, start=1):
        parts = _item(n, item, pack.member_names)
        flow.append(KeepTogether(parts[:3]))
        flow += parts[3:]
    return flow


def _appraisal(m: MemberRow) -> dt.date | None:
    """When the member's next appraisal falls due, as the central list counts it."""
    return m.next_appraisal or m.appraisal_due


def _appraisal_cell(due: dt.date | None, as_of: dt.date) -> str:
    return f"{due:%d/%m/%Y}" + (" OVERDUE" if due < as_of else "") if due else "not set"


def _recorded_cell(day: dt.date | None, as_of: dt.date, missing: str, mark: str = "") -> str:
    """A date kept only as the latest recorded (DBS check, training): one after ``as_of`` is said to be so
    (what stood at ``as_of`` is not known); ``mark`` (RENEWAL DUE) only for one on or before it."""
    if day is None:
        return missing
    if day > as_of:
        return f"{day:%d/%m/%Y} (after {as_of:%d/%m/%Y})"
    return f"{day:%d/%m/%Y}" + (f" {mark}" if mark else "")


def central_list_flowables(members: Sequence[MemberRow], as_of: dt.date, dbs_years: int = 3, *,
                           recorded_on: dt.date | None = None) -> list[Flowable]:
    """The members and advisers on the list at ``as_of``; an overdue appraisal and a DBS check older than
    ``dbs_years`` (the ``panel.dbs_renewal_years`` setting) are marked.

    The appraisal columns are as ``members`` give them (``ofsted.members_as_of``: as they stood at
    ``as_of``, from the appraisals recorded). DBS and training dates are kept only as the latest recorded:
    for a pack made on ``recorded_on``, later than ``as_of``, the pack says those columns are as recorded
    that day, and a date after ``as_of`` is marked so (a trial's pack "at 30 September 2026" showed a last
    training of 11/10/2026)."""
    from adoption_desktop.panel.rules import dbs_renewal_due
    st = styles()
    current = [m for m in members if m.active_on(as_of)]
    rows = [[m.full_name, m.role_label + (" (independent)" if m.independent and not m.is_adviser else ""),
             f"from {m.joined_on:%d/%m/%Y}" + (f" to {m.leaves_on:%d/%m/%Y}" if m.leaves_on else ""),
             # an inspector reads which members are overdue, not just how many (the count said 2 and the
             # table did not show which)
             # the date the central list's warning counts from (rules.next_appraisal_due: never more than a
             # year after the last appraisal held), so the pack and the screen agree
             _appraisal_cell(_appraisal(m), as_of),
             _recorded_cell(m.dbs_checked_on, as_of, "not recorded",
                            "RENEWAL DUE" if m.dbs_checked_on and dbs_renewal_due(m.dbs_checked_on, dbs_years) < as_of
                            else ""),
             _recorded_cell(m.training_on, as_of, "not recorded")]
            for m in sorted(current, key=lambda m: (m.is_adviser, m.role_label, m.full_name))]
    overdue = sum(1 for m in current if (due := _appraisal(m)) and due < as_of)
    flow: list[Flowable] = [
        Paragraph("Central list of panel members", st["head"]), Spacer(1, 4),
        _p(f"Members and advisers on the central list at {_d(as_of)}: {len(current)}. "
           f"Appraisals overdue: {overdue}" + (" (marked OVERDUE in the table)." if overdue else "."))]
    if recorded_on is not None and recorded_on > as_of:
        flow.append(_p(f"Appraisal due is as it stood at {_d(as_of)}, from the appraisals recorded. DBS checked "
                       f"and Last training are as recorded today ({recorded_on:%d/%m/%Y}), not at {_d(as_of)}: "
                       "only the latest date of each is kept, so a date after "
                       f"{as_of:%d/%m/%Y} is marked \"(after {as_of:%d/%m/%Y})\" and the one before it is not "
                       "known here."))
    flow.append(table(("Name", "Role", "Term", "Appraisal due", "DBS checked", "Last training"), rows,
                      (33, 37, 25, 25, 25, 25)))
    return flow


def adm_flowables(by_type: Sequence[Sequence[str]], by_quarter: Sequence[Sequence[str]], threshold: int,
                  start: dt.date, end: dt.date) -> list[Flowable]:
    st = styles()
    return [Paragraph("Agency decision maker: timeliness", st["head"]), Spacer(1, 4),
            _p(f"Decisions signed {_d(start)} to {_d(end)}; the timescale is {threshold} working days from "
               "receipt of the final panel minutes (paused while more information is asked for); the median "
               "working days (Median WD) leave out the same paused days."),
            Paragraph("By decision type", st["h2"]),
            table(("Decision type", "Signed", "With a timescale", "Within it", "% within", "Median WD"),
                  by_type, (50, 22, 26, 22, 22, 28)) if by_type else _p("No decisions signed."),
            Paragraph("By quarter", st["h2"]),
            table(("Quarter", "Signed", "With a timescale", "Within it", "% within", "Median WD"),
                  by_quarter, (50, 22, 26, 22, 22, 28))]


def figures_flowables(sections: Sequence[FigureSection], start: dt.date, end: dt.date) -> list[Flowable]:
    st = styles()
    flow: list[Flowable] = [Paragraph("Figures for the year", st["head"]), Spacer(1, 4),
                            _p(f"{_d(start)} to {_d(end)}. Counts and durations only.")]
    for section in sections:
        flow.append(Paragraph(escape(section.title), st["h2"]))
        flow.append(table(("Figure", "Value"), section.rows, (110, 60)) if section.rows else _p("None."))
    return flow


def _sentence(text: str) -> str:
    """``text`` ending as a sentence: its own closing mark kept ("…report?", 'See "Recommended."'), a full
    stop added only when it has none (a review found "report?. Vote:")."""
    text = text.rstrip()
    return text if text.endswith((".", "?", "!", ".\"", ".'", ".”", ".’", "?\"", "!\"")) else f"{text}."
