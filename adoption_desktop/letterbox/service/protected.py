"""What the other side must not learn: an arrangement's protected terms and the writer's side's secrets
the screening looks for.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.letterbox import rules
from adoption_desktop.letterbox.models import Arrangement, Participant, ProtectedTerm
from adoption_desktop.letterbox.screening import screen_text


def protected_terms(session: Session, arrangement_id: int, side: str | None = None) -> list[str]:
    stmt = select(ProtectedTerm.term).where(ProtectedTerm.arrangement_id == arrangement_id)
    if side:
        stmt = stmt.where(ProtectedTerm.side == side)
    return list(session.scalars(stmt))


def writer_side_secrets(session: Session, arrangement_id: int, side: str) -> list[str]:
    """What the writer's side must not give away: its protected terms and its address lines (for birth
    relatives also their surnames, which adopters need not learn)."""
    out = protected_terms(session, arrangement_id, side)
    if side == rules.ADOPTIVE:
        address = session.scalar(select(Arrangement.adopters_address).where(Arrangement.id == arrangement_id)) or ""
        out += [ln.strip(" ,") for ln in address.splitlines() if len(ln.strip(" ,")) >= 3]
    else:
        birth_name = session.scalar(select(Arrangement.child_birth_name).where(Arrangement.id == arrangement_id)) or ""
        known_first = birth_name.split()[0].lower() if birth_name.split() else ""
        for name, address in session.execute(select(Participant.name, Participant.address).where(
                Participant.arrangement_id == arrangement_id)):
            out += [ln.strip(" ,") for ln in address.splitlines() if len(ln.strip(" ,")) >= 3]
            surname = name.split()[-1] if len(name.split()) > 1 else ""
            if surname and surname.lower() != known_first:
                out.append(surname)
    # postcodes are found by the postcode rule anyway (and reported as postcodes)
    return list(dict.fromkeys(t for t in out if t.strip() and not screen_postcode_only(t)))


def screen_postcode_only(text: str) -> bool:
    found = screen_text(text)
    return len(found) == 1 and found[0].kind == "postcode" and found[0].text == text.strip()
