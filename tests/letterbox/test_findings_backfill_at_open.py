"""When the findings digests' back-fill runs (``core.storage.lifecycle._backfill_findings_digests``), found by a
review of the seventh release's back-fill:

* on the team server it never ran: the open asked ``migrations.schema_current``, which answered ``False`` for
  any PostgreSQL database (it now reads the stored revisions on both);
* the open that upgrades an embedded file reopened it without upgrading, and the back-fill runs only at an
  open for work, so the first working session after the upgrade ran without it (now done at that open);
* every open of a file with nothing to back-fill read and decrypted the whole items table to find no item
  waiting (1.5 s at 60,000 items with their text): a partial index of the items without a digest
  (migration ``lbseal_0002_digest_waiting``) makes it one probe.

Through ``open_database`` on real SQLCipher files and the throwaway PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import lifecycle, migrations
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.models import Item
from tests.conftest import make_user
from tests.core.test_migrations import check_revision_follows
from tests.letterbox.conftest import sample_input
from tests.letterbox.test_findings_digest_backfill import _backfill_entries, _screened_before_digest

REVISION = "lbseal_0002_digest_waiting"
INDEX = "ix_letterbox_items_findings_digest_waiting"


def test_an_open_for_work_on_the_team_server_backfills(pg_db: Database, store: SecretStore) -> None:
    coordinator = make_user(pg_db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(pg_db, coordinator, sample_input(coordinator="lbcoord"))
    _screened_before_digest(pg_db, coordinator, arrangement, 2)
    url = pg_db.engine.url.render_as_string(hide_password=False)
    assert migrations.schema_current(pg_db)
    other = open_database(url, store)  # an ordinary open for work
    other.dispose()
    assert _backfill_entries(pg_db) == 1
    open_database(url, store).dispose()  # the next open finds it done
    assert _backfill_entries(pg_db) == 1


def test_an_open_without_upgrading_on_the_team_server_does_not_backfill(pg_db: Database, store: SecretStore) -> None:
    coordinator = make_user(pg_db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(pg_db, coordinator, sample_input(coordinator="lbcoord"))
    _screened_before_digest(pg_db, coordinator, arrangement, 2)
    open_database(pg_db.engine.url.render_as_string(hide_password=False), store, upgrade=False).dispose()
    assert _backfill_entries(pg_db) == 0  # `verify` and `upgrade` write nothing


def test_the_open_that_upgrades_the_file_backfills(db: Database, db_path: Path, store: SecretStore,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The upgrade itself stood in for (the file is behind at the first question only): the open that upgrades
    back-fills, whatever the step that made the file current."""
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord"))
    _screened_before_digest(db, coordinator, arrangement, 2)
    db.dispose()
    asked: list[int] = []
    monkeypatch.setattr(migrations, "needs_upgrade", lambda d: (asked.append(1), len(asked) == 1)[1])
    monkeypatch.setattr(migrations, "upgrade_sqlcipher", lambda *a, **k: migrations.UpgradeResult(True))
    opened = lifecycle.open_database(db_path, store)  # the app's open after installing the new version
    try:
        assert _backfill_entries(opened) == 1
    finally:
        opened.dispose()


def test_a_file_from_before_the_index_is_upgraded_and_backfilled_at_the_same_open(
        db: Database, db_path: Path, store: SecretStore) -> None:
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord"))
    _screened_before_digest(db, coordinator, arrangement, 2)
    with db.engine.connect() as conn:  # the file as the release before this one left it
        command.downgrade(migrations.alembic_config(conn), "lbseal_0001_findings_digest")
        conn.commit()
    db.dispose()
    opened = open_database(db_path, store)
    try:
        assert list(db_path.parent.glob(db_path.name + ".pre-upgrade-*.bak"))  # this open upgraded it
        assert migrations.schema_current(opened)
        assert _backfill_entries(opened) == 1
    finally:
        opened.dispose()


def test_the_index_follows_the_last_head() -> None:
    check_revision_follows(REVISION, "counselling_0005_birth_date_ix")


def _indexes(db: Database) -> set[str]:
    from sqlalchemy import inspect

    with db.engine.connect() as conn:
        return {str(i["name"]) for i in inspect(conn).get_indexes("letterbox_items")}


def test_whether_any_item_waits_is_one_probe_of_the_index_and_the_downgrade_drops_it(db: Database) -> None:
    from adoption_desktop.letterbox.findings_backfill import _waiting

    waiting = select(Item.id).where(Item.findings_digest.is_(None)).limit(1)  # findings_backfill._waiting
    with db.engine.connect() as conn:
        assert _waiting(conn) is False
        sql = str(waiting.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
        # the index holds the items without a digest only: its first entry, or none (before: "SCAN
        # letterbox_items", every item read and decrypted to find none)
        assert f"USING INDEX {INDEX}" in plan or f"USING COVERING INDEX {INDEX}" in plan, plan
        command.downgrade(migrations.alembic_config(conn), "lbseal_0001_findings_digest")
        conn.commit()
    assert INDEX not in _indexes(db)
    with db.engine.connect() as conn:
        command.upgrade(migrations.alembic_config(conn), "heads")
        conn.commit()
    assert INDEX in _indexes(db)


def test_the_team_server_has_the_index(pg_db: Database) -> None:
    assert INDEX in _indexes(pg_db)
