"""*Correct allocation…* after a hand-over could correct the hand-over's counsellor back to the counsellor who had
handed the case over: a hand-over from a counsellor to themselves, whose day then read as the "since" of a
counsellor who had had the case all along. The hand-over's audit entry now holds who handed it over
(``counsellor_id: [from, to]``); for a hand-over recorded before, that is read from the case's update entry of the
same save. The correction is refused, keyed to the counsellor, on SQLCipher and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from adoption_desktop.core import audit
from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service
from adoption_desktop.counselling.models import CounsellingCase
from adoption_desktop.counselling.service.common import HANDOVER
from adoption_desktop.counselling.service.data import ENTITY
from tests.conftest import make_user

from .conftest import TODAY, referral

D = dt.date


def _version(db: Database, who: Principal, case_id: int) -> int:
    return service.open_case(db, who, case_id, TODAY, audit_view=False).row_version


def _entries(db: Database, case_id: int, action: str) -> list[dict[str, list[object]]]:
    with db.session() as s:
        return [json.loads(c) for c in s.scalars(select(AuditEntry.changes).where(
            AuditEntry.action == action, AuditEntry.entity == ENTITY, AuditEntry.entity_id == str(case_id))
            .order_by(AuditEntry.seq))]


def _case(db: Database) -> tuple[Principal, Principal, Principal, int]:
    first = make_user(db, "corey", Role.COUNSELLOR)
    second = make_user(db, "cleo", Role.COUNSELLOR)
    third = make_user(db, "cass", Role.COUNSELLOR)
    case_id = service.create_referral(db, first, referral(), today=TODAY)
    service.allocate(db, first, case_id, first.user_id, D(2026, 10, 5), today=TODAY)
    return first, second, third, case_id


def _refused_back(db: Database, first: Principal, case_id: int) -> None:
    version = _version(db, first, case_id)
    with pytest.raises(ValidationError) as refused:
        service.correct_allocation(db, first, case_id, first.user_id, D(2026, 11, 20), "back to corey",
                                   expected_version=version, today=TODAY)
    assert refused.value.field == "counsellor"
    assert "Corey Tester handed the case over on 20/11/2026: correct the hand-over's counsellor to someone else" \
        in str(refused.value)
    # nothing was changed: the case is as it was, with no correction in its audit trail
    assert _version(db, first, case_id) == version


def test_a_hand_over_is_not_corrected_back_to_who_handed_it_over(any_db: Database) -> None:
    first, second, third, case_id = _case(any_db)
    service.allocate(any_db, first, case_id, second.user_id, D(2026, 11, 20), today=TODAY)
    # the hand-over records who handed it over, and to whom
    [handover] = _entries(any_db, case_id, HANDOVER)
    assert handover["counsellor_id"] == [first.user_id, second.user_id]
    _refused_back(any_db, first, case_id)
    assert service.open_case(any_db, first, case_id, TODAY).counsellor_id == second.user_id
    assert _entries(any_db, case_id, "correct_allocation") == []
    # to another counsellor it is corrected; and still not back to the one who handed it over after that
    service.correct_allocation(any_db, first, case_id, third.user_id, D(2026, 11, 20), "wrong counsellor chosen",
                               expected_version=_version(any_db, first, case_id), today=TODAY)
    assert service.open_case(any_db, first, case_id, TODAY).counsellor_id == third.user_id
    _refused_back(any_db, first, case_id)
    # a case that did go back is a hand-over of its own, which is not refused
    service.allocate(any_db, first, case_id, first.user_id, D(2026, 11, 21), today=TODAY)
    assert service.open_case(any_db, first, case_id, TODAY).counsellor_id == first.user_id


def test_a_hand_over_recorded_before_is_judged_by_its_save(any_db: Database) -> None:
    """A hand-over saved as it was before 7 December: its entry holds the day only; the case's update entry
    of the same save holds the counsellor changed."""
    first, second, _third, case_id = _case(any_db)
    with any_db.session(first) as session:
        case = session.get(CounsellingCase, case_id)
        assert case is not None
        audit.record(session, HANDOVER, ENTITY, case.id,
                     changes={"counsellor_since": ["2026-10-05", "2026-11-20"]},
                     detail=f"{case.reference}: handed over from corey to cleo on 20/11/2026")
        case.counsellor_id = second.user_id
    [handover] = _entries(any_db, case_id, HANDOVER)
    assert "counsellor_id" not in handover
    assert service.open_case(any_db, first, case_id, TODAY).counsellor_since == D(2026, 11, 20)
    _refused_back(any_db, first, case_id)
    assert service.open_case(any_db, first, case_id, TODAY).counsellor_id == second.user_id
