"""My work, per role, from the services (no Qt): each demo role gets its own work, the manager counts only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from adoption_desktop import demo
from adoption_desktop.core.security import service as security
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.reports.my_work import MyWork, my_work
from tests.conftest import make_user

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


def test_each_role_gets_its_own_work(demo_work: dict[str, MyWork]) -> None:
    keys = {user: [s.key for s in work.sections] for user, work in demo_work.items()}
    assert keys["chair"] == ["chair"] and keys["adm"] == ["adm"] and keys["paneladmin"] == ["paneladmin"]
    assert keys["letterbox"] == ["letterbox"] and keys["counsellor"] == ["counsellor"] and keys["manager"] == []
    for user in ("chair", "adm", "paneladmin", "letterbox", "counsellor"):
        assert demo_work[user].lines, f"{user} has nothing to do on the demo database"
    # "records request", as on the counselling page and in the guide (not "record request")
    assert any("records request" in line.detail for line in demo_work["counsellor"].lines)
    assert not any("record request" in line.detail for line in demo_work["counsellor"].lines)


def test_lines_name_the_record_they_open(demo_work: dict[str, MyWork]) -> None:
    chair = demo_work["chair"].lines
    assert all(line.area == "panel" and line.kind == "minutes" and line.parent_id for line in chair)
    adm = demo_work["adm"].lines
    assert {line.kind for line in adm} == {"decision"}
    assert [line.tone for line in adm] == sorted((line.tone for line in adm),
                                                 key=["overdue", "due", "waiting"].index)
    # an open decision's clock, or what is still owed on a signed one (late notification, QD final decision)
    assert all("Overdue" in ln.detail or "Due today" in ln.detail or "Paused" in ln.detail
               or "notification overdue" in ln.detail or "— QD: " in ln.detail for ln in adm)
    assert any("— QD: representations period ended" in ln.detail for ln in adm)
    panel = demo_work["paneladmin"].lines
    assert all(line.kind == "sitting" for line in panel)
    assert any("awaited" in line.detail or "Attendance not recorded" in line.detail for line in panel)
    letterbox = {line.kind for line in demo_work["letterbox"].lines}
    assert letterbox <= {"item", "exchange"} and "exchange" in letterbox
    cases = demo_work["counsellor"].lines
    assert all(line.kind == "case" for line in cases)
    chase_dates = [line.due for line in cases if line.due]
    assert chase_dates == sorted(chase_dates)  # soonest chase first


def test_timeliness_is_counts_for_report_viewers_only(demo_work: dict[str, MyWork]) -> None:
    assert not demo_work["chair"].timeliness and not demo_work["counsellor"].timeliness
    manager = demo_work["manager"]
    assert [t.area for t in manager.timeliness] == ["panel", "adm", "letterbox", "counselling"]
    assert all(isinstance(b.value, int) and b.value >= 0 for t in manager.timeliness for b in t.bars)
    adm_bars = {b.label: b.value for b in manager.timeliness[1].bars}
    # the bars count the decisions still to make, a final decision owed after a qualifying determination
    # among them; My work also lists notifications owed on signed ones
    adm_lines = [ln for ln in demo_work["adm"].lines if "notification overdue" not in ln.detail]
    assert any("— QD: " in ln.detail and ln.tone == "overdue" for ln in adm_lines), "the demo has one to count"
    assert adm_bars["Overdue"] == sum(line.tone == "overdue" for line in adm_lines)
    assert adm_bars["Paused"] == sum(line.tone == "waiting" for line in adm_lines)


def test_no_roles_no_work(db: Database) -> None:
    nobody = make_user(db, "nobody")
    work = my_work(db, nobody, TODAY)
    assert work.sections == () and work.timeliness == ()
