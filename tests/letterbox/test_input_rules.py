"""Issue 12 at the letterbox service boundary (the form and the import both save through
``save_arrangement_in``): NUL refused, zero-width removed, dates in range, references unique after
normalisation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.importing import import_file
from adoption_desktop.letterbox.models import Arrangement
from adoption_desktop.letterbox.service import ParticipantData

from .conftest import sample_input


def test_nul_and_formula_refused_in_names(db: Database, coordinator: Principal) -> None:
    with pytest.raises(ValidationError, match="Birth relative"):
        service.create_arrangement(db, coordinator, sample_input(
            participants=(ParticipantData("Gina\x00 Quillfield", "birth mother"),)))
    with pytest.raises(ValidationError, match="Adopters' names"):
        service.create_arrangement(db, coordinator, sample_input(adopters_name="=cmd|' /C calc'!A0"))
    with pytest.raises(ValidationError, match="Reference"):
        service.create_arrangement(db, coordinator, sample_input(reference="LB-\x1b0001"))


def test_zero_width_removed(db: Database, coordinator: Principal) -> None:
    aid = service.create_arrangement(db, coordinator, sample_input(
        reference="LB-\u200b0007", child_birth_name="Poppy\u200b Quillfield"))
    with db.session(write=False) as session:
        a = session.get(Arrangement, aid)
        assert a is not None and a.reference == "LB-0007" and a.child_birth_name == "Poppy Quillfield"
        assert a.reference_key == "lb-0007"


def test_dates_out_of_range_refused(db: Database, coordinator: Principal, arrangement: int) -> None:
    with pytest.raises(ValidationError, match="Child's date of birth"):
        service.create_arrangement(db, coordinator, sample_input("LB-0002", child_dob=dt.date(1, 1, 1)))
    with pytest.raises(ValidationError, match="Review date"):
        service.create_arrangement(db, coordinator, sample_input("LB-0002", review_date=dt.date(9999, 12, 31)))
    with pytest.raises(ValidationError, match="Date received"):
        service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=dt.date(1, 1, 1))


@pytest.mark.parametrize("twin", ["LB-0001\u200b", "lb-0001", " LB-0001 ", "ＬＢ-０００１", "LB\u2060-0001"])
def test_references_equal_after_normalisation_are_duplicates(db: Database, coordinator: Principal,
                                                           arrangement: int, twin: str) -> None:
    with pytest.raises(Conflict, match="already used"):
        service.create_arrangement(db, coordinator, sample_input(twin))
    other = service.create_arrangement(db, coordinator, sample_input("LB-0002"))
    with pytest.raises(Conflict, match="already used"):
        service.update_arrangement(db, coordinator, other, sample_input(twin))
    service.update_arrangement(db, coordinator, arrangement, sample_input("lb-0001"))  # itself: no clash


def test_import_refuses_nul_and_a_reference_differing_by_a_zero_width_space(
        db: Database, coordinator: Principal, tmp_path: Path) -> None:
    import csv

    from tests.letterbox.test_import import HEADERS, count, good_rows, write_xlsx

    assert import_file(db, coordinator, write_xlsx(tmp_path / "good.xlsx", good_rows())).written
    rows = good_rows()
    rows[2][6] = "Lola\x00 Copple"
    with (tmp_path / "nul.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([HEADERS, *([c.date().isoformat() if isinstance(c, dt.datetime) else c for c in r]
                                             for r in rows)])
    bad = import_file(db, coordinator, tmp_path / "nul.csv")
    assert not bad.written and any("control character" in p.problem for p in bad.problems)
    twin = good_rows()[2:]
    twin[0][0] = "IMP-002\u200b"
    twin[0][1] = "Someone Else"
    again = import_file(db, coordinator, write_xlsx(tmp_path / "twin.xlsx", twin))
    assert count(db) == (2, 3)  # never a second arrangement for the same reference
    assert not again.written or again.creates == 0
