"""A content seal covers what was approved, signed or filed, not the save counter: the chair's approval that
hands the case to the ADM flushes twice, and the second flush raised ``row_version`` past the content seal
the first had written, so ``verify`` reported every such approval as tampering (found by a team-mode trial).
Seals written before ``row_version`` was left out still verify, and a real change is still caught."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, text

from adoption_desktop.core.audit import seals
from adoption_desktop.core.security import service as security
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import verify_database
from adoption_desktop.demo import DEMO_PASSWORD
from adoption_desktop.panel.models import PanelMinutes
from adoption_desktop.panel.service import chair_approval


def _approve_one_going_to_the_adm(db: Database) -> int:
    chair = security.authenticate(db, "chair", DEMO_PASSWORD)
    with db.session(write=False) as s:
        submitted = list(s.scalars(select(PanelMinutes.item_id).where(PanelMinutes.status == "submitted")))
    for item_id in submitted:
        row = chair_approval.approve_minutes(db, chair, item_id, DEMO_PASSWORD)
        if row.handed_off_on is not None:
            with db.session(write=False) as s:
                minutes_id = s.scalar(select(PanelMinutes.id).where(PanelMinutes.item_id == item_id,
                                                                    PanelMinutes.status == "approved"))
            assert minutes_id is not None
            return minutes_id
    raise AssertionError("the small demo has no submitted minutes that go to the ADM")


def _problems(db: Database) -> list[str]:
    return list(verify_database(db).problems)


def test_an_approval_handed_to_the_adm_verifies_clean(small_demo_db: Database) -> None:
    assert _problems(small_demo_db) == []
    minutes_id = _approve_one_going_to_the_adm(small_demo_db)
    with small_demo_db.session(write=False) as s:
        assert s.get(PanelMinutes, minutes_id).row_version > 1  # type: ignore[union-attr]
    assert _problems(small_demo_db) == []


def test_a_change_to_the_approved_text_is_still_caught(small_demo_db: Database) -> None:
    minutes_id = _approve_one_going_to_the_adm(small_demo_db)
    with small_demo_db.engine.begin() as conn:
        conn.execute(text("UPDATE panel_minutes SET reasons = reasons || ' (edited)' WHERE id = :i"), {"i": minutes_id})
    problems = "\n".join(_problems(small_demo_db))
    assert f"panel_minutes row {minutes_id}: the approved minutes' content differs" in problems


def test_a_save_counter_changed_in_sql_is_still_caught_by_the_row_seal(small_demo_db: Database) -> None:
    minutes_id = _approve_one_going_to_the_adm(small_demo_db)
    with small_demo_db.engine.begin() as conn:
        conn.execute(text("UPDATE panel_minutes SET row_version = row_version + 5 WHERE id = :i"), {"i": minutes_id})
    problems = "\n".join(_problems(small_demo_db))
    assert f"panel_minutes row {minutes_id}: row_version changed outside the application" in problems


@pytest.fixture
def legacy_rule(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Content seals written as before 2 December 2026: ``row_version`` among the sealed columns."""
    old = seals.CONTENT_RULES["panel_minutes"]
    monkeypatch.setitem(seals.CONTENT_RULES, "panel_minutes",
                        seals.ContentRule(old.what, old.when, old.exclude - {"row_version"}))
    yield


def test_a_seal_from_before_the_change_verifies_and_still_catches_a_change(small_demo_db: Database,
                                                                          legacy_rule: None) -> None:
    minutes_id = _approve_one_going_to_the_adm(small_demo_db)
    with small_demo_db.engine.connect() as conn:
        detail = conn.scalar(text("SELECT detail FROM audit_log WHERE action = :a AND entity = 'panel_minutes' "
                                  "AND entity_id = :i"), {"a": seals.CONTENT_SEAL, "i": str(minutes_id)})
    assert detail is not None and "row_version" in detail  # the seal lists it, as the old ones did
    seals.CONTENT_RULES["panel_minutes"] = seals.ContentRule(  # today's rule again for verify (fixture undoes it)
        "approved minutes", seals.CONTENT_RULES["panel_minutes"].when,
        seals.CONTENT_RULES["panel_minutes"].exclude | {"row_version"})
    assert _problems(small_demo_db) == []
    with small_demo_db.engine.begin() as conn:
        conn.execute(text("UPDATE panel_minutes SET reasons = reasons || '!' WHERE id = :i"), {"i": minutes_id})
    assert f"panel_minutes row {minutes_id}: the approved minutes' content differs" in "\n".join(_problems(small_demo_db))
