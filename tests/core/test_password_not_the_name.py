"""A new password made of the person's own names is refused (user trial ut28): zxcvbn rated "jadmin-jadmin"
3 of 4 even with "jadmin" among its first guesses, so the first administrator of a new agency was created
with their user name typed twice as the password."""

from __future__ import annotations

import pytest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database


@pytest.mark.parametrize("password", ["jadmin-jadmin", "JoAdmin-JoAdmin", "jadmin.admin.jo!"])
def test_the_first_administrators_names_are_not_a_password(db: Database, password: str) -> None:
    with pytest.raises(ValidationError, match="own user name or name") as refused:
        users.create_first_administrator(db, "jadmin", "Jo Admin", password)
    assert refused.value.field == "password"
    assert not users.has_users(db)  # nothing created: the form is filled in again


def test_a_new_users_names_are_not_their_password_and_real_words_still_pass(db: Database) -> None:
    first = users.create_first_administrator(db, "jadmin", "Jo Admin", "copper kettle window seventy")
    with pytest.raises(ValidationError, match="own user name or name"):
        users.create_user(db, first, "padviser", "Pat Adviser", "padviser padviser", [Role.PANEL_ADMINISTRATOR])
    # a name inside an ordinary word ("jo" in "jolly") is no reason to refuse
    made = users.create_user(db, first, "jo", "Jo Sample", "jolly ocean marble river", [Role.PANEL_ADMINISTRATOR])
    assert made.username == "jo"
