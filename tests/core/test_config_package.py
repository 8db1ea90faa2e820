"""``core.config`` became a package of small modules (it was one module of 751 lines): every name imported from
it anywhere in the program, its tests or its benchmarks is still there, and the values its code reads afresh
at each use are only in their own module, so that a test changing one on the package fails at once instead of
changing nothing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from adoption_desktop.core import config
from adoption_desktop.core.config import settings_locks, write_behind

ROOT = Path(__file__).resolve().parents[2]


def _names_imported_from_config() -> set[str]:
    names: set[str] = set()
    for folder in ("adoption_desktop", "tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == "adoption_desktop.core.config":
                    names.update(alias.name for alias in node.names)
    return names


def test_every_name_imported_from_the_package_is_there() -> None:
    names = _names_imported_from_config()
    assert {"LocalConfig", "app_paths", "Setting", "SettingsBusy", "flush_settings", "text_of"} <= names
    assert sorted(name for name in names if not hasattr(config, name)) == []
    assert set(config.__all__) <= set(vars(config))


@pytest.mark.parametrize("name", ["SETTINGS_LOCK_WAIT", "SETTINGS_READ_WAIT"])
def test_a_wait_is_changed_where_the_code_reads_it(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """(tests/core/test_local_config.py and tests/ui/test_settings_never_freeze.py change SETTINGS_LOCK_WAIT in
    ``settings_locks`` and see both the settings file and the writer behind the window give up sooner)"""
    with pytest.raises(AttributeError):
        monkeypatch.setattr(config, name, 0.1)
    assert isinstance(getattr(settings_locks, name), float)


def test_the_settings_writer_shares_the_package_queue() -> None:
    assert config._QUEUE is write_behind._QUEUE and config._pending is write_behind._pending
    assert config._WRITE_LOCK is settings_locks._WRITE_LOCK
