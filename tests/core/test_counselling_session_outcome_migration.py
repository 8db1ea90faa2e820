"""Migration ``counselling_0003_session_outcome``: a session gains an outcome (held, cancelled, did not attend;
NULL not recorded). Sessions on file before it keep the count they had: one dated on or before the upgrade
day is recorded as held (it counted as the interview, in the figures and against closure), one dated later
stays a booked appointment. On an existing encrypted file through the application's copy-then-upgrade."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import text

from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.lifecycle import open_database
from tests.core.test_counselling_order_date_migration import INSERT
from tests.core.test_migrations import check_revision_follows, older_file

REVISION = "counselling_0003_session_outcome"
BEFORE = "conc_0002_lease_holder"  # the head of its day


def test_revision_follows_the_last_head() -> None:
    check_revision_follows(REVISION, BEFORE)


def test_sessions_on_file_keep_their_count(tmp_path: Path, store: SecretStore) -> None:
    today = dt.date.today()
    days = {1: today - dt.timedelta(days=40), 2: today, 3: today + dt.timedelta(days=30)}
    with older_file(tmp_path, store, BEFORE) as (path, conn):
        conn.execute(INSERT, {"id": 1, "ref": "BRC-2024-0001", "referred": dt.date(2024, 3, 1),
                              "born": dt.date(1960, 3, 4), "order": dt.date(1961, 1, 10)})
        for sid, day in days.items():
            conn.execute(text("INSERT INTO counselling_sessions (id, case_id, held_on, start_time, kind, location, "
                              "notes) VALUES (:id, 1, :day, '10:00', 'in_person', 'Office', '')"),
                         {"id": sid, "day": day.isoformat()})
        conn.commit()

    upgraded = open_database(path, store)  # the application's path: a copy upgraded, then swapped in
    try:
        with upgraded.engine.connect() as conn:
            assert migrations.current_heads(conn) == migrations.script_heads()
            outcomes = dict(conn.execute(text("SELECT id, outcome FROM counselling_sessions")).all())
            # past and today's sessions counted as held before: recorded as held; the appointment ahead is booked
            assert outcomes == {1: "held", 2: "held", 3: None}
    finally:
        upgraded.dispose()


def test_chase_history_follows_it() -> None:
    """``counselling_0004_chase_history`` (the chases of each records request) comes next on the one line."""
    check_revision_follows("counselling_0004_chase_history", REVISION)
