"""Team mode (PostgreSQL, READ COMMITTED): the checks before the password (``check_signable``, and the one
``sign_decision`` makes before it asks) ran the seal check in a read-only session without a row lock, and the
check read the decision's seals and its row in separate statements. A colleague's ordinary save committed
between the two made an untouched draft read as "changed outside the application … restore from a backup".
A problem the check finds is now looked at again in one snapshot before it is said (``seal_check.check_rows``),
so a colleague's save never reads as tampering; a change made in SQL is still refused."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from adoption_desktop.adm import service
from adoption_desktop.core.audit import seal_check
from adoption_desktop.core.errors import SealBroken
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from tests.adm.conftest import handoff, open_from_panel

D = dt.date
REASONS = "A thorough assessment."


@pytest.fixture
def db(pg_db: Database) -> Database:
    """These tests are about team mode: the adm fixtures on a fresh PostgreSQL database."""
    return pg_db


def _draft(db: Database, adm_user: Principal) -> int:
    with db.session() as s:
        did = open_from_panel(s, handoff(received=D(2025, 12, 1)))
    service.record_decision(db, adm_user, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons=REASONS)
    return did


def _colleague_saves_mid_check(db: Database, adm_user: Principal, did: int,
                               monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Another PC saves the draft (an ordinary save, committed) once, after the check has read the
    decision's seals and before it reads the row (``audited_tables`` is asked for in between)."""
    real: Callable[[], Any] = seal_check.audited_tables
    fired: list[int] = []

    def between() -> Any:
        if not fired:
            fired.append(1)
            other = threading.Thread(target=lambda: service.record_decision(
                db, adm_user, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                reasons=REASONS + " Reworded by the ADM on the other PC."))
            other.start()
            other.join()
        return real()

    monkeypatch.setattr(seal_check, "audited_tables", between)
    return fired


def test_a_colleague_save_during_the_presign_check_is_not_taken_for_tampering(
        db: Database, adm_user: Principal, monkeypatch: pytest.MonkeyPatch) -> None:
    did = _draft(db, adm_user)
    fired = _colleague_saves_mid_check(db, adm_user, did, monkeypatch)
    assert service.check_signable(db, adm_user, did, D(2025, 12, 3)) == 0
    assert fired  # the save did land between the two reads
    with db.engine.connect() as conn:
        assert seal_check.check_rows(conn, "adm_decisions", [did]) == []


def test_a_colleague_save_during_the_check_before_the_password_does_not_stop_the_signature(
        db: Database, adm_user: Principal, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import TEST_PASSWORD

    did = _draft(db, adm_user)
    fired = _colleague_saves_mid_check(db, adm_user, did, monkeypatch)
    service.sign_decision(db, adm_user, did, TEST_PASSWORD, D(2025, 12, 3))
    assert fired
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT signed_at IS NOT NULL, decision_reasons FROM adm_decisions WHERE id = :i"),
                            {"i": did}).one() == (True, REASONS + " Reworded by the ADM on the other PC.")


def test_a_draft_reworded_in_sql_is_still_refused_before_the_password(db: Database, adm_user: Principal) -> None:
    """The control: the second look finds a change made outside the program again, and refuses."""
    did = _draft(db, adm_user)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE adm_decisions SET decision_text = 'Not approved.' WHERE id = :i"), {"i": did})
    with pytest.raises(SealBroken, match="changed outside the application"):
        service.check_signable(db, adm_user, did, D(2025, 12, 3))
