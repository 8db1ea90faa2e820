"""Every demo referral is of an applicant 18 or over on the referral date, as the service requires
(user trial ut13: the large demo referred BRC-2022-0047 on 21/04/2022, the applicant born 25/04/2004)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from sqlalchemy import select

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import create_database
from adoption_desktop.counselling import demo as counselling_demo
from adoption_desktop.counselling import rules
from adoption_desktop.counselling.models import CounsellingCase
from adoption_desktop.demo import DemoContext
from tests.conftest import make_user


def _under_age(db: Database) -> list[tuple[str, dt.date, dt.date]]:
    with db.session(write=False) as s:
        rows = s.execute(select(CounsellingCase.reference, CounsellingCase.referral_date,
                                CounsellingCase.date_of_birth)).all()
    assert rows
    return [(ref, referred, born) for ref, referred, born in rows if rules.under_age_message(born, referred)]


def test_the_small_demos_applicants_are_adults_when_referred(small_demo_db: Database) -> None:
    assert _under_age(small_demo_db) == []


@pytest.mark.parametrize("seed", [1, 6])  # seeds whose 2,000 referrals included applicants days short of 18
def test_a_large_generation_refers_only_adults(seed: int, tmp_path: Path, store: SecretStore) -> None:
    db = create_database(tmp_path / "large.db", store).db
    try:
        ctx = DemoContext(size="large", rng=random.Random(seed), today=dt.date(2026, 12, 6))
        ctx.users = {Role.ADMINISTRATOR: make_user(db, "admin", Role.ADMINISTRATOR),
                     Role.COUNSELLOR: make_user(db, "couns", Role.COUNSELLOR)}
        counselling_demo.populate(db, ctx)
        assert _under_age(db) == []
    finally:
        db.dispose()


def test_a_date_of_birth_days_short_of_18_moves_to_the_18th_birthday() -> None:
    assert counselling_demo.adult_by(dt.date(2004, 4, 25), dt.date(2022, 4, 21)) == dt.date(2004, 4, 21)
    assert counselling_demo.adult_by(dt.date(2004, 4, 20), dt.date(2022, 4, 21)) == dt.date(2004, 4, 20)
    # born on 29 February: 18 on 1 March in a common year, so 29/02/2004 is not yet 18 on 28/02/2022
    assert counselling_demo.adult_by(dt.date(2004, 2, 29), dt.date(2022, 2, 28)) == dt.date(2004, 2, 28)
