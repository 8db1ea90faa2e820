"""My work, per role, from the services (no Qt): each demo role gets its own work, the manager counts only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from adoption_desktop import demo
from adoption_desktop.core.security import service as security
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.reports.my_work import MyWork, my_work

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo_work(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, MyWork]]:
    """The small demo database, each demo user's My work (built once: the demo takes a few seconds)."""
    mp = pytest.MonkeyPatch()
    import keyring

    from adoption_desktop.core.security import keys
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.storage.lifecycle import create_database
    from tests.conftest import MemoryKeyring

    folder = tmp_path_factory.mktemp("mywork")
    mp.setenv("ADOPTION_DESKTOP_DATA_DIR", str(folder / "appdata"))
    mp.setattr(keys, "PASSPHRASE_KDF", keys.KdfParams(1, 1024, 1))
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    db: Database = create_database(folder / "demo.db", SecretStore()).db
    try:
        demo.populate(db, "small", today=TODAY)
        yield {u: my_work(db, security.principal_for(db, u), TODAY) for u, _n, _r in demo.DEMO_USERS}
    finally:
        db.dispose()
        keyring.set_keyring(previous)
        mp.undo()


def test_probe(demo_work: dict[str, MyWork]) -> None:
    for user, work in demo_work.items():
        print(user, [(s.key, len(s.lines)) for s in work.sections], [(t.area, [(b.label, b.value) for b in t.bars]) for t in work.timeliness])
        for s in work.sections:
            for line in s.lines[:3]:
                print("   ", line)
