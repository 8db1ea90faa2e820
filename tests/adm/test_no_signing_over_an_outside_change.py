"""Someone holding the database key changed a decision in SQL so that it looked like an ordinary draft (a
draft's reasons reworded, a signed decision set back to unsigned), and the ADM then saved and signed it: the
new seal covered the outside change, which from then on showed only as an old ``verify`` finding. A decision
is now checked against its latest seal, under the signing's row lock, before it is saved or signed (and
before the password is asked for); one not as the program last saved it is refused, nothing is written, and
``verify`` goes on naming the change. The same decisions untouched are saved and signed as before."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select, text

from adoption_desktop.adm import service
from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.audit.seal_check import check_rows
from adoption_desktop.core.errors import SealBroken
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from tests.adm.conftest import handoff, open_from_panel
from tests.adm.test_qd_clock import PROPOSED, proposal
from tests.conftest import TEST_PASSWORD

D = dt.date
SIGN_ON = D(2025, 12, 3)


def _draft(db: Database, adm: Principal) -> int:
    with db.session() as s:
        did = open_from_panel(s, handoff(received=D(2025, 12, 1)))
    service.record_decision(db, adm, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="A thorough assessment.")
    return did


def _sql(db: Database, statement: str, **params: object) -> None:
    """A change made with the key, outside the application: plain SQL on the SQLCipher file (no audit, no seal)."""
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _state(db: Database, did: int) -> tuple[int, dict[str, Any]]:
    """The audit entries (but the password check's, on the user) and the decision's row as stored."""
    with db.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM adm_decisions WHERE id = :i"), {"i": did}).mappings().one()
        entries = conn.execute(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity != "users"))
        return int(entries.scalar() or 0), dict(row)


def _still_reported(db: Database, did: int) -> None:
    with db.engine.connect() as conn:
        assert check_rows(conn, "adm_decisions", [did])


def _refused(db: Database, did: int, attempt: Any, *said: str) -> str:
    before = _state(db, did)
    with pytest.raises(SealBroken) as refused:
        attempt()
    message = str(refused.value)
    assert message.startswith("This decision is not as it was last saved in Adoption Desktop: "), message
    for words in (*said, "changed outside the application", "Nothing was saved", "verify", "backup"):
        assert words in message, (words, message)
    assert _state(db, did) == before  # no audit entry, no seal, the row as it was
    _still_reported(db, did)
    return message


def _sign(db: Database, adm: Principal, did: int, on: dt.date = SIGN_ON) -> service.SignResult:
    return service.sign_decision(db, adm, did, TEST_PASSWORD, on)


def test_a_draft_reworded_in_sql_is_neither_signed_nor_saved(db: Database, adm_user: Principal) -> None:
    did = _draft(db, adm_user)
    _sql(db, "UPDATE adm_decisions SET decision_reasons = 'Reasons written in SQL.' WHERE id = :i", i=did)
    said = _refused(db, did, lambda: _sign(db, adm_user, did), "decision reasons", "It was not signed")
    assert "decision_reasons" not in said
    # before the password: a wrong one is not what is reported
    _refused(db, did, lambda: service.sign_decision(db, adm_user, did, "not the password", SIGN_ON), "not signed")
    _refused(db, did, lambda: service.check_signable(db, adm_user, did, SIGN_ON), "It was not signed")
    _refused(db, did, lambda: service.record_decision(db, adm_user, did, outcome="agree", decision_text="Approved.",
                                                      reasons="Mine."), "Your changes were not saved")
    _refused(db, did, lambda: service.save_draft_decision(
        db, adm_user, did, outcome="agree", decision_text="Approved.", reasons="Mine.", addressee="Ms A Example\n"
        "1 Test Road\nZZ99 1ZZ", salutation="Dear Ms Example", social_worker=""), "Your changes were not saved")
    _refused(db, did, lambda: service.request_information(db, adm_user, did, what="The medical report.",
                                                          requested_on=D(2025, 12, 2)),
             "request for more information was not recorded")


def test_a_signed_decision_set_back_to_unsigned_in_sql_is_not_signed_again(db: Database,
                                                                           adm_user: Principal) -> None:
    did = _draft(db, adm_user)
    _sign(db, adm_user, did)
    _sql(db, "UPDATE adm_decisions SET signed_at = NULL, signed_by_id = NULL, signed_by_name = '', "
             "decided_on = NULL, state = 'pending', decision_reasons = 'Different reasons.' WHERE id = :i", i=did)
    _refused(db, did, lambda: _sign(db, adm_user, did, D(2025, 12, 4)), "signed at", "It was not signed")
    _refused(db, did, lambda: service.record_decision(db, adm_user, did, outcome="agree", decision_text="Approved.",
                                                      reasons="Mine."), "Your changes were not saved")


def test_a_final_decision_after_a_qualifying_determination_changed_in_sql_is_not_signed(
        db: Database, adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    assert res.qd_id is not None
    service.mark_letter_sent(db, adm_user, res.letter_id, PROPOSED)
    service.record_representations(db, adm_user, res.qd_id, received_on=D(2025, 12, 15), summary="We disagree.")
    final_id = service.open_final_decision(db, adm_user, res.qd_id, D(2025, 12, 16))
    service.record_decision(db, adm_user, final_id, outcome="not_approve", decision_text="Not approved.",
                            reasons="The representations do not answer the concerns.")
    _sql(db, "UPDATE adm_decisions SET decision_text = 'Approved after all.' WHERE id = :i", i=final_id)
    _refused(db, final_id, lambda: _sign(db, adm_user, final_id, D(2025, 12, 19)), "decision text",
             "It was not signed")


def test_untouched_decisions_are_saved_and_signed_as_before(db: Database, adm_user: Principal) -> None:
    did = _draft(db, adm_user)
    other = _draft(db, adm_user)
    _sql(db, "UPDATE adm_decisions SET decision_reasons = 'Reasons written in SQL.' WHERE id = :i", i=other)
    service.record_decision(db, adm_user, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="A thorough assessment, read again.")
    assert service.check_signable(db, adm_user, did, SIGN_ON) == 0
    assert _sign(db, adm_user, did).decision_id == did
    with db.engine.connect() as conn:
        assert check_rows(conn, "adm_decisions", [did]) == []
    res = proposal(db, adm_user)  # and a proposal, its qualifying determination and its final decision
    assert res.qd_id is not None
    service.mark_letter_sent(db, adm_user, res.letter_id, PROPOSED)
    service.record_representations(db, adm_user, res.qd_id, received_on=D(2025, 12, 15), summary="We disagree.")
    final_id = service.open_final_decision(db, adm_user, res.qd_id, D(2025, 12, 16))
    service.record_decision(db, adm_user, final_id, outcome="not_approve", decision_text="Not approved.",
                            reasons="The representations do not answer the concerns.")
    assert _sign(db, adm_user, final_id, D(2025, 12, 19)).decision_id == final_id
