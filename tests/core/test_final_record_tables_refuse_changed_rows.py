"""Any write to a row of a final-record table (``seals.CONTENT_RULES``: decisions, minutes, letters, letterbox
items, counselling cases …) that is not as the program last sealed it is refused at the flush, nothing
written: such a row was written and left unsealed, as other tables' rows are, so that a later transition
(signing, approving, closing) could seal a record with the outside change in it. The services check the rows
they change first, in their own words; this catches any other writer. Other tables are unchanged (written,
left unsealed, named by ``verify``: ``test_reseal_tampered``)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.audit.seal_check import check_rows
from adoption_desktop.core.errors import SealBroken
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service
from adoption_desktop.counselling.models import CounsellingCase
from tests.conftest import make_user
from tests.counselling.conftest import TODAY, referral


def _entries(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(AuditEntry)).scalar() or 0)


def test_a_changed_row_of_a_final_record_table_is_not_written_by_any_flush(db: Database) -> None:
    counsellor = make_user(db, "corey", Role.COUNSELLOR)
    changed = service.create_referral(db, counsellor, referral(), today=TODAY)
    sound = service.create_referral(db, counsellor, referral(birth_name="Bea Rowntree"), today=TODAY)
    with db.engine.begin() as conn:  # with the key, outside the application: no audit, no seal
        conn.execute(text("UPDATE counselling_cases SET address = 'Elsewhere' WHERE id = :i"), {"i": changed})
    before = _entries(db)
    with pytest.raises(SealBroken) as refused, db.session(counsellor) as s:
        case = s.get(CounsellingCase, changed)
        assert case is not None
        case.phone = "01632 960002"
        s.flush()
    said = str(refused.value)
    assert said.startswith(f"This counselling case (record {changed}) is not as the application last saved it: "
                           "address changed outside the application"), said
    assert "Nothing was saved" in said and "verify" in said
    assert _entries(db) == before
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT phone FROM counselling_cases WHERE id = :i"), {"i": changed}).scalar() \
            == referral().phone
        assert check_rows(conn, "counselling_cases", [changed])
    with db.session(counsellor) as s:  # an untouched row is written and sealed as before
        case = s.get(CounsellingCase, sound)
        assert case is not None
        case.phone = "01632 960002"
    with db.engine.connect() as conn:
        assert check_rows(conn, "counselling_cases", [sound]) == []
