"""Machine policy set by IT: every value read from a (fake) registry and from the system JSON file, and
obeyed by the application, the CLI and the settings screen."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adoption_desktop import cli
from adoption_desktop.core import policy
from adoption_desktop.core.config import AGENCY_NAME, IDLE_LOCK_MINUTES, LocalConfig, app_paths
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.scheduled_backup import LAST_BACKUP_KEY, backup_due, run_scheduled_backup
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.settings_service import all_settings, get_setting, locked_by_policy, set_setting
from adoption_desktop.core.storage.engine import Database


def write_policy(values: dict[str, Any]) -> Path:
    path = Path(os.environ[policy.ENV_POLICY_FILE])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values), encoding="utf-8")
    policy.reset_cache()
    return path


class FakeRegistry:
    """``hive -> key -> values``, read the way ``winreg`` would give them (REG_SZ str, REG_DWORD int)."""

    def __init__(self, data: dict[str, dict[str, dict[str, Any]]]) -> None:
        self.data = data
        self.calls: list[tuple[str, str]] = []

    def __call__(self, hive: str, key: str) -> dict[str, Any]:
        self.calls.append((hive, key))
        return dict(self.data.get(hive, {}).get(key, {}))


def test_every_policy_value_is_read_from_the_registry_machine_winning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(policy.ENV_POLICY_FILE)
    registry = FakeRegistry({
        "HKLM": {policy.POLICY_KEY: {
            "DatabasePath": r"D:\Adoption\agency.db", "TeamServerUrl": "", "IdleLockMinutes": 5,
            "BackupFolder": r"\\fileserver\backups", "BackupSchedule": "Daily", "AgencyName": "North RAA",
            "AgencyAddress": r"1 Civic Way\nNorthtown", "AgencyProfileLocked": 1}},
        "HKCU": {policy.POLICY_KEY: {"IdleLockMinutes": 30, "BackupSchedule": "weekly"}},
    })
    got = policy.load_policy(reader=registry)
    assert ("HKLM", policy.POLICY_KEY) in registry.calls and ("HKCU", policy.POLICY_KEY) in registry.calls
    assert got.values == {
        "DatabasePath": r"D:\Adoption\agency.db", "IdleLockMinutes": 5, "BackupFolder": r"\\fileserver\backups",
        "BackupSchedule": "daily", "AgencyName": "North RAA", "AgencyAddress": "1 Civic Way\nNorthtown",
        "AgencyProfileLocked": True,
    }
    assert got.database == r"D:\Adoption\agency.db"  # a blank TeamServerUrl is "not set"
    assert got.source.startswith("HKLM")
    assert got.problems == ()


def test_bad_policy_values_are_left_out_and_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(policy.ENV_POLICY_FILE)
    registry = FakeRegistry({"HKLM": {policy.POLICY_KEY: {
        "IdleLockMinutes": 0, "BackupSchedule": "hourly", "Colour": "red", "AgencyProfileLocked": 7}}})
    got = policy.load_policy(reader=registry)
    assert got.values == {}
    assert len(got.problems) == 4 and any("BackupSchedule" in p for p in got.problems)


def test_an_idle_lock_longer_than_the_settings_ceiling_is_invalid(monkeypatch: pytest.MonkeyPatch) -> None:
    """The application's own setting stops at an hour (admin trial: days were accepted); IT's policy too."""
    monkeypatch.delenv(policy.ENV_POLICY_FILE)
    got = policy.load_policy(reader=FakeRegistry({"HKLM": {policy.POLICY_KEY: {"IdleLockMinutes": 600}}}))
    assert got.values == {} and [p.split(": ", 1)[1] for p in got.problems] == [
        "IdleLockMinutes must be a whole number from 1 to 60"]


def test_json_policy_file_and_team_url_wins() -> None:
    write_policy({"DatabasePath": "/srv/a.db", "TeamServerUrl": "postgresql+psycopg://app@db/adoption"})
    assert policy.current_policy().database == "postgresql+psycopg://app@db/adoption"


def test_install_defaults_from_the_msi_registry_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(policy.ENV_DEFAULTS_FILE)
    registry = FakeRegistry({"HKLM": {policy.DEFAULTS_KEY: {"DatabaseFolder": r"D:\Adoption", "TeamServerUrl": " "}}})
    got = policy.load_install_defaults(reader=registry)
    assert got.database_folder == Path(r"D:\Adoption") and got.team_server_url is None


def test_policy_wins_over_the_agencys_setting_and_cannot_be_changed(db: Database, admin: Principal) -> None:
    set_setting(db, admin, IDLE_LOCK_MINUTES, 20)
    write_policy({"IdleLockMinutes": 3, "AgencyProfileLocked": True})
    with db.session(admin, write=False) as session:
        assert get_setting(session, IDLE_LOCK_MINUTES) == 3
        assert all_settings(session)[IDLE_LOCK_MINUTES.key] == 3
        assert get_setting(session, AGENCY_NAME) == AGENCY_NAME.default  # locked, but IT gave no value
    assert locked_by_policy(IDLE_LOCK_MINUTES) == "IdleLockMinutes"
    assert locked_by_policy(AGENCY_NAME) == "AgencyProfileLocked"
    with pytest.raises(ValidationError, match="set by your IT department"):
        set_setting(db, admin, IDLE_LOCK_MINUTES, 15)
    with pytest.raises(ValidationError, match="AgencyProfileLocked"):
        set_setting(db, admin, AGENCY_NAME, "Another name")
    write_policy({})
    with db.session(admin, write=False) as session:
        assert get_setting(session, IDLE_LOCK_MINUTES) == 20  # the agency's own value again


def test_settings_screen_shows_policy_values_as_locked(db: Database, admin: Principal, qtbot: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from adoption_desktop.ui.admin_page import AdminPage
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    write_policy({"IdleLockMinutes": 4})
    page = AdminPage(AppContext(db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    tab = page.settings
    rows = {r[0]: r for r in tab.model.rows()}
    assert rows[IDLE_LOCK_MINUTES.key][2] == "4 minutes"
    assert rows[IDLE_LOCK_MINUTES.key][4] == "IT (policy IdleLockMinutes): locked"
    assert AGENCY_NAME.key not in rows  # the agency's name is changed on Agency profile only
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: shown.append(text))
    row = list(rows).index(IDLE_LOCK_MINUTES.key)
    tab.view.selectRow(row)
    tab.edit()
    assert shown and "set by your IT department" in shown[0]


def test_the_main_window_locks_after_the_policys_idle_minutes(db: Database, admin: Principal, qtbot: Any) -> None:
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.main_window import MainWindow
    from adoption_desktop.ui.tasks import TaskRunner

    write_policy({"IdleLockMinutes": 2})
    window = MainWindow(AppContext(db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    assert window.idle.timer.interval() == 2 * 60_000


def test_cli_uses_the_policy_database_and_backup_folder(db: Database, db_path: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    db.dispose()
    folder = tmp_path / "it-backups"
    write_policy({"DatabasePath": str(db_path), "BackupFolder": str(folder)})
    assert cli.main(["verify"]) == 0  # no --db: the policy's database
    assert cli.main(["backup"]) == 0  # no --out: a dated file in the policy's folder
    written = list(folder.glob("agency-*.adkbak"))
    assert len(written) == 1
    capsys.readouterr()
    assert cli.main(["policy"]) == 0
    out = capsys.readouterr().out
    assert str(db_path) in out and str(folder) in out and "IdleLockMinutes" in out


def test_cli_policy_reports_bad_values() -> None:
    write_policy({"BackupSchedule": "hourly"})
    assert cli.main(["policy"]) == 1


def test_the_application_opens_the_policy_database(db: Database, db_path: Path, tmp_path: Path, qtbot: Any,
                                                   store: Any) -> None:
    from PySide6.QtWidgets import QWidget

    from adoption_desktop.app import choose_database

    db.dispose()
    write_policy({"DatabasePath": str(db_path)})
    config = LocalConfig(tmp_path / "settings.json")
    config.set("last_database", str(tmp_path / "another.db"))
    parent = QWidget()
    qtbot.addWidget(parent)
    opened = choose_database(parent, store, config, db_arg=None)
    assert opened is not None and opened.path == db_path
    opened.dispose()


def test_scheduled_backup_runs_once_a_day_into_the_policy_folder(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "scheduled"
    write_policy({"BackupSchedule": "daily", "BackupFolder": str(folder)})
    config = LocalConfig(tmp_path / "settings.json")
    paths = app_paths().ensure()
    now = dt.datetime(2026, 12, 1, 17, 5)
    first = run_scheduled_backup(db, policy.current_policy(), config, paths, now)
    assert first is not None and first.parent == folder and first.exists()
    assert run_scheduled_backup(db, policy.current_policy(), config, paths, now + dt.timedelta(hours=3)) is None
    assert config.get(LAST_BACKUP_KEY) == now.isoformat(timespec="seconds")
    second = run_scheduled_backup(db, policy.current_policy(), config, paths, now + dt.timedelta(days=1))
    assert second is not None and second != first
    write_policy({"BackupSchedule": "off"})
    assert run_scheduled_backup(db, policy.current_policy(), config, paths, now + dt.timedelta(days=9)) is None


@given(st.sampled_from(["daily", "weekly"]), st.datetimes(min_value=dt.datetime(2020, 1, 1),
                                                          max_value=dt.datetime(2030, 1, 1)),
       st.integers(min_value=0, max_value=30 * 24 * 60))
def test_backup_due_rule(schedule: str, last: dt.datetime, minutes: int) -> None:
    now = last + dt.timedelta(minutes=minutes)
    period = dt.timedelta(days=1 if schedule == "daily" else 7)
    assert backup_due(last, schedule, now) == (now - last >= period - dt.timedelta(hours=1))
    assert backup_due(None, schedule, now)
    assert backup_due(now + dt.timedelta(minutes=1), schedule, now)  # a clock set back: due
    assert not backup_due(last, "off", now) and not backup_due(None, None, now)


def test_group_policy_template_covers_every_value() -> None:
    """installer/windows/AdoptionDesktop.admx names every policy value the application reads, under
    the key it reads, and every string and presentation it refers to is in the en-US .adml."""
    import re
    import xml.etree.ElementTree as ET

    root = Path(__file__).resolve().parents[2] / "installer" / "windows"
    ns = {"p": "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"}
    admx = ET.parse(root / "AdoptionDesktop.admx").getroot()
    adml = ET.parse(root / "en-US" / "AdoptionDesktop.adml").getroot()
    names = set()
    for pol in admx.iterfind(".//p:policy", ns):
        assert pol.get("key") == policy.POLICY_KEY
        names.update(e.get("valueName") for e in pol.iter() if e.get("valueName"))
    assert names == {v.name for v in policy.POLICY_VALUES}
    strings = {s.get("id") for s in adml.iterfind(".//p:string", ns)}
    presentations = {s.get("id") for s in adml.iterfind(".//p:presentation", ns)}
    text = (root / "AdoptionDesktop.admx").read_text(encoding="utf-8")
    assert set(re.findall(r"\$\(string\.(\w+)\)", text)) <= strings
    assert set(re.findall(r"\$\(presentation\.(\w+)\)", text)) <= presentations
