"""A draft remembers what the record was when it was typed (its base), beside it: the draft's text stays as typed."""

from __future__ import annotations

from adoption_desktop.core import drafts
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from tests.conftest import make_user


def test_a_drafts_base_is_kept_read_back_and_cleared_with_it(db: Database) -> None:
    ann: Principal = make_user(db, "ann", Role.AGENCY_DECISION_MAKER)
    bob: Principal = make_user(db, "bob", Role.AGENCY_DECISION_MAKER)
    drafts.save_draft(db, ann, "adm.decision:1:text", "typed on version 3", base="3")
    assert drafts.load_draft(db, ann, "adm.decision:1:text") == "typed on version 3"  # the text as typed
    assert drafts.load_draft_base(db, ann, "adm.decision:1:text") == "3"
    assert drafts.load_draft_base(db, bob, "adm.decision:1:text") is None  # per user
    drafts.save_draft(db, ann, "adm.decision:1:text", "more", base="3")
    assert drafts.load_draft_base(db, ann, "adm.decision:1:text") == "3"
    drafts.save_draft(db, ann, "adm.decision:1:text", "without a base")
    assert drafts.load_draft_base(db, ann, "adm.decision:1:text") is None
    drafts.save_draft(db, ann, "adm.decision:1:text", "again", base="4")
    drafts.save_draft(db, ann, "adm.decision:1:text", "   ", base="4")  # blank: no draft, no base
    assert drafts.load_draft(db, ann, "adm.decision:1:text") is None
    assert drafts.load_draft_base(db, ann, "adm.decision:1:text") is None
    drafts.save_draft(db, ann, "adm.decision:1:text", "again", base="5")
    drafts.clear_draft(db, ann, "adm.decision:1:text")
    assert drafts.load_draft_base(db, ann, "adm.decision:1:text") is None


def test_a_drafts_form_fields_are_kept_replaced_and_cleared_with_it(db: Database) -> None:
    ann: Principal = make_user(db, "ann", Role.COUNSELLOR)
    key, other = "counselling.session_notes:4", "counselling.session_notes:42"
    drafts.save_draft(db, ann, other, "the other case's notes", fields={"location": "Room 1"})
    drafts.save_draft(db, ann, key, "", fields={"held_on": "2026-09-24", "location": "Room 2"})
    assert drafts.load_draft(db, ann, key) == ""  # blank text is kept: the form's fields were typed
    assert drafts.load_draft_fields(db, ann, key) == {"held_on": "2026-09-24", "location": "Room 2"}
    drafts.save_draft(db, ann, key, "notes", fields={"held_on": "2026-09-25"})  # the form as it is now
    assert drafts.load_draft_fields(db, ann, key) == {"held_on": "2026-09-25"}
    drafts.save_draft(db, ann, key, "notes")  # saved without fields: none kept
    assert drafts.load_draft_fields(db, ann, key) == {}
    drafts.save_draft(db, ann, key, "notes", fields={"kind": "phone"})
    drafts.clear_draft(db, ann, key)
    assert drafts.load_draft(db, ann, key) is None and drafts.load_draft_fields(db, ann, key) == {}
    assert drafts.load_draft_fields(db, ann, other) == {"location": "Room 1"}  # another draft's untouched
    drafts.save_draft(db, ann, key, "  ", fields={})  # nothing typed anywhere: no draft
    assert drafts.load_draft(db, ann, key) is None
