"""Reversible ADM action (no Qt): saving an unsigned decision's draft (outcome, wording, reasons, who the
letters go to). The reverse puts the previous draft back in one audited transaction, refused
(``StaleRecord``) when someone else saved the decision since, and refused for good once it is signed.

Signing is final: it asks for the password again and never enters the undo stack, and the screen drops
the decision's draft entries from it (:func:`forget_signed`); a signed decision is corrected by a new
version with a reason."""

from __future__ import annotations

from dataclasses import dataclass

from adoption_desktop.adm import service
from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.core import audit
from adoption_desktop.core.concurrency import lock_row
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.base import get_or_raise
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.undo import UndoEntry, UndoStack, changed_since

AREA = "adm"


@dataclass(frozen=True)
class Draft:
    """What "Save draft" writes on an unsigned decision."""

    outcome: str
    decision_text: str
    reasons: str
    addressee: str
    salutation: str
    social_worker: str


@dataclass(frozen=True)
class DraftEntry(UndoEntry):
    """The undo entry of a saved draft, with the decision it belongs to (dropped when that is signed)."""

    decision_id: int = 0


def entry_for(entry: UndoEntry, decision_id: int) -> bool:
    """True when ``entry`` changes the draft of decision ``decision_id``."""
    return isinstance(entry, DraftEntry) and entry.decision_id == decision_id


def forget_signed(stack: UndoStack, decision_id: int) -> int:
    """Drop the draft entries of a decision just signed (a signed decision is final: putting a draft back
    could only be refused, and Undo would stay offered for nothing). Returns how many were dropped."""
    return stack.drop(lambda e: entry_for(e, decision_id))


def _draft(d: AdmDecision) -> Draft:
    return Draft(d.outcome, d.decision_text, d.decision_reasons, d.addressee, d.salutation, d.social_worker)


def _stored_draft(db: Database, actor: Principal, decision_id: int) -> tuple[Draft, int, str]:
    """The draft as stored, its version and the case reference (no audited opening: the screen did that)."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor, write=False) as session:
        d = get_or_raise(session, AdmDecision, decision_id, f"There is no ADM decision {decision_id}.")
        return _draft(d), d.row_version, d.subject_reference


def save_draft(db: Database, actor: Principal, decision_id: int, draft: Draft, *,
               expected_version: int | None = None) -> tuple[int, UndoEntry | None]:
    """The decision and who its letters go to, in one transaction (``service.save_draft_decision``: all
    checked before anything is written, so a refused save leaves the version the screen holds); returns the
    new version and the entry that puts the previous draft back (``None`` when nothing changed)."""
    require(actor, Permission.ADM_DECIDE)
    before, _version, reference = _stored_draft(db, actor, decision_id)
    service.save_draft_decision(db, actor, decision_id, outcome=draft.outcome, decision_text=draft.decision_text,
                                reasons=draft.reasons, addressee=draft.addressee, salutation=draft.salutation,
                                social_worker=draft.social_worker, expected_version=expected_version)
    after, version, _ = _stored_draft(db, actor, decision_id)
    if after == before:
        return version, None
    label = f"Saved the draft decision on {reference}"
    return version, _draft_entry(db, actor, decision_id, before, after, version, label)


def _draft_entry(db: Database, actor: Principal, decision_id: int, before: Draft, after: Draft, version: int,
                 label: str) -> UndoEntry:
    def reverse() -> UndoEntry:
        back = restore_draft(db, actor, decision_id, before, expected_version=version, expected=after)
        return _draft_entry(db, actor, decision_id, after, before, back, label)

    return DraftEntry(label, reverse, actor.user_id, AREA, "the draft decision", decision_id=decision_id)


def restore_draft(db: Database, actor: Principal, decision_id: int, draft: Draft, *, expected_version: int,
                  expected: Draft | None = None) -> int:
    """Put ``draft`` back on the unsigned decision in one transaction. Refused when it is signed, when the
    user may not decide it, or when it is no longer at ``expected_version`` and no longer holds
    ``expected`` (someone else saved it since). Returns the new version."""
    require(actor, Permission.ADM_DECIDE)
    with db.session(actor) as session:
        d = lock_row(session, get_or_raise(session, AdmDecision, decision_id,
                                           f"There is no ADM decision {decision_id}."))
        service._require_as_saved(session, d, "The draft was not put back. Nothing was saved; the decision "
                                              "stays as it is.")
        service._refuse_if_signed(d)
        service._check_signer(d, actor)
        if d.row_version != expected_version and _draft(d) != expected:
            raise changed_since(session, "adm_decisions", [d.id], f"decision {d.id} ({d.subject_reference})",
                                service._decision_values(d))
        d.outcome, d.decision_text, d.decision_reasons = draft.outcome, draft.decision_text, draft.reasons
        d.addressee, d.salutation, d.social_worker = draft.addressee, draft.salutation, draft.social_worker
        session.flush()
        audit.record(session, "undo", "adm_decisions", d.id, detail="draft put back")
        return int(d.row_version)
