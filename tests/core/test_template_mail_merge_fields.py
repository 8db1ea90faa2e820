"""A letter template pasted from the agency's Word mail merge (user trial ut28): its fields, shown by Word as
«child» (or typed <<child>>), were saved as ordinary text and every letter would have printed them so. They are
refused on save, import and preview, naming each field and its line, and nothing is saved."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adoption_desktop import template_admin as ta
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database

NAME = "letterbox_reminder"


@pytest.mark.parametrize(("written", "says"), [
    ("Dear «salutation»,", "«salutation» (line 1) is not a placeholder here"),
    ("Dear <<salutation>>,", "<<salutation>> (line 1) is not a placeholder here"),
    ("Dear «FirstName» «LastName»,", "«FirstName» (line 1); «LastName» (line 1) are Word mail-merge fields"),
])
def test_word_merge_fields_are_refused_and_nothing_is_saved(db: Database, admin: Principal, tmp_path: Path,
                                                           written: str, says: str) -> None:
    text = ta.letter_text(db, admin, NAME)
    before = [v.version for v in ta.versions(db, admin, NAME)]
    edited = f"{written}\n{text}"
    with pytest.raises(ValidationError, match=re.escape(says)) as refused:
        ta.save_letter_template(db, admin, NAME, edited)
    assert "${salutation}" in str(refused.value)  # the right form is named
    path = tmp_path / "reminder.txt"
    path.write_text(edited, encoding="utf-8")
    with pytest.raises(ValidationError, match=re.escape(says)):
        ta.import_template(db, admin, NAME, path)
    with pytest.raises(ValidationError, match=re.escape(says)):
        ta.preview_letter(db, admin, NAME, tmp_path / "preview.pdf", text=edited)
    assert [v.version for v in ta.versions(db, admin, NAME)] == before
    assert not (tmp_path / "preview.pdf").exists()


def test_guillemets_around_a_quotation_of_more_than_a_field_are_still_text(db: Database, admin: Principal) -> None:
    text = ta.letter_text(db, admin, NAME) + "\nAs our leaflet says, «every letter is read with care, by a person».\n"
    assert ta.save_letter_template(db, admin, NAME, text) >= 1


@pytest.mark.parametrize("written", ["«Bonjour»", "« merci »", "«Enfance»", "«au-revoir»"])
def test_a_single_word_in_guillemets_is_a_quotation(db: Database, admin: Principal, written: str) -> None:
    """Review: one French word in guillemets was refused as a Word mail-merge field, though no merge field is
    named so; a word is a field when it looks like one (below)."""
    text = ta.letter_text(db, admin, NAME) + f"\nOur French-speaking families are greeted with {written}.\n"
    assert ta.save_letter_template(db, admin, NAME, text) >= 1
    assert written in ta.letter_text(db, admin, NAME)


@pytest.mark.parametrize("written", ["«child»", "«Child»", "«First_Name»", "«Address1»", "«NAME»", "«Postcode»",
                                     "«court»", "<<Bonjour>>", "{ MERGEFIELD FirstName }"])
def test_a_word_that_looks_like_a_field_is_still_refused(db: Database, admin: Principal, written: str) -> None:
    text = ta.letter_text(db, admin, NAME)
    before = [v.version for v in ta.versions(db, admin, NAME)]
    with pytest.raises(ValidationError, match=re.escape(written)):
        ta.save_letter_template(db, admin, NAME, f"Dear {written},\n{text}")
    assert [v.version for v in ta.versions(db, admin, NAME)] == before


def test_a_quoted_word_beside_a_word_field_code_came_from_the_merge(db: Database, admin: Principal) -> None:
    text = ta.letter_text(db, admin, NAME) + "\n{ MERGEFIELD Greeting } «Bonjour»\n"
    with pytest.raises(ValidationError, match=re.escape("«Bonjour» (line")):
        ta.save_letter_template(db, admin, NAME, text)


def test_every_field_of_a_pasted_merge_letter_is_named_at_once(db: Database, admin: Principal) -> None:
    """Review: a merge letter pasted with «FirstName» and «Date» was refused naming «FirstName» alone («Date» is
    also a word); once that was put right, the next save went through with «Date» in it, and every letter would
    have printed it. Beside a field, a single word in guillemets is taken as one too, and named with it."""
    text = ta.letter_text(db, admin, NAME)
    before = [v.version for v in ta.versions(db, admin, NAME)]
    pasted = f"«Date»\nDear «FirstName»,\n{text}"
    with pytest.raises(ValidationError) as refused:
        ta.save_letter_template(db, admin, NAME, pasted)
    assert "«Date» (line 1)" in str(refused.value) and "«FirstName» (line 2)" in str(refused.value)
    assert [v.version for v in ta.versions(db, admin, NAME)] == before
    # alone, a word in guillemets is still a quotation
    assert ta.save_letter_template(db, admin, NAME, f"{text}\nWe say «Bonjour» to French-speaking families.\n") >= 1
