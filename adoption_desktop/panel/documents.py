"""Panel exports: Word minutes (whole sitting or one item) from the editable template, the sittings
calendar as ``.ics`` (no personal data) and PDF invitation letters to prospective adopters.

Subjects appear only as agency case number and initials on anything that leaves the application.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.shared import Pt, RGBColor
from docx.table import Table

from adoption_desktop.core.documents.docx_properties import save_docx, stamp
from adoption_desktop.core.documents.docx_styles import cache_style_lookups
from adoption_desktop.core.documents.pdf import Letter, Letterhead, long_date, write_letters
from adoption_desktop.core.documents.templates import load_template
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.files import output_file
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.workdays import DEFAULT_CALENDAR, WorkingCalendar
from adoption_desktop.panel import rules
from adoption_desktop.panel.minutes_template import MARKER, template_path
from adoption_desktop.panel.service import AttendanceRow, ItemRow, MinutesPack, SittingRow, advice_text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from adoption_desktop.core.security.permissions import Principal

DRAFT_RED = RGBColor(0xB0, 0x00, 0x20)

_WATERMARK = (
    '<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
    '<w:r><w:pict><v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:path textpathok="t" o:connecttype="custom"/>'
    '<v:textpath on="t" fitshape="t"/></v:shapetype>'
    '<v:shape id="PowerPlusWaterMarkObject1" o:spid="_x0000_s1025" type="#_x0000_t136" '
    'style="position:absolute;margin-left:0;margin-top:0;width:460pt;height:150pt;rotation:315;'
    'z-index:-251657216;mso-position-horizontal:center;mso-position-horizontal-relative:margin;'
    'mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f" '
    'fillcolor="#d8d8d8" stroked="f"><v:fill opacity=".5"/>'
    '<v:textpath style="font-family:&quot;Arial&quot;;font-size:1pt" string="DRAFT"/></v:shape>'
    '</w:pict></w:r></w:p>'
)


def _fmt(day: dt.date | None) -> str:
    return long_date(day) if day else "—"


def _open_template(pack: MinutesPack, template: Path | None) -> DocxDocument:
    if template is None and pack.template_docx is not None:  # the agency's own (template_versions)
        doc = Document(io.BytesIO(pack.template_docx))
    else:
        doc = Document(str(template or template_path()))
    cache_style_lookups(doc)
    values = {**pack.header, "{agency_name}": pack.agency_name,
              "{agency_address}": pack.agency_address.replace("\n", ", ")}
    for section in doc.sections:
        for part in (section.header, section.footer):
            for para in part.paragraphs:
                for run in para.runs:
                    for key, value in values.items():
                        if key in run.text:
                            run.text = run.text.replace(key, value)
    return doc


def _marker_paragraph(doc: DocxDocument) -> None:
    for para in doc.paragraphs:
        if para.text.strip() == MARKER:
            para._p.getparent().remove(para._p)
            return


def _table(doc: DocxDocument, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    return table


def _labelled(doc: DocxDocument, label: str, text: str) -> None:
    para = doc.add_paragraph()
    para.add_run(f"{label}: ").bold = True
    para.add_run(text or "—")


def people_rows(rows: Sequence[AttendanceRow]) -> list[list[str]]:
    """Name and role of each person at a sitting, as the minutes (Word, and the Ofsted pack's PDF) list them."""
    out = []
    for a in rows:
        extra = []
        if a.independent and not a.is_adviser:
            extra.append("independent")
        if a.pqe_years is not None and not a.is_adviser:  # counts to quorum whatever the role
            extra.append("1 year's PQE" if a.pqe_years == 1 else f"{a.pqe_years} years' PQE")
        out.append([a.full_name, a.role_label + (f" ({', '.join(extra)})" if extra else "")])
    return out


def _sitting_quorum(pack: MinutesPack) -> str:
    present = [rules.QuorumMember(rules.quorum_role(a.role_type), a.pqe_years, a.independent) for a in pack.present]
    if not present and not pack.apologies and not pack.absent:
        return "Attendance not recorded yet; quorum is checked for each item once it is."
    result = rules.check_quorum(present, pack.rule)
    base = result.summary.replace("for this item", "at the start of the sitting")
    return base + " Quorum was checked again for each item (see below)."


def declared_lines(interest: str) -> list[str]:
    """A declared interest's lines as the minutes show them: each line's spaces and tabs made single spaces
    (a pasted "•<tab>"), blank lines dropped; "—" when nothing is left."""
    return [" ".join(line.split()) for line in interest.splitlines() if line.strip()] or ["—"]


def _item_section(doc: DocxDocument, number: int, item: ItemRow, names: dict[int, str],
                  order: Sequence[int] = ()) -> None:
    """One agenda item; ``order``: the members as "Members present" lists them, whose views follow that order
    (a member not listed there comes after, by name), so each member present can be checked against a view."""
    doc.add_heading(f"Item {number}: {item.case_label}" + (f" — {item.subject}" if item.subject.strip() else ""),
                    level=1)
    _labelled(doc, "Presented by", item.presenting_worker)
    if item.time_slot:
        _labelled(doc, "Time", item.time_slot)
    doc.add_heading("Papers considered", level=2)
    _table(doc, ("Paper", "Received", "On time"),
           [[p.label, _fmt(p.received_on) if p.received_on else "not received", p.on_time_text]
            for p in item.papers])
    doc.add_heading("Declarations of interest", level=2)
    if item.declarations:
        for dec in item.declarations:
            # the interest as the member declared it, one block: its lines kept, blank lines dropped (typed
            # on several lines, it showed a bullet with an empty line and a pasted bullet inside it)
            doc.add_paragraph(f"{dec.member_name}: " + "\n".join(declared_lines(dec.interest)), style="List Bullet")
            # the withdrawal is the minute-taker's record, not the member's words: a sentence of its own
            # (it was glued onto the last line typed); what was recorded, no more: nobody records that
            # the chair agreed
            said = doc.add_paragraph(f"{dec.member_name} " + ("withdrew and did not take part in this item."
                                                              if dec.withdrew else
                                                              "did not withdraw, and took part in this item."))
            said.paragraph_format.left_indent = Pt(18)  # under the declaration's text, not a bullet of its own
    else:
        doc.add_paragraph("None declared.")
    if item.absences:
        doc.add_heading("Not present for this item", level=2)
        for x in item.absences:
            doc.add_paragraph(f"{x.text}: not counted in the quorum for this item and took no part in the "
                              "recommendation.", style="List Bullet")
    m = item.minutes
    _labelled(doc, "Quorum for this item", m.quorum_statement if m and m.quorum_statement else item.quorum_text)
    d = m.draft if m else None
    doc.add_heading("Discussion", level=2)
    doc.add_paragraph(d.discussion if d and d.discussion else "—")
    doc.add_heading("Members' views", level=2)
    if d and d.member_views:
        place = {mid: n for n, mid in enumerate(order)}
        views = sorted(d.member_views.items(), key=lambda kv: (place.get(kv[0], len(place)),
                                                                names.get(kv[0], f"Member {kv[0]}")))
        _table(doc, ("Member", "View"), [[names.get(k, f"Member {k}"), v] for k, v in views])
    else:
        doc.add_paragraph("—")
    doc.add_heading("Recommendation", level=2)
    para = doc.add_paragraph()
    para.add_run(rules.OUTCOMES.get(d.outcome, "Not yet recorded") if d and d.outcome else "Not yet recorded").bold = True
    if d and d.recommendation_text:
        para.add_run(f". {d.recommendation_text}")
    if d and d.vote:
        vote = rules.VOTES[d.vote]
        if d.vote == "majority":
            vote += f": {d.votes_for} for, {d.votes_against} against"
        _labelled(doc, "Vote", vote)
    if d and d.outcome == "deferred":
        _labelled(doc, "Deferred because", d.deferral_reason)
    doc.add_heading("Reasons", level=2)
    doc.add_paragraph(d.reasons if d and d.reasons else "—")
    doc.add_heading("Advice", level=2)
    doc.add_paragraph(advice_text(d) if d and advice_text(d) else "None.")
    status = doc.add_paragraph()
    if m and m.locked:
        status.add_run(f"Minutes of this item approved by {m.approved_by_name} on {_fmt(m.approved_on)} "
                       f"(version {m.version}).").italic = True
        if m.correction_reason:
            status.add_run(f" Correction of version {m.version - 1}: {m.correction_reason}").italic = True
    else:
        run = status.add_run("DRAFT — these minutes have not been approved by the chair.")
        run.bold = True
        run.font.color.rgb = DRAFT_RED


def _sitting_block(doc: DocxDocument, s: SittingRow, pack: MinutesPack) -> None:
    _table(doc, ("Sitting", ""), [
        ["Date", _fmt(s.sitting_date)], ["Time", f"{s.start_time}–{s.end_time}"],
        *([["Venue", s.venue]] if s.venue else []), *([["Video link", s.virtual_link]] if s.virtual_link else []),
        *([] if s.venue or s.virtual_link else [["Venue", "—"]]), ["Final minutes due", _fmt(s.minutes_due)]])
    doc.add_heading("Members present", level=1)
    _table(doc, ("Name", "Role"), people_rows(pack.present)) if pack.present else doc.add_paragraph("None recorded.")
    doc.add_heading("Advisers in attendance (not members)", level=2)
    _table(doc, ("Name", "Role"), people_rows(pack.advisers)) if pack.advisers else doc.add_paragraph("None.")
    doc.add_heading("Apologies", level=2)
    doc.add_paragraph(", ".join(f"{a.full_name} ({a.role_label})" for a in pack.apologies) or "None.")
    if pack.absent:
        _labelled(doc, "Absent", ", ".join(f"{a.full_name} ({a.role_label})" for a in pack.absent))
    doc.add_heading("Quorum", level=2)
    doc.add_paragraph(_sitting_quorum(pack))


def chair_approval(pack: MinutesPack) -> tuple[list[list[str]], bool]:
    """The rows of the chair's approval block (name, date, version, status) and whether every item is
    approved. The chair is the one who approved the minutes (``approved_by_name``), else the chair (or vice
    chair) present at the sitting."""
    minutes = [i.minutes for i in pack.items]
    approved = [m for m in minutes if m is not None and m.locked]
    all_approved = bool(pack.items) and len(approved) == len(pack.items)
    present_chair = next((a.full_name for a in pack.present if a.role_type == "chair"), "") or next(
        (a.full_name for a in pack.present if a.role_type == "vice_chair"), "")
    approvers = sorted({m.approved_by_name for m in approved if m.approved_by_name})
    name = ", ".join(approvers) or present_chair or "—"
    dates = [m.approved_on for m in approved if m.approved_on]
    if all_approved and dates:
        date_text = _fmt(max(dates))
    elif dates:
        date_text = f"{_fmt(max(dates))} (some items not yet approved)"
    else:
        date_text = "not yet approved"
    if len(pack.items) == 1:
        m0 = minutes[0]
        version = f"version {m0.version}" if m0 is not None else "no minutes yet"
    else:
        version = "; ".join(f"item {n}: " + (f"version {m.version}" if m is not None else "no minutes yet")
                            for n, m in enumerate(minutes, start=1)) or "—"
    status = "Approved by the chair" if all_approved else "DRAFT — not approved by the chair"
    return [["Chair", name], ["Date approved", date_text], ["Version", version], ["Status", status]], all_approved


def _approval_block(doc: DocxDocument, pack: MinutesPack) -> None:
    """The chair's approval at the end of the minutes; a draft gets a signature and date line to sign."""
    rows, approved = chair_approval(pack)
    heading = doc.add_heading("Approval by the chair", level=1)
    heading.paragraph_format.keep_with_next = True
    table = _table(doc, ("Approval", ""), rows)
    for row in table.rows:
        for cell in row.cells:
            for para in cell.paragraphs:
                para.paragraph_format.keep_with_next = True
    if approved:
        doc.add_paragraph("These minutes were approved by the chair in Adoption Desktop (signed with the "
                          "chair's password); no handwritten signature is needed.")
    else:
        doc.add_paragraph("I confirm that these minutes are a true record of the panel's proceedings.") \
            .paragraph_format.keep_with_next = True
        doc.add_paragraph("Signature of the chair: ______________________________").paragraph_format \
            .keep_with_next = True
        doc.add_paragraph("Name: ______________________________    Date: ________________")


def write_minutes_docx(pack: MinutesPack, path: Path, *, item_id: int | None = None,
                       template: Path | None = None, before_output: Callable[[], None] | None = None) -> Path:
    """The sitting's minutes (or a one-item extract for the case file) as ``.docx``.

    Anything not approved is marked DRAFT (watermark on every page, title and each unapproved item).
    ``before_output`` runs once the document is written, before it takes its name: the export's audit
    entry (``service.record_minutes_written``), so that a failure or Ctrl+C leaves neither."""
    if item_id is not None:
        pack = pack.only(item_id)
    doc = _open_template(pack, template)
    _marker_paragraph(doc)
    title = next((p for p in doc.paragraphs if p.style is not None and p.style.name == "Title"), None)
    s = pack.sitting
    heading = f"{_fmt(s.sitting_date)}" + (" — extract for the case file" if item_id is not None else "")
    if title is not None:
        title.add_run(f": {heading}")
    else:
        doc.add_heading(f"Adoption panel minutes: {heading}", level=0)
    if pack.draft:
        para = doc.add_paragraph()
        run = para.add_run("DRAFT — not approved by the chair")
        run.bold, run.font.size, run.font.color.rgb = True, Pt(14), DRAFT_RED
        for section in doc.sections:
            section.header._element.append(parse_xml(_WATERMARK))
    _sitting_block(doc, s, pack)
    numbers = {i.id: n for n, i in enumerate(pack.items, start=1)}
    for item in pack.items:
        _item_section(doc, numbers[item.id] if item_id is None else item.position, item, pack.member_names,
                      [a.member_id for a in pack.present])
    _approval_block(doc, pack)
    stamp(doc, title=f"Adoption panel minutes: {heading}" + (" (draft)" if pack.draft else ""),
          author=pack.agency_name)
    path = Path(path)
    with output_file(path) as tmp:
        save_docx(doc, tmp)
        if before_output is not None:
            before_output()
    return path


# --- calendar ------------------------------------------------------------------------------------------
def _ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", r"\;").replace(",", r"\,").replace("\n", r"\n")


#: the zone every sitting's times are in: the agency's clock in England, GMT in winter and BST (UTC+1) from
#: the last Sunday of March at 01:00 UTC to the last Sunday of October at 01:00 UTC
ICS_TZID = "Europe/London"

#: Europe/London as the calendar's VTIMEZONE (RFC 5545 §3.6.5): its rules since 1996, which every calendar
#: program (Outlook, Google, Apple) reads, so a PC set to another zone, or a laptop abroad, shows a 10:00
#: sitting at 10:00 in London — the times were written "floating" (no zone), shown at 10:00 wherever the PC was
ICS_VTIMEZONE = (
    "BEGIN:VTIMEZONE", f"TZID:{ICS_TZID}",
    "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0000", "TZOFFSETTO:+0100", "TZNAME:BST", "DTSTART:19810329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
    "BEGIN:STANDARD", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0000", "TZNAME:GMT", "DTSTART:19961027T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
    "END:VTIMEZONE")


def sittings_ics(sittings: Sequence[SittingRow], agency: str, *, stamp: dt.datetime | None = None) -> str:
    """An iCalendar file of sittings: what, when and where only — no cases, no names. Times are London's
    (``TZID=Europe/London`` with its VTIMEZONE), never floating."""
    now = (stamp or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Adoption Desktop//Panel sittings//EN",
             "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{_ics_escape(agency)} adoption panel",
             f"X-WR-TIMEZONE:{ICS_TZID}", *ICS_VTIMEZONE]
    for s in sittings:
        day = s.sitting_date.strftime("%Y%m%d")
        lines += [
            "BEGIN:VEVENT", f"UID:panel-sitting-{s.id}@adoption-desktop", f"DTSTAMP:{now}",
            f"DTSTART;TZID={ICS_TZID}:{day}T{s.start_time.replace(':', '')}00",
            f"DTEND;TZID={ICS_TZID}:{day}T{s.end_time.replace(':', '')}00",
            "SUMMARY:Adoption panel", f"LOCATION:{_ics_escape(s.place)}",
            f"STATUS:{'CANCELLED' if s.status == 'cancelled' else 'CONFIRMED'}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(_ics_fold(line) for line in lines)


def _ics_fold(line: str, limit: int = 75) -> str:
    """One content line as written, ending CRLF: folded so that no physical line is longer than ``limit``
    octets of UTF-8 (RFC 5545 §3.1: each fold a CRLF and one space, which counts on the next line), never
    inside a multi-byte character (a long Welsh place name with ŵ or ŷ was written whole, 131 characters
    on one line)."""
    out: list[str] = []
    current: list[str] = []
    size, room = 0, limit
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > room:
            out.append("".join(current))
            current, size, room = [], 0, limit - 1  # a continuation line starts with its space
        current.append(ch)
        size += n
    out.append("".join(current))
    return "\r\n ".join(out) + "\r\n"


def write_ics(path: Path, sittings: Sequence[SittingRow], agency: str) -> Path:
    with output_file(path) as tmp:
        tmp.write_text(sittings_ics(sittings, agency), encoding="utf-8", newline="")
    return Path(path)


# --- invitation letters -----------------------------------------------------------------------------------
INVITATION_TEMPLATE = "panel_invitation"
ADOPTER_CASE_TYPES = ("approval", "match", "review", "termination", "early_permanence")


#: what the panel considers, as "Your ... will be considered" reads to the applicants
CASE_PHRASES = {"approval": "application to adopt", "match": "proposed match with a child",
                "review": "review of your approval as adopters",
                "termination": "approval as adopters (whether it should end)",
                "early_permanence": "application to care for a child under early permanence"}


#: the title under the signature of an invitation when none is given (:func:`invitation_letters`' default)
INVITATION_SIGNATORY_TITLE = "Panel administrator"

#: the title an invitation's signer is printed with when their account has no job title: the panel role
#: they hold (the first that applies, in this order); an administrator (or anyone else) without one gets no
#: title rather than a job they do not hold (a chair's invitations said "Panel administrator")
INVITATION_ROLE_TITLES = {Role.PANEL_ADMINISTRATOR: INVITATION_SIGNATORY_TITLE, Role.PANEL_CHAIR: "Panel chair",
                          Role.AGENCY_DECISION_MAKER: "Agency Decision Maker"}


def invitation_signer_title(session: Session, signer: Principal) -> str:
    """The title printed under the name of the person who signs the invitations: their own job title, read
    from their account (never by name: two accounts may share one), else the panel role they hold
    (:data:`INVITATION_ROLE_TITLES`), else ``""`` (no title), as letterbox letters choose theirs."""
    from adoption_desktop.core.security.service import signer_for

    return signer_for(session, signer).title(INVITATION_ROLE_TITLES)


def invitations_refusal(sitting: SittingRow, today: dt.date) -> str | None:
    """The message when no invitations can be written for ``sitting`` (:func:`rules.invitations_problem`,
    said as a refusal: nothing was written), else ``None``."""
    problem = rules.invitations_problem(sitting.sitting_date, sitting.status, today)
    return None if problem is None else f"{problem} Nothing was written."


def invitation_reply_text(reply_day: dt.date, today: dt.date) -> str:
    """The reply-by as the letter says it after "please tell … by": its date, or, when the sitting is so
    close that the only day left is the letter's own, "the end of today (23 November 2026)"."""
    return f"the end of today ({long_date(reply_day)})" if reply_day <= today else long_date(reply_day)


def invitation_letters(pack: MinutesPack, signatory: str, *, today: dt.date,
                       expected: Sequence[AttendanceRow] | None = None,
                       reply_by: dt.date | None = None,
                       signatory_title: str = INVITATION_SIGNATORY_TITLE,
                       calendar: WorkingCalendar = DEFAULT_CALENDAR) -> list[Letter]:
    """One letter per item that concerns prospective adopters: date, time, place and who sits on the panel.

    Addressed by case reference (the case file holds the address; the letter goes in a window envelope
    prepared by the social worker). ``signatory_title``: the signer's own (:func:`invitation_signer_title`;
    ``""`` prints none). Refused (:class:`ValidationError`, nothing made) for a sitting today or earlier, or
    cancelled: :func:`invitations_refusal`. The conflicts of interest are asked for by ``reply_by`` (default:
    10 working days after ``today``) brought before the sitting (:func:`rules.invitation_reply_by`, counted
    with ``calendar``)."""
    s = pack.sitting
    refusal = invitations_refusal(s, today)
    if refusal is not None:
        raise ValidationError(refusal)
    template = load_template(INVITATION_TEMPLATE)
    sitting_members = expected if expected is not None else (*pack.present, *pack.advisers)
    membership = tuple((a.full_name, a.role_label) for a in sitting_members)
    letters = []
    reply_day = rules.invitation_reply_by(s.sitting_date, today, reply_by or calendar.add_working_days(today, 10),
                                          calendar)
    reply = invitation_reply_text(reply_day, today)
    for item in pack.items:
        if item.case_type not in ADOPTER_CASE_TYPES:
            continue
        text = template.render({
            "sitting_date": long_date(s.sitting_date), "time": item.time_slot or s.start_time,
            "place": s.place, "case_type": CASE_PHRASES.get(item.case_type, item.case_label.lower()),
            "reference": item.subject_reference, "reply_by": reply,
            "social_worker": item.presenting_worker or "your social worker", "salutation": "prospective adopters",
        })
        letters.append(Letter(
            recipient=("The prospective adopters", f"Case {item.subject_reference} ({item.subject_initials})",
                       f"c/o {item.presenting_worker}" if item.presenting_worker else ""),
            text=text, date=today, reference=f"PANEL/{s.id}/{item.id}", signatory=signatory,
            signatory_title=signatory_title, extra=membership))
    return letters


def write_invitations(path: Path, pack: MinutesPack, head: Letterhead, signatory: str, *, today: dt.date,
                      expected: Sequence[AttendanceRow] | None = None,
                      progress: Callable[[int, int], None] | None = None,
                      cancelled: Callable[[], bool] | None = None, reply_by: dt.date | None = None,
                      signatory_title: str = INVITATION_SIGNATORY_TITLE,
                      calendar: WorkingCalendar = DEFAULT_CALENDAR,
                      before_save: Callable[[int], object] | None = None) -> int:
    """The invitation letters into ``path`` (PDF, or a Word copy when it ends ``.docx``); refused before any
    file is made for a sitting with nobody left to invite (:func:`invitation_letters`). ``before_save(n)``
    is called with the number of letters once they are drawn, before the file takes its name: the window
    records them there (``service.record_invitations_written``); raising stops the batch with nothing written."""
    letters = invitation_letters(pack, signatory, today=today, expected=expected, reply_by=reply_by,
                                 signatory_title=signatory_title, calendar=calendar)
    return write_letters(path, letters, head, title="Panel invitations", total=len(letters), progress=progress,
                         cancelled=cancelled,
                         before_save=None if before_save is None else (lambda: before_save(len(letters))))
