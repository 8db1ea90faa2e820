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
