"""The frozen (PyInstaller one-folder) build: built once here, then run as a user's PC would run it.

The build takes about 30–60 s; everything else reuses it. The bundle is run with a bare environment
(no virtual environment, no PYTHONPATH, its own HOME) so it can only use what it carries.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

import adoption_desktop

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "installer" / "adoption_desktop.spec"
EXE_SUFFIX = ".exe" if os.name == "nt" else ""

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    prebuilt = os.environ.get("ADK_TEST_BUNDLE")  # built by `dev.py test` beside ruff and mypy, from this tree
    if prebuilt and (Path(prebuilt) / f"adoption-desktop{EXE_SUFFIX}").exists():
        yield Path(prebuilt)
        return
    work = tmp_path_factory.mktemp("pyinstaller")
    result = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(work / "dist"), "--workpath", str(work / "build"), str(SPEC)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    folder = work / "dist" / "AdoptionDesktop"
    assert (folder / f"adoption-desktop{EXE_SUFFIX}").exists()
    yield folder


def _bare_env(home: Path, **extra: str) -> dict[str, str]:
    """What a user's session has: no venv, no PYTHONPATH, no Qt platform chosen, a home of its own."""
    env = {k: v for k, v in os.environ.items()
           if k in {"PATH", "SYSTEMROOT", "TEMP", "TMP", "LANG", "LC_ALL"}}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    home.mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(home), USERPROFILE=str(home), LOCALAPPDATA=str(home / "local"),
               APPDATA=str(home / "roaming"), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    env.update(extra)
    return env


def _run(bundle: Path, args: list[str], env: dict[str, str], timeout: int = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(bundle / f"adoption-desktop{EXE_SUFFIX}"), *args], capture_output=True,
                          text=True, env=env, check=False, timeout=timeout)


