"""The Windows Installer package (installer/windows/adoption-desktop.wxs) built with ``wixl`` against a
stub payload, then read back with ``msiinfo``: upgrade code, install folder, shortcuts, properties,
registry values, and that uninstalling removes no data. Skipped where msitools/wixl are not installed
(``python3 dev.py test`` installs them on Debian)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "installer"))
import build_msi  # noqa: E402

UPGRADE_CODE = "{6B1F3C2A-5D4E-4A7B-9C8D-2E1F0A3B4C5D}"

pytestmark = pytest.mark.skipif(
    any(shutil.which(t) is None for t in ("wixl", "wixl-heat", "msiinfo", "msibuild")),
    reason="wixl/msitools are not installed; on Debian: apt-get install wixl msitools",
)


def stub_payload(folder: Path) -> Path:
    payload = folder / "AdoptionDesktop"
    (payload / "_internal" / "PySide6").mkdir(parents=True)
    (payload / "AdoptionDesktop.exe").write_bytes(b"MZ gui stub")
    (payload / "adoption-desktop.exe").write_bytes(b"MZ console stub")
    (payload / "_internal" / "base_library.zip").write_bytes(b"PK stub")
    (payload / "_internal" / "PySide6" / "Qt6Core.dll").write_bytes(b"MZ dll stub")
    (payload / "_internal" / "THIRD-PARTY-NOTICES.txt").write_text("notices", encoding="utf-8")
    return payload


def table(msi: Path, name: str) -> list[dict[str, str]]:
    text = subprocess.run(["msiinfo", "export", str(msi), name], capture_output=True, text=True,
                          check=True).stdout
    lines = text.splitlines()
    columns = lines[0].split("\t")
    return [dict(zip(columns, line.split("\t"), strict=False)) for line in lines[3:] if line]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("msi")
    payload = stub_payload(folder)
    first = build_msi.build(payload, folder / "AdoptionDesktop-0.1.0.msi", "0.1.0")
    second = build_msi.build(payload, folder / "AdoptionDesktop-0.2.0.msi", "0.2.0rc1")
    return first, second


def test_tables_files_and_install_folder(built: tuple[Path, Path]) -> None:
    msi, _ = built
    tables = subprocess.run(["msiinfo", "tables", str(msi)], capture_output=True, text=True, check=True).stdout
    for name in ("File", "Component", "Directory", "Shortcut", "Registry", "Upgrade", "Property", "Media"):
        assert name in tables.split()
    files = {r["FileName"] for r in table(msi, "File")}
    assert {"AdoptionDesktop.exe", "adoption-desktop.exe", "base_library.zip", "Qt6Core.dll",
            "THIRD-PARTY-NOTICES.txt"} <= files
    dirs = {r["Directory"]: r for r in table(msi, "Directory")}
    assert dirs["INSTALLDIR"]["Directory_Parent"] == "ProgramFiles64Folder"
    assert dirs["INSTALLDIR"]["DefaultDir"] == "Adoption Desktop"
    summary = subprocess.run(["msiinfo", "suminfo", str(msi)], capture_output=True, text=True, check=True).stdout
    assert "x64" in summary


def test_upgrade_code_fixed_and_major_upgrade(built: tuple[Path, Path]) -> None:
    first, second = built
    props = [{r["Property"]: r["Value"] for r in table(m, "Property")} for m in (first, second)]
    assert props[0]["UpgradeCode"] == props[1]["UpgradeCode"] == UPGRADE_CODE
    assert props[0]["ProductCode"] != props[1]["ProductCode"]
    assert props[0]["ProductVersion"] == "0.1.0" and props[1]["ProductVersion"] == "0.2.0"
    upgrade = table(second, "Upgrade")
    assert {r["ActionProperty"] for r in upgrade} == {"WIX_UPGRADE_DETECTED", "WIX_DOWNGRADE_DETECTED"}
    assert all(r["UpgradeCode"] == UPGRADE_CODE for r in upgrade)
    sequence = {r["Action"] for r in table(second, "InstallExecuteSequence")}
    assert {"FindRelatedProducts", "RemoveExistingProducts"} <= sequence


def test_per_machine_with_properties_for_it(built: tuple[Path, Path]) -> None:
    msi, _ = built
    props = {r["Property"]: r["Value"] for r in table(msi, "Property")}
    assert props["ALLUSERS"] == "1"
    for name in ("DATABASEFOLDER", "TEAMSERVERURL"):
        assert name in props
        assert name in props["SecureCustomProperties"].split(";")
    registry = {r["Name"]: r for r in table(msi, "Registry")}
    assert registry["DatabaseFolder"]["Value"] == "[DATABASEFOLDER]"
    assert registry["TeamServerUrl"]["Value"] == "[TEAMSERVERURL]"
    # HKMU (-1): HKLM per machine, HKCU when installed per user (ALLUSERS=2 MSIINSTALLPERUSER=1)
    assert {registry[n]["Root"] for n in registry} == {"-1"}
    assert registry["DatabaseFolder"]["Key"].rstrip("\\") == "Software\\AdoptionDesktop"


def test_start_menu_shortcuts(built: tuple[Path, Path]) -> None:
    msi, _ = built
    shortcuts = {r["Name"]: r for r in table(msi, "Shortcut")}
    assert shortcuts["Adoption Desktop"]["Target"] == "[INSTALLDIR]AdoptionDesktop.exe"
    assert shortcuts["Adoption Desktop self-test"]["Target"] == "[INSTALLDIR]adoption-desktop.exe"
    assert shortcuts["Adoption Desktop self-test"]["Arguments"] == "self-test --visible"
    assert {r["Directory_"] for r in shortcuts.values()} == {"ProgramMenuDir"}


def test_uninstall_removes_no_data(built: tuple[Path, Path]) -> None:
    """Only what the package installed goes: no RemoveFile row outside the program and Start-menu
    folders, no custom actions (nothing that could reach %LOCALAPPDATA%\\AdoptionDesktop)."""
    msi, _ = built
    removes = table(msi, "RemoveFile")
    assert {r["DirProperty"] for r in removes} <= {"ProgramMenuDir", "INSTALLDIR"}
    assert table(msi, "CustomAction") == []
    text = (ROOT / "installer" / "windows" / "adoption-desktop.wxs").read_text(encoding="utf-8")
    assert "LocalAppDataFolder" not in text and "AppDataFolder" not in text


def test_msi_version_drops_suffixes() -> None:
    assert build_msi.msi_version("0.1.0") == "0.1.0"
    assert build_msi.msi_version("1.2.3rc1") == "1.2.3"
    assert build_msi.msi_version("2.1") == "2.1.0"


def test_windows_workflow_builds_signs_and_smoke_tests_the_msi() -> None:
    import yaml

    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "windows-build.yml").read_text(encoding="utf-8"))
    steps = {s.get("name"): s for s in flow["jobs"]["build"]["steps"] if s.get("name")}
    prepare = steps["Prepare code signing"]["run"]
    assert "NOT signed" in prepare and "SIGNING_CERT_PFX_BASE64" in prepare
    for name in ("Sign the executables", "Sign the installers"):
        assert steps[name]["if"] == "steps.signing.outputs.enabled == 'true'"
        assert "/fd SHA256" in steps[name]["run"] and "/tr" in steps[name]["run"]
    assert "installer\\windows\\adoption-desktop.wxs" in steps["Build the MSI (WiX 3 heat, candle, light)"]["run"]
    smoke = steps["MSI silent install, upgrade and uninstall (per machine)"]["run"]
    assert "/qn" in smoke and "/x" in smoke and "msi-smoke.db" in smoke
    names = list(steps)
    assert names.index("Sign the executables") < names.index("Build the installer")
