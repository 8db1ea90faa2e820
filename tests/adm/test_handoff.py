from __future__ import annotations

import datetime as dt

from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.adm.service import open_decision_from_panel
from adoption_desktop.core.storage.engine import Database
from tests.adm.conftest import handoff


def test_handoff_opens_pending_decision_with_due_date(db: Database) -> None:
    h = handoff(received=dt.date(2025, 12, 1), member_ids=(4, 5))
    with db.session() as s:
        did = open_decision_from_panel(s, h)
        assert open_decision_from_panel(s, h) == did  # idempotent per panel item
    with db.session() as s:
        d = s.get(AdmDecision, did)
        assert d is not None
        assert d.state == "pending" and d.due_on == dt.date(2025, 12, 10)
        assert d.member_user_ids == "[4, 5]" and "Sam Chair" in d.member_names
        assert d.recommendation_reasons == h.reasons and d.minutes_extract == h.minutes_extract
        assert d.root_id == did