def test_self_test_passes_from_the_bundle(bundle: Path, tmp_path: Path) -> None:
    keep = tmp_path / "kept"
    result = _run(bundle, ["self-test", "--keep", str(keep)], _bare_env(tmp_path / "home"))
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "(frozen build)" in out
    assert "Self-test passed: 11 steps" in out
    assert out.count("PASS ") == 11 and "FAIL" not in out
    assert "PASS  user guide" in out  # resources/guide (pages and pictures) is in the bundle
    assert "PASS  ocr" in out  # the OCR models and onnxruntime are in the bundle and read the sample page
    # what it made is real: the letter reads back, the screenshot is a PNG of the window
    assert "Decision" in "".join(p.extract_text() or "" for p in PdfReader(keep / "decision-letter.pdf").pages)
    assert (keep / "main-window.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (keep / "minutes.docx").stat().st_size > 10_000
    # the user's own folders were not touched
    assert not (tmp_path / "home" / ".local" / "share" / "AdoptionDesktop").exists()


def test_both_programs_report_the_package_version(bundle: Path, tmp_path: Path) -> None:
    # on Windows the windowed program has no console to print to: only the console program answers
    for program in ("adoption-desktop",) if os.name == "nt" else ("adoption-desktop", "AdoptionDesktop"):
        result = subprocess.run([str(bundle / f"{program}{EXE_SUFFIX}"), "--version"], capture_output=True,
                                text=True, env=_bare_env(tmp_path / "home"), check=False, timeout=60)
        assert result.stdout.strip() == f"Adoption Desktop {adoption_desktop.__version__}", result.stderr


def _pyz_modules(bundle: Path) -> set[str]:
    from PyInstaller.archive.readers import CArchiveReader, ZlibArchiveReader

    exe = bundle / f"adoption-desktop{EXE_SUFFIX}"
    carchive = CArchiveReader(str(exe))
    names = set()
    for name in carchive.toc:
        if name.endswith(".pyz"):
            pyz = ZlibArchiveReader(str(exe), carchive.toc[name][0] + carchive._start_offset)
            names |= set(pyz.toc)
    return names


def test_bundle_carries_what_is_loaded_lazily_and_nothing_test_only(bundle: Path) -> None:
    modules = _pyz_modules(bundle)
    files = [p.relative_to(bundle).as_posix() for p in bundle.rglob("*")]
    # test-only packages: keyrings.alt (a plain-file key store) above all
    assert not [m for m in modules if m.split(".")[0] in {"keyrings", "pytest", "_pytest", "hypothesis",
                                                           "pytestqt", "mypy", "PyInstaller"}]
    assert not [f for f in files if "keyrings" in f.split("/") or "/keyrings." in f or "pytest" in f]
    # loaded by name at run time
    for needed in ("adoption_desktop.selftest", "adoption_desktop.maintenance_cli",
                   "adoption_desktop.counselling.cli", "adoption_desktop.letterbox.models",
                   "keyring.backends.Windows", "keyring.backends.SecretService", "sqlcipher3.dbapi2",
                   "sqlalchemy.dialects.sqlite.pysqlcipher", "sqlalchemy.dialects.postgresql.psycopg",
                   "holidays.countries.united_kingdom", "alembic.ddl.sqlite", "pypdf"):
        assert needed in modules, needed
    internal = "_internal/"
    for data in ("resources/fonts/DejaVuSans.ttf", "resources/templates/minutes.docx",
                 "resources/places/places.txt.gz", "forms/panel_minutes.ui",
                 "adoption_desktop/migrations/env.py", "adoption_desktop/migrations/script.py.mako"):
        assert internal + data in files, data
    versions = [f for f in files if f.startswith(internal + "adoption_desktop/migrations/versions/")
                and f.endswith(".py")]
    source_versions = list((ROOT / "adoption_desktop" / "migrations" / "versions").glob("*.py"))
    assert len(versions) == len(source_versions) > 1
    assert any(f.startswith(internal + "keyring-") and f.endswith("entry_points.txt") for f in files)
    assert any("platforms/libqoffscreen" in f or "platforms/qoffscreen" in f for f in files)


def test_database_from_the_previous_schema_is_upgraded_by_the_bundle_with_a_copy_kept(
        bundle: Path, tmp_path: Path) -> None:
    """A database made at the first released schema, opened by the new build: upgraded, copy kept."""
    from alembic import command

    from adoption_desktop.core.security import keys
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.storage import migrations
    from adoption_desktop.core.storage.engine import open_sqlcipher

    passphrase = "a passphrase for the upgrade test"
    path = tmp_path / "agency.db"
    created = keys.create_key(SecretStore(), passphrase)
    created.envelope.save(keys.key_file_for(path))
    old = open_sqlcipher(path, created.key, must_exist=False)
    with old.engine.connect() as conn:
        command.upgrade(migrations.alembic_config(conn), migrations.FIRST_REVISION)
        conn.exec_driver_sql("INSERT INTO settings (key, value) VALUES ('agency.name', '\"Old Agency\"')")
        conn.commit()
    old.checkpoint()
    old.dispose()
    before = path.read_bytes()

    env = _bare_env(tmp_path / "home", ADOPTION_DESKTOP_PASSPHRASE=passphrase)
    check = _run(bundle, ["verify", "--db", str(path)], env)
    assert check.returncode == 0 and "older than this version" in check.stdout, check.stdout + check.stderr
    result = _run(bundle, ["upgrade", "--db", str(path)], env)
    assert result.returncode == 0, result.stdout + result.stderr
    backups = list(tmp_path.glob("agency.db.pre-upgrade-*.bak"))
    assert len(backups) == 1 and backups[0].read_bytes() == before
    after = _run(bundle, ["verify", "--db", str(path)], env)
    assert after.returncode == 0 and "older than" not in after.stdout, after.stdout + after.stderr
    db = open_sqlcipher(path, created.key)
    with db.engine.connect() as conn:
        assert migrations.current_heads(conn) == migrations.script_heads()
        assert conn.exec_driver_sql("SELECT value FROM settings").scalar_one() == '"Old Agency"'
    db.dispose()


def test_bundle_writes_its_log_to_the_per_user_logs_folder(bundle: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "it-chosen"
    result = _run(bundle, ["paths"], _bare_env(tmp_path / "home", ADOPTION_DESKTOP_DATA_DIR=str(data_dir)))
    assert result.returncode == 0, result.stderr
    assert str(data_dir / "data") in result.stdout
    log = (data_dir / "logs" / "adoption-desktop.log").read_text(encoding="utf-8")
    assert "(frozen build): command paths" in log


def test_team_mode_from_the_bundle(bundle: Path, tmp_path: Path, postgres_server: object) -> None:
    """The frozen build reaches PostgreSQL (psycopg's binary driver is in it): schema made, then verified."""
    if postgres_server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    url = postgres_server.empty_database_url("bundle_")  # type: ignore[attr-defined]
    env = _bare_env(tmp_path / "home")
    made = _run(bundle, ["upgrade", "--db", url], env)
    assert made.returncode == 0 and "latest schema" in made.stdout, made.stdout + made.stderr
    checked = _run(bundle, ["verify", "--db", url], env)
    assert checked.returncode == 0 and checked.stdout.startswith("OK"), checked.stdout + checked.stderr


def test_spreadsheet_import_from_the_bundle(bundle: Path, tmp_path: Path) -> None:
    """openpyxl and the import path are in the frozen build: a register is imported, then verified."""
    from tests.letterbox.test_import import good_rows, write_xlsx

    env = _bare_env(tmp_path / "home", ADOPTION_DESKTOP_PASSPHRASE="a passphrase for the import test",
                    ADOPTION_DESKTOP_PASSWORD="demo-password")
    db = tmp_path / "agency.db"
    made = _run(bundle, ["demo", "--db", str(db)], env, timeout=600)  # users to sign in as (case commands)
    assert made.returncode == 0, made.stdout + made.stderr
    sheet = write_xlsx(tmp_path / "register.xlsx", good_rows())
    user = ["--user", "letterbox"]
    dry = _run(bundle, ["import", "letterbox", "--db", str(db), *user, "--file", str(sheet), "--dry-run"], env)
    assert dry.returncode == 0 and "2 new" in dry.stdout, dry.stdout + dry.stderr
    done = _run(bundle, ["import", "letterbox", "--db", str(db), *user, "--file", str(sheet)], env)
    assert done.returncode == 0 and "2 new" in done.stdout, done.stdout + done.stderr
    again = _run(bundle, ["import", "letterbox", "--db", str(db), *user, "--file", str(sheet)], env)
    assert again.returncode == 0 and "0 new" in again.stdout, again.stdout + again.stderr
    assert _run(bundle, ["verify", "--db", str(db)], env).returncode == 0


def test_bundle_carries_the_licences(bundle: Path) -> None:
    """The MIT licence and the third-party notices (with the LGPL texts for Qt/PySide6) travel with the
    program, where Help → Licences reads them."""
    internal = bundle / "_internal"
    assert (internal / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    shipped = (internal / "resources" / "THIRD-PARTY-NOTICES.txt").read_text(encoding="utf-8")
    assert shipped == (ROOT / "resources" / "THIRD-PARTY-NOTICES.txt").read_text(encoding="utf-8")
