"""Issue 12 for users and settings: names cleaned, user names compared after normalisation, closure
days in range."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.core.config import AGENCY_NAME
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security import service
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.settings_service import add_closure_day, get_setting, set_setting
from adoption_desktop.core.storage.engine import Database
from tests.conftest import TEST_PASSWORD


def test_user_names_and_full_names(db: Database, admin: Principal) -> None:
    pw = TEST_PASSWORD + "x9!"
    with pytest.raises(ValidationError, match="Full name"):
        service.create_user(db, admin, "annlee", "Ann\x00 Lee", pw, [Role.COUNSELLOR])
    with pytest.raises(ValidationError, match="Full name"):
        service.create_user(db, admin, "annlee", "=cmd|' /C calc'!A0", pw, [Role.COUNSELLOR])
    made = service.create_user(db, admin, "ann\u200blee", "Ann\u200b Lee", pw, [Role.COUNSELLOR])
    assert (made.username, made.full_name) == ("annlee", "Ann Lee")
    for twin in ("ANNLEE", "annlee\ufeff"):
        with pytest.raises(ValidationError, match="taken"):
            service.create_user(db, admin, twin, "Another Person", pw, [Role.COUNSELLOR])
    with pytest.raises(ValidationError, match="A to Z"):  # full-width letters are not ASCII: refused as such
        service.create_user(db, admin, "ａｎｎｌｅｅ", "Another Person", pw, [Role.COUNSELLOR])


def test_settings_text_and_closure_days(db: Database, admin: Principal) -> None:
    with pytest.raises(ValidationError):
        set_setting(db, admin, AGENCY_NAME, "Example\x00 Agency")
    set_setting(db, admin, AGENCY_NAME, "Example\u200b Agency")
    with db.session(write=False) as session:
        assert get_setting(session, AGENCY_NAME) == "Example Agency"
    with pytest.raises(ValidationError, match="Closure day"):
        add_closure_day(db, admin, dt.date(9999, 12, 24), "Christmas")
    with pytest.raises(ValidationError, match="Reason"):
        add_closure_day(db, admin, dt.date(2026, 12, 24), "Christ\x00mas")
