"""The Windows installer run for real, under Wine: silent install, upgrade in place, uninstall that keeps
the user's data, and uninstall with /REMOVEDATA that does not.

The shipped installer is 32-bit (the NSIS on Windows build runners has only x86 stubs); Debian's Wine
here runs 64-bit programs, so the same script is compiled with ``Target amd64-unicode`` instead of
``Unicode true`` — that one line is the only difference. The payload is a stub. Skipped where Wine or
NSIS's amd64 stubs are missing (``python3 dev.py test`` installs both on Debian as root).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import adoption_desktop

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "installer" / "windows" / "adoption-desktop.nsi"
WINE, MAKENSIS = shutil.which("wine"), shutil.which("makensis")
AMD64_STUBS = Path("/usr/share/nsis/Stubs/lzma_solid-amd64-unicode")
UNINSTALL_KEY = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\AdoptionDesktop"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(WINE is None or MAKENSIS is None or not AMD64_STUBS.exists(),
                       reason="needs wine and makensis with amd64 stubs (Debian: apt-get install wine wine64 nsis)"),
]


@dataclass
class WinePC:
    prefix: Path
    setup: Path

    @property
    def env(self) -> dict[str, str]:
        return dict(os.environ, WINEPREFIX=str(self.prefix), WINEDEBUG="-all", WINEDLLOVERRIDES="mscoree,mshtml=")

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(WINE), *args], env=self.env, capture_output=True, text=True, check=False,
                              timeout=120)

    @property
    def user(self) -> Path:
        return next((self.prefix / "drive_c" / "users").glob("*/AppData")).parent

    @property
    def app(self) -> Path:
        return self.user / "AppData" / "Local" / "Programs" / "Adoption Desktop"

    @property
    def data(self) -> Path:
        return self.user / "AppData" / "Local" / "AdoptionDesktop"

    @property
    def settings(self) -> Path:
        return self.user / "AppData" / "Roaming" / "AdoptionDesktop"

    def registry_key(self) -> str | None:
        result = self.run("reg", "query", UNINSTALL_KEY)
        return result.stdout.replace("\r", "") if result.returncode == 0 else None

    def install(self, *switches: str) -> None:
        result = self.run(str(self.setup), "/S", *switches)
        assert result.returncode == 0, result.stdout + result.stderr

    def uninstall(self, *switches: str) -> None:
        self.run(str(self.app / "Uninstall.exe"), "/S", *switches)
        # Uninstall.exe hands over to a copy of itself in %TEMP% and returns: wait for the folder to go
        deadline = time.monotonic() + 60
        while self.app.exists() and time.monotonic() < deadline:
            time.sleep(0.25)
        # ... and for that copy to end: the folder goes before it removes the registry key and the menu, and
        # an installer started meanwhile failed (exit 1, seen once in CI) as the two raced
        wineserver = shutil.which("wineserver")
        if wineserver is not None:
            subprocess.run([wineserver, "-w"], env=self.env, check=False, timeout=120)


@pytest.fixture(scope="module")
def pc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WinePC]:
    work = tmp_path_factory.mktemp("wine")
    payload = work / "payload"
    (payload / "_internal").mkdir(parents=True)
    (payload / "AdoptionDesktop.exe").write_bytes(b"MZ stub GUI")
    (payload / "adoption-desktop.exe").write_bytes(b"MZ stub console")
    (payload / "_internal" / "readme.txt").write_text("stub payload\n")
    script = SCRIPT.with_name("_amd64-under-wine.nsi")  # beside the original: its includes resolve the same
    text = SCRIPT.read_text(encoding="utf-8")
    assert "\nUnicode true\n" in text
    script.write_text(text.replace("\nUnicode true\n", "\nTarget amd64-unicode\n"), encoding="utf-8")
    setup = work / f"AdoptionDesktop-Setup-{adoption_desktop.__version__}.exe"
    try:
        built = subprocess.run([str(MAKENSIS), "-V2", f"-DVERSION={adoption_desktop.__version__}",
                                f"-DPAYLOAD={payload}", f"-DOUTFILE={setup}", str(script)],
                               capture_output=True, text=True, check=False, timeout=120)
    finally:
        script.unlink()
    assert built.returncode == 0, built.stdout + built.stderr
    machine = WinePC(work / "prefix", setup)
    for _attempt in range(2):  # a fresh prefix's first boot failed once on a CI machine (exit 1, no message)
        boot = subprocess.run([str(WINE), "wineboot", "-i"], env=machine.env, capture_output=True, text=True,
                              check=False, timeout=300)
        if boot.returncode == 0:
            break
        subprocess.run(["wineserver", "-k"], env=machine.env, check=False, capture_output=True)
        shutil.rmtree(machine.prefix, ignore_errors=True)
    assert boot.returncode == 0, boot.stderr[-2000:]
    yield machine
    subprocess.run(["wineserver", "-k"], env=machine.env, check=False, capture_output=True)
    shutil.rmtree(machine.prefix, ignore_errors=True)  # a Wine prefix is ~700 MB


def test_install_upgrade_and_uninstall_keep_the_users_data(pc: WinePC) -> None:
    pc.install()
    assert (pc.app / "AdoptionDesktop.exe").exists() and (pc.app / "adoption-desktop.exe").exists()
    assert (pc.app / "Uninstall.exe").exists() and (pc.app / "_internal" / "readme.txt").exists()
    key = pc.registry_key()
    assert key is not None and f"DisplayVersion    REG_SZ    {adoption_desktop.__version__}" in key
    assert "QuietUninstallString" in key and "/S" in key
    menu = pc.user / "AppData" / "Roaming" / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Adoption Desktop"
    assert {p.name for p in menu.iterdir()} == {"Adoption Desktop.lnk", "Adoption Desktop self-test.lnk",
                                                "Uninstall Adoption Desktop.lnk"}

    # the user has worked: a database, its key file, settings; and the old version left a stray file
    pc.data.mkdir(parents=True, exist_ok=True)
    pc.settings.mkdir(parents=True, exist_ok=True)
    (pc.data / "adoption.db").write_bytes(b"encrypted database")
    (pc.data / "adoption.db.keys").write_text("{}")
    (pc.settings / "settings.json").write_text('{"last_database": "adoption.db"}')
    (pc.app / "_internal" / "from-the-old-version.py").write_text("stale")

    pc.install()  # upgrade in place
    assert not (pc.app / "_internal" / "from-the-old-version.py").exists()
    assert not (pc.app / "_internal.old").exists()
    assert (pc.app / "_internal" / "readme.txt").exists()
    assert (pc.data / "adoption.db").read_bytes() == b"encrypted database"
    assert (pc.settings / "settings.json").exists()

    pc.uninstall()  # silent uninstall: program gone, data kept
    assert not pc.app.exists(), list(pc.app.iterdir())
    assert not menu.exists()
    assert pc.registry_key() is None
    assert (pc.data / "adoption.db").read_bytes() == b"encrypted database"
    assert (pc.data / "adoption.db.keys").exists() and (pc.settings / "settings.json").exists()

    pc.install()  # reinstalling finds the data where it was
    assert (pc.data / "adoption.db").exists()
    pc.uninstall("/REMOVEDATA")  # only when asked
    assert not pc.app.exists()
    deadline = time.monotonic() + 30
    while (pc.data.exists() or pc.settings.exists()) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert not pc.data.exists() and not pc.settings.exists()


def test_install_folder_can_be_chosen(pc: WinePC) -> None:
    pc.install(r"/D=C:\Apps\AdoptionDesktop")
    chosen = pc.prefix / "drive_c" / "Apps" / "AdoptionDesktop"
    assert (chosen / "adoption-desktop.exe").exists()
    key = pc.registry_key()
    assert key is not None and r"C:\Apps\AdoptionDesktop" in key
