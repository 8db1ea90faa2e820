"""What the other side must not learn: an arrangement's protected terms and the writer's side's secrets
the screening looks for.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.letterbox import rules
from adoption_desktop.letterbox.models import Arrangement, Participant, ProtectedTerm
from adoption_desktop.letterbox.screening import screen_text
from adoption_desktop.letterbox.screening.detectors import fold


def _same(term: str) -> str:
    """How two terms are compared: without case or accents, as the screening reads them ("Søren" is "Soren")."""
    return fold(term).casefold()


def protected_terms(session: Session, arrangement_id: int, side: str | None = None) -> list[str]:
    stmt = select(ProtectedTerm.term).where(ProtectedTerm.arrangement_id == arrangement_id)
    if side:
        stmt = stmt.where(ProtectedTerm.side == side)
    return list(session.scalars(stmt))


def writer_side_secrets(session: Session, arrangement_id: int, side: str) -> list[str]:
    """What the writer's side must not give away: its protected terms and its address lines, and its
    surnames (every adopter's, :func:`rules.surnames_in`; the birth relatives', which adopters need not
    learn)."""
    out = protected_terms(session, arrangement_id, side)
    if side == rules.ADOPTIVE:
        address, adopters, birth_name = session.execute(select(
            Arrangement.adopters_address, Arrangement.adopters_name, Arrangement.child_birth_name).where(
            Arrangement.id == arrangement_id)).one()
        out += [ln.strip(" ,") for ln in (address or "").splitlines() if len(ln.strip(" ,")) >= 3]
        # every adopter's surname, also on an arrangement stored when only the last one named was made a
        # protected term ("Ella Pebbleby and Sam Hartley": Pebbleby too), but not one the birth family knows
        known = {_same(w) for w in (birth_name or "").split()}
        out += [s for s in rules.surnames_in(adopters or "") if _same(s) not in known]
    else:
        birth_name = session.scalar(select(Arrangement.child_birth_name).where(Arrangement.id == arrangement_id)) or ""
        known_first = _same(birth_name.split()[0]) if birth_name.split() else ""
        for name, address in session.execute(select(Participant.name, Participant.address).where(
                Participant.arrangement_id == arrangement_id)):
            out += [ln.strip(" ,") for ln in address.splitlines() if len(ln.strip(" ,")) >= 3]
            surname = name.split()[-1] if len(name.split()) > 1 else ""
            if surname and _same(surname) != known_first:
                out.append(surname)
    # postcodes are found by the postcode rule anyway (and reported as postcodes)
    return list(dict.fromkeys(t for t in out if t.strip() and not screen_postcode_only(t)))


#: what a finding of the reader's family's details says first (the writer should not know them)
NAMES_FAMILY = {rules.ADOPTIVE: "names the adoptive family", rules.BIRTH: "names the birth family"}


@dataclass(frozen=True)
class ScreeningTerms:
    """What an item's text is screened for: ``terms`` (the writer's side's secrets first, then the reader's
    family's details the writer should not know) and ``labels`` (the latter's, "names the adoptive family")."""

    terms: tuple[str, ...]
    labels: dict[str, str]
    #: which terms are surnames (:func:`surnames_of`): one that is an everyday word ("May") is screened for in
    #: lower case only where it reads as the name; a first name always
    surnames: frozenset[str] = frozenset()


def _known_to(session: Session, arrangement_id: int, side: str) -> set[str]:
    """Words of names the writer's side knows anyway (as :func:`_same` compares them): the child's birth name
    for both sides (the adopters know it too), the birth relatives' own names, the adopters' and the child's
    adoptive name."""
    birth, adoptive, adopters = session.execute(select(
        Arrangement.child_birth_name, Arrangement.child_adoptive_name, Arrangement.adopters_name).where(
        Arrangement.id == arrangement_id)).one()
    names = [birth or ""]
    if side == rules.BIRTH:
        names += session.scalars(select(Participant.name).where(Participant.arrangement_id == arrangement_id))
    else:
        names += [adoptive or "", adopters or ""]
    return {_same(w) for name in names for w in name.split()}


def screening_terms(session: Session, arrangement_id: int, side: str) -> ScreeningTerms:
    """What a letter written by ``side`` is screened for (coordinator's trial: a birth parent's letter naming
    the adopters' surname was not flagged): the writer's own side's secrets (:func:`writer_side_secrets`), and
    the other side's too, labelled "names the adoptive family" / "names the birth family": the writer should
    not know them, and a letter naming them shows the family can be found. Left out of the latter: what is
    also the writer's own secret (said as that; compared without case or accents, as the screening reads
    them: the other side's "Soren" is the writer's own "Søren"), and names the writer knows anyway (:func:`_known_to`: the
    child's birth name, the writer's own names)."""
    own = writer_side_secrets(session, arrangement_id, side)
    other = rules.other_side(side)
    skip = {_same(t) for t in own} | _known_to(session, arrangement_id, side)
    theirs = [t for t in writer_side_secrets(session, arrangement_id, other) if _same(t) not in skip]
    return ScreeningTerms((*own, *theirs), {t: NAMES_FAMILY[other] for t in theirs},
                          surnames_of(session, arrangement_id))


def surnames_of(session: Session, arrangement_id: int) -> frozenset[str]:
    """The surnames among an arrangement's protected terms: every adopter's (:func:`rules.surnames_in`), the
    child's new surname, terms recorded as the adoptive surname, and each birth relative's last name. A term
    typed as protected is not taken for a surname (it may be a first name: "May", "Hope")."""
    adopters, adoptive = session.execute(select(Arrangement.adopters_name, Arrangement.child_adoptive_name).where(
        Arrangement.id == arrangement_id)).one()
    out = set(rules.surnames_in(adopters or ""))
    if len((adoptive or "").split()) > 1:
        out.add((adoptive or "").split()[-1])
    out.update(session.scalars(select(ProtectedTerm.term).where(
        ProtectedTerm.arrangement_id == arrangement_id, ProtectedTerm.category == "adoptive surname")))
    for name in session.scalars(select(Participant.name).where(Participant.arrangement_id == arrangement_id)):
        if len(name.split()) > 1:
            out.add(name.split()[-1])
    return frozenset(out)


def screen_postcode_only(text: str) -> bool:
    found = screen_text(text)
    return len(found) == 1 and found[0].kind == "postcode" and found[0].text == text.strip()
