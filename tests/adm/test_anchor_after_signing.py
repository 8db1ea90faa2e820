"""The anchors move on as soon as a decision is signed (red-team, 4 December 2026): they moved only when
the program opened and closed, so for a whole working day someone holding the key could rewrite a signature
and every entry after the last anchor, and the next close vouched for the rewrite. Real SQLCipher file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import text

from adoption_desktop.adm import service
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD


def _anchored_seq(db_path: Path) -> int:
    return int(json.loads(Path(str(db_path) + ".audit-anchor").read_text(encoding="utf-8"))["seq"])


def test_the_anchor_beside_the_file_vouches_for_a_signature_at_once(db: Database, adm_user: Principal,
                                                                     db_path: Path, store: SecretStore) -> None:
    with db.session() as s:
        did = open_from_panel(s, handoff(received=dt.date(2025, 12, 1)))
    service.record_decision(db, adm_user, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="I agree with the panel's reasons.")
    db.dispose()
    opened = open_database(db_path, store)  # as the program opens it: the anchors checked and moved on
    try:
        at_open = _anchored_seq(db_path)
        service.sign_decision(opened, adm_user, did, TEST_PASSWORD, dt.date(2025, 12, 3))
        with opened.engine.connect() as conn:
            head = int(conn.scalar(text("SELECT last_seq FROM audit_head")) or 0)
            signed = int(conn.scalar(text("SELECT max(seq) FROM audit_log WHERE action = 'sign'")) or 0)
        assert at_open < signed <= head
        assert _anchored_seq(db_path) == head  # before the program closes
    finally:
        opened.dispose()
