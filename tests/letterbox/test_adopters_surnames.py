"""Every adopter's surname is protected, not only the last word of "Adopters" (tester's finding: with
Adopters "Ella Pebbleby and Sam Hartley" only "Hartley" was protected, and a letter to the birth family signed
"Love from Ella Pebbleby and Sam" was screened with no findings and forwarded). The rule is plain Python
(``rules.surnames_in``); the screening reads it at screening time, so an arrangement stored before keeps no
gap. On a real SQLCipher file."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.models import ProtectedTerm
from tests.letterbox.conftest import sample_input

ON = dt.date(2026, 9, 2)


@pytest.mark.parametrize(("names", "surnames"), [
    ("Ella Pebbleby and Sam Hartley", ["Pebbleby", "Hartley"]),
    ("Ella and Sam Hartley", ["Hartley"]),
    ("Sam and Alex Thornley", ["Thornley"]),
    ("Mr and Mrs Hartley", ["Hartley"]),
    ("Mr & Mrs J. Hartley-Pebbleby", ["Hartley-Pebbleby"]),
    ("Dr A Okafor, Mx B Lund", ["Okafor", "Lund"]),
    ("The Hartley family", ["Hartley"]),
    ("Jo O'Neill & Kim O'Neill", ["O'Neill"]),
    ("Hartley", ["Hartley"]),  # the surname alone, as it may be typed
    ("", []),
])
def test_the_surnames_in_a_line_naming_the_adopters(names: str, surnames: list[str]) -> None:
    assert rules.surnames_in(names) == surnames


_NOT_NAMES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "the", "family", "household", "and"}
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=10).filter(
    lambda w: w.lower() not in _NOT_NAMES)


@given(st.lists(st.lists(_WORD, min_size=1, max_size=4), min_size=1, max_size=4),
       st.sampled_from([" and ", " & ", ", ", " + ", " AND "]))
def test_each_person_of_two_words_or_more_gives_their_last_word(people: list[list[str]], joiner: str) -> None:
    line = joiner.join(" ".join(p) for p in people)
    found = rules.surnames_in(line)
    assert set(found) <= {w.strip(",") for w in line.split()}  # only words of the line, each once
    assert len(found) == len(set(found))
    assert {p[-1] for p in people if len(p) >= 2} <= set(found)
    assert bool(found)  # a line naming someone always protects something


def _adopters_letter(db: Database, who: Principal, arrangement: int, text: str) -> tuple[int, dict[str, str]]:
    item = service.log_item(db, who, arrangement, direction=rules.TO_BIRTH, received_on=ON, writer="Ella")
    return item, {f.text: f.reason for f in service.screen_item(db, who, item, text).findings}


def test_an_adopters_letter_signed_with_her_own_surname_is_flagged_and_not_forwarded(
        db: Database, coordinator: Principal) -> None:
    aid = service.create_arrangement(db, coordinator, sample_input(
        coordinator="lbcoord", adopters_name="Ella Pebbleby and Sam Hartley", child_adoptive_name="Rosa Hartley"))
    terms = {t.term for t in service.get_arrangement(db, coordinator, aid).data.protected}
    assert {"Pebbleby", "Hartley"} <= terms
    item, found = _adopters_letter(db, coordinator, aid, "Dear Gina,\nRosa is doing well.\nLove from Ella Pebbleby "
                                                          "and Sam")
    assert "Pebbleby" in found, found
    with pytest.raises(Conflict, match="marked to be removed"):
        service.record_outcome(db, coordinator, item, "forwarded", ON, method="post")


def test_an_arrangement_stored_with_only_the_last_surname_is_screened_for_every_one(
        db: Database, coordinator: Principal) -> None:
    """Stored before this rule: only "Hartley" is a protected term. The screening reads the adopters' names
    at screening time, in both directions."""
    from sqlalchemy import delete

    aid = service.create_arrangement(db, coordinator, sample_input(
        coordinator="lbcoord", adopters_name="Ella Pebbleby and Sam Hartley", child_adoptive_name="Rosa Hartley"))
    with db.session(coordinator) as session:
        session.execute(delete(ProtectedTerm).where(ProtectedTerm.arrangement_id == aid,
                                                    ProtectedTerm.term == "Pebbleby"))
    assert "Pebbleby" not in {t.term for t in service.get_arrangement(db, coordinator, aid).data.protected}
    _item, found = _adopters_letter(db, coordinator, aid, "Love from Ella Pebbleby and Sam")
    assert "Pebbleby" in found, found
    birth = service.log_item(db, coordinator, aid, direction=rules.TO_ADOPTIVE, received_on=ON,
                             writer="Gina Quillfield")
    reasons = {f.text: f.reason for f in service.screen_item(db, coordinator, birth,
                                                             "Please thank Ms Pebbleby for the photos.").findings}
    assert reasons.get("Pebbleby", "").startswith("names the adoptive family"), reasons


def test_a_surname_the_birth_family_knows_is_not_flagged_in_their_letter(db: Database, coordinator: Principal) -> None:
    """An adopter who shares the child's birth surname (a family placement): the birth family knows it."""
    aid = service.create_arrangement(db, coordinator, sample_input(
        coordinator="lbcoord", adopters_name="Ella Quillfield and Sam Hartley"))
    birth = service.log_item(db, coordinator, aid, direction=rules.TO_ADOPTIVE, received_on=ON,
                             writer="Gina Quillfield")
    reasons = {f.text: f.reason for f in service.screen_item(db, coordinator, birth,
                                                             "Love to Poppy Quillfield from Gina").findings}
    assert not any(r.startswith("names the adoptive family") for r in reasons.values()), reasons
