"""Counselling letters as PDF, from the editable templates ``resources/templates/letters/counselling_*.txt``.

Kinds: acknowledgement (of the referral), appointment (the case's next upcoming session, or ``session_id``),
records-request (to the archive, court or agency, with their reference), chaser (the latest outstanding
request), records-ready (the latest received request). Producing a letter is audited; a records
request or chaser is also recorded as a disclosure to the records holder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from adoption_desktop.core.agency_profile import signer_title
from adoption_desktop.core.documents.letterhead import letterhead
from adoption_desktop.core.documents.pdf import Letter, write_letters
from adoption_desktop.core.documents.templates import RenderedLetterText, load_template
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service
from adoption_desktop.counselling.service import LETTER_KINDS, LetterData
from adoption_desktop.counselling.service.letters import OLD_IDENTIFICATION_SENTENCE

TEMPLATE_PREFIX = "counselling_"


def template_name(kind: str) -> str:
    return f"{TEMPLATE_PREFIX}{kind}"


def recipient_lines(data: LetterData) -> list[str]:
    if data.kind in {"records-request", "chaser"} and data.request is not None:
        lines = ["Records Officer", data.request.holder_name]
        lines += [ln for ln in data.request.holder_address.splitlines() if ln.strip()]
        return lines
    r = data.case.referral
    lines = [r.current_name]
    lines += [ln for ln in r.address.splitlines() if ln.strip()]
    if len(lines) == 1 and r.email:
        lines.append(r.email)
    return lines


def _current_identification(text: RenderedLetterText, data: LetterData) -> RenderedLetterText:
    """An agency's own appointment letter written before ``${identification_text}`` still asks the applicant to
    bring photographic identification as fixed text: for a video or telephone appointment that sentence is
    read as the placeholder (the agency's copy itself is unchanged)."""
    new = data.values.get("identification_text", "")
    if data.kind != "appointment" or not new or new == OLD_IDENTIFICATION_SENTENCE:
        return text

    def fix(line: str) -> str:
        return line.replace(OLD_IDENTIFICATION_SENTENCE, new)

    return replace(text, paragraphs=tuple(tuple(fix(x) for x in p) if isinstance(p, tuple) else fix(p)
                                          for p in text.paragraphs))


def build_letter(data: LetterData, today: dt.date) -> Letter:
    text = _current_identification(load_template(template_name(data.kind)).render(dict(data.values)), data)
    extra: list[tuple[str, str]] = []
    if data.request is not None and data.kind in {"records-request", "chaser"}:
        extra = [("Your reference", data.request.their_reference or "not yet known"),
                 ("Our reference", data.case.reference)]
        if data.kind == "chaser":
            extra.append(("Request first sent", data.values["request_date"]))
    return Letter(recipient=recipient_lines(data), text=text, date=today, reference=data.case.reference,
                  signatory=data.signatory, signatory_title="Birth-records counsellor", extra=tuple(extra))


def write_case_letter(db: Database, actor: Principal, case_id: int, kind: str, out: Path, *,
                      request_id: int | None = None, session_id: int | None = None,
                      today: dt.date | None = None, on: dt.date | None = None,
                      progress: Callable[[int, int], None] | None = None,
                      cancelled: Callable[[], bool] | None = None) -> Path:
    """One letter for one case into ``out`` (PDF), dated ``on`` (default ``today``; never after it, nor
    before the referral: ``service.letter_data``). Permission: counselling view."""
    clock = today or dt.date.today()
    day = on or clock
    data = service.letter_data(db, actor, case_id, kind, request_id=request_id, session_id=session_id,
                               today=clock, on=day)
    with db.session(actor, write=False) as session:
        head = letterhead(session, area="counselling")
        letter = build_letter(data, day)  # inside the session: the agency's own template version
        title = signer_title(session, user_id=data.signatory_id) if data.signatory_id else ""
        if title:  # the signing account's job title (by id: another account may share the name)
            letter = replace(letter, signatory_title=title)
    write_letters(Path(out), [letter], head, title=f"{LETTER_KINDS[kind]} {data.case.reference}",
                  total=1, progress=progress, cancelled=cancelled)
    return Path(out)
