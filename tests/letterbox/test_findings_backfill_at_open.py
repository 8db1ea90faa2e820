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

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import lifecycle, migrations
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database
from adoption_desktop.letterbox import service
from tests.conftest import make_user
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


