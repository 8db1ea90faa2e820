"""The counselling case-reference prefix: 1 to 10 letters or digits (a hyphen between them), checked."""

from __future__ import annotations

import json

import pytest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.models import SettingValue
from adoption_desktop.core.settings_service import all_settings, get_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling.settings import REFERENCE_PREFIX, ReferencePrefixSetting


@pytest.mark.parametrize("bad", ['=HYPERLINK("http://x","y")', "BR\nC", "B%", "B_C", "ABCDEFGHIJK", "", "  ",
                                 "-BRC", "BRC-", "B--C", "BRÇ", "B C"])
def test_a_prefix_that_would_break_or_poison_references_is_refused(bad: str) -> None:
    assert isinstance(REFERENCE_PREFIX, ReferencePrefixSetting)
    with pytest.raises(ValidationError, match="1 to 10 letters"):
        REFERENCE_PREFIX.check(bad)


@pytest.mark.parametrize("good", ["BRC", "A", "BRC-N", "ABCDEFGHIJ", " brc2 "])
def test_a_plain_prefix_is_accepted_in_capitals(good: str) -> None:
    assert isinstance(REFERENCE_PREFIX, ReferencePrefixSetting)
    assert REFERENCE_PREFIX.check(good) == good.strip().upper()


@pytest.mark.parametrize("bad", ["ß", "ﬁ", "ı"])  # their capitals ("SS", "FI", "I") are A to Z: still refused
def test_a_letter_that_becomes_a_to_z_only_in_capitals_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match="1 to 10 letters"):
        REFERENCE_PREFIX.check(bad)


def test_a_bad_prefix_stored_outside_the_application_is_not_used(db: Database) -> None:
    with db.session() as s:
        s.add(SettingValue(key=REFERENCE_PREFIX.key, value=json.dumps("=1+1%")))
    with db.session(write=False) as s:
        assert get_setting(s, REFERENCE_PREFIX) == "BRC"
        assert all_settings(s)[REFERENCE_PREFIX.key] == "BRC"
