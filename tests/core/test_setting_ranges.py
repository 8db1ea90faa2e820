"""Every whole-number setting has a range a real agency could choose from, and a value outside it is
refused with the range said in words (tester, Administration → Settings → Change value…: an OCR
confidence of 250 %, a quorum of 99,999 members, DBS checks renewed every 0 years and arrangements
inactive after 0 months were all saved). The counselling reference prefix is kept in capitals."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adoption_desktop.adm.settings import DECISION_DUE_WD
from adoption_desktop.core.config import SETTINGS_REGISTRY, Setting
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.models import SettingValue
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.settings_service import get_setting, set_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling.settings import PRIORITY_AGE, REFERENCE_PREFIX
from adoption_desktop.journey.settings import A2_THRESHOLD_DAYS
from adoption_desktop.letterbox.settings import INACTIVE_AFTER_MONTHS, OCR_LOW_CONFIDENCE_PERCENT
from adoption_desktop.panel.settings import DBS_RENEWAL_YEARS, QUORUM_MIN_MEMBERS, TRAINING_RENEWAL_YEARS

COUNTS = sorted((s for s in SETTINGS_REGISTRY.values()
                 if isinstance(s.default, int) and not isinstance(s.default, bool)), key=lambda s: s.key)


@pytest.mark.parametrize(("setting", "value", "said"), [
    (OCR_LOW_CONFIDENCE_PERCENT, 250, "enter a whole number from 1 to 100 (%)."),
    (OCR_LOW_CONFIDENCE_PERCENT, 0, "enter a whole number from 1 to 100 (%)."),
    (QUORUM_MIN_MEMBERS, 99_999, "enter a whole number of members from 5 to 20."),
    (QUORUM_MIN_MEMBERS, 4, "enter a whole number of members from 5 to 20."),
    (DBS_RENEWAL_YEARS, 0, "enter a whole number of years from 1 to 10."),
    (TRAINING_RENEWAL_YEARS, 0, "enter a whole number of years from 1 to 10."),
    (INACTIVE_AFTER_MONTHS, 0, "enter a whole number of months from 1 to 120."),
    (A2_THRESHOLD_DAYS, 99_999, "enter a whole number of days from 1 to 1095."),
    (DECISION_DUE_WD, 61, "enter a whole number of working days from 0 to 60."),
    (PRIORITY_AGE, 0, "enter a whole number of years from 18 to 120."),
])
def test_the_testers_values_are_refused_with_the_range_in_words(db: Database, admin: Principal, setting: Setting[Any],
                                                                value: int, said: str) -> None:
    with pytest.raises(ValidationError) as err:
        set_setting(db, admin, setting, value)
    assert str(err.value) == f"{setting.label}: {said}"
    assert err.value.field == setting.key
    with db.session(write=False) as s:
        assert get_setting(s, setting) == setting.default  # nothing was stored
        assert s.get(SettingValue, setting.key) is None


def test_every_whole_number_setting_has_a_range_around_its_default() -> None:
    assert len(COUNTS) >= 30
    for setting in COUNTS:
        assert setting.maximum is not None, f"{setting.key}: no maximum"
        assert 0 <= setting.minimum <= setting.default <= setting.maximum, setting.key


@pytest.mark.parametrize("setting", COUNTS, ids=lambda s: s.key)
def test_each_setting_keeps_its_ends_and_refuses_past_them(db: Database, admin: Principal,
                                                           setting: Setting[int]) -> None:
    assert setting.maximum is not None
    for bad in (setting.minimum - 1, setting.maximum + 1):
        if bad < 0 and setting.minimum == 0:
            continue
        with pytest.raises(ValidationError, match=f"from {setting.minimum} to {setting.maximum}"):
            set_setting(db, admin, setting, bad)
    for good in (setting.minimum, setting.maximum):
        set_setting(db, admin, setting, good)
        with db.session(write=False) as s:
            assert get_setting(s, setting) == good


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(COUNTS), st.integers(min_value=-10, max_value=200_000))
def test_a_whole_number_is_accepted_exactly_when_it_is_in_range(setting: Setting[int], value: int) -> None:
    assert setting.maximum is not None
    if setting.minimum <= value <= setting.maximum:
        assert setting.check(value) == value
    else:
        with pytest.raises(ValidationError, match=f"from {setting.minimum} to {setting.maximum}"):
            setting.check(value)


def test_a_value_stored_before_the_range_reads_within_it(db: Database) -> None:
    """250 % saved before this check (or in SQL) is read as the most allowed, 0 years as the default."""
    with db.session() as s:
        s.add(SettingValue(key=OCR_LOW_CONFIDENCE_PERCENT.key, value=json.dumps(250)))
        s.add(SettingValue(key=DBS_RENEWAL_YEARS.key, value=json.dumps(0)))
    with db.session(write=False) as s:
        assert get_setting(s, OCR_LOW_CONFIDENCE_PERCENT) == 100
        assert get_setting(s, DBS_RENEWAL_YEARS) == DBS_RENEWAL_YEARS.default


@pytest.mark.parametrize(("typed", "kept"), [("brc", "BRC"), (" brc-n ", "BRC-N"), ("Brc2", "BRC2")])
def test_the_reference_prefix_is_kept_in_capitals(db: Database, admin: Principal, typed: str, kept: str) -> None:
    set_setting(db, admin, REFERENCE_PREFIX, typed)
    with db.session(write=False) as s:
        assert get_setting(s, REFERENCE_PREFIX) == kept
        row = s.get(SettingValue, REFERENCE_PREFIX.key)
        assert row is not None and json.loads(row.value) == kept


def test_a_prefix_stored_in_small_letters_before_is_read_in_capitals(db: Database) -> None:
    with db.session() as s:
        s.add(SettingValue(key=REFERENCE_PREFIX.key, value=json.dumps("brc")))
    with db.session(write=False) as s:
        assert get_setting(s, REFERENCE_PREFIX) == "BRC"


@pytest.mark.parametrize("bad", ["BRC/2026 ../;DROP", "X" * 300, "Ünï", ""])
def test_the_service_refuses_a_bad_prefix_itself(db: Database, admin: Principal, bad: str) -> None:
    """Not only the Settings tab: the service checks the prefix too."""
    with pytest.raises(ValidationError, match="1 to 10 letters A to Z or digits"):
        set_setting(db, admin, REFERENCE_PREFIX, bad)
    with db.session(write=False) as s:
        assert s.get(SettingValue, REFERENCE_PREFIX.key) is None
