"""Autosaved drafts: each user's unsaved free text, restored after a crash, cleared when saved.

A draft belongs to the signed-in user alone (no other user can read it), so these use cases need no
permission beyond being signed in. Keys name the form and record, e.g. ``counselling.session:42``."""

from __future__ import annotations

from adoption_desktop.core.models import Draft
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.base import utcnow
from adoption_desktop.core.storage.engine import Database


def save_draft(db: Database, actor: Principal, key: str, text: str) -> None:
    with db.session(actor) as session:
        row = session.get(Draft, (actor.user_id, key))
        if not text.strip():
            if row is not None:
                session.delete(row)
            return
        if row is None:
            session.add(Draft(user_id=actor.user_id, key=key, text=text, saved_at=utcnow()))
        else:
            row.text, row.saved_at = text, utcnow()


def load_draft(db: Database, actor: Principal, key: str) -> str | None:
    with db.session(actor, write=False) as session:
        row = session.get(Draft, (actor.user_id, key))
        return row.text if row is not None else None


def clear_draft(db: Database, actor: Principal, key: str) -> None:
    with db.session(actor) as session:
        row = session.get(Draft, (actor.user_id, key))
        if row is not None:
            session.delete(row)
