"""Concurrency probe, 2026-12-04: with the second checker on, a colleague confirmed an item whose findings
were marked "remove"; the coordinator then marked every finding acceptable and forwarded it, unredacted,
recorded as second-checked by someone who saw those findings marked for removal. A finding decided
differently now ends the second check (it must be confirmed again), and a check confirmed from a screen
showing the old decisions is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.core.errors import Conflict, StaleRecord
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.settings_service import set_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.settings import SECOND_CHECKER

DAY = dt.date(2026, 3, 2)


def _screened(db: Database, admin: Principal, coordinator: Principal, arrangement: int) -> tuple[int, list[int]]:
    set_setting(db, admin, SECOND_CHECKER, True)
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=DAY)
    found = service.screen_item(db, coordinator, item, "Love from the Thornleys at ZZ99 4EF").findings
    assert found
    for f in found:
        service.decide_finding(db, coordinator, f.id, "remove")
    return item, [f.id for f in found]


def test_a_finding_decided_differently_after_the_check_ends_it(db: Database, admin: Principal,
                                                                coordinator: Principal, checker: Principal,
                                                                arrangement: int) -> None:
    item, findings = _screened(db, admin, coordinator, arrangement)
    seen = service.get_item(db, checker, item).row_version
    service.confirm_second_check(db, checker, item, expected_version=seen)
    for f in findings:
        service.decide_finding(db, coordinator, f, "acceptable")
    detail = service.get_item(db, coordinator, item)
    assert detail.checked_by == ""
    assert "the second check by lbcheck no longer stands" in detail.history[len(findings) * -1].detail
    with pytest.raises(Conflict, match="second checker"):
        service.record_outcome(db, coordinator, item, "forwarded", DAY + dt.timedelta(days=1), method="post")
    service.confirm_second_check(db, checker, item, expected_version=detail.row_version)  # seen as they are now
    service.record_outcome(db, coordinator, item, "forwarded", DAY + dt.timedelta(days=1), method="post")
    assert service.get_item(db, coordinator, item).status == "forwarded"


def test_a_check_confirmed_from_the_old_decisions_is_refused(db: Database, admin: Principal,
                                                             coordinator: Principal, checker: Principal,
                                                             arrangement: int) -> None:
    item, findings = _screened(db, admin, coordinator, arrangement)
    seen = service.get_item(db, checker, item).row_version  # the checker's screen: findings to be removed
    service.decide_finding(db, coordinator, findings[0], "acceptable")
    with pytest.raises(StaleRecord):
        service.confirm_second_check(db, checker, item, expected_version=seen)
    assert service.get_item(db, coordinator, item).checked_by == ""
