"""The Windows installer script (installer/windows/adoption-desktop.nsi).

It compiles with the real ``makensis`` against a stub payload (skipped when NSIS is not installed), and
its text keeps the installer's promises: per user without administrator rights, HKCU only, and the
user's data deleted only on an explicit request. Running the installer itself happens on Windows in
.github/workflows/windows-build.yml.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

import adoption_desktop

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "installer" / "windows" / "adoption-desktop.nsi"
MAKENSIS = shutil.which("makensis")

needs_makensis = pytest.mark.skipif(
    MAKENSIS is None, reason="makensis (NSIS 3) is not installed; on Debian: apt-get install nsis"
)

REGISTRY_COMMANDS = re.compile(r"^(WriteReg\w+|ReadReg\w+|DeleteReg\w+|EnumReg\w+|InstallDirRegKey)\b")
DATA_FOLDERS = ("${DATA_DIR}", "${SETTINGS_DIR}", r"$LOCALAPPDATA\AdoptionDesktop", r"$APPDATA\AdoptionDesktop")
DATA_GUARD = '${If} $RemoveData == "1"'


def _strip_comment(line: str) -> str:
    """The line without its ``;`` or ``#`` comment (quote-aware, enough for this script)."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'`":
            quote = ch
        elif ch in ";#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def code_lines() -> list[str]:
    """The script's instructions, comments removed, continuation lines joined, stripped."""
    lines: list[str] = []
    pending = ""
    for raw in SCRIPT.read_text(encoding="ascii").splitlines():
        line = _strip_comment(raw).strip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = (pending + line).strip()
        pending = ""
        if line:
            lines.append(line)
    return lines


def function_body(name: str) -> list[str]:
    lines = code_lines()
    start = lines.index(f"Function {name}")
    end = lines.index("FunctionEnd", start)
    return lines[start + 1 : end]


# --- static checks on the script text -----------------------------------------------------------


def test_script_is_plain_ascii() -> None:
    # makensis reads a BOM-less script in the build machine's code page; ASCII reads the same everywhere.
    SCRIPT.read_bytes().decode("ascii")


def test_per_user_install_without_admin_rights() -> None:
    lines = code_lines()
    assert "RequestExecutionLevel user" in lines
    assert not [ln for ln in lines if ln.startswith("RequestExecutionLevel") and ln.split()[1] != "user"]
    install_dir = [ln for ln in lines if ln.startswith("InstallDir ")]
    assert install_dir == ['InstallDir "$LOCALAPPDATA\\Programs\\${APP_NAME}"']
    assert '!define APP_NAME "Adoption Desktop"' in lines
    assert "SetShellVarContext all" not in lines
    assert lines.count("SetShellVarContext current") == 2  # installer and uninstaller
    assert "Unicode true" in lines


def test_registry_is_hkcu_only() -> None:
    lines = code_lines()
    for word in ("HKLM", "HKEY_LOCAL_MACHINE", "SHCTX", "SHELL_CONTEXT", "HKCR", "HKEY_CLASSES_ROOT"):
        assert not [ln for ln in lines if word in ln.split()], word
    registry = [ln for ln in lines if REGISTRY_COMMANDS.match(ln)]
    assert registry
    for ln in registry:
        words = ln.split()
        root = words[2] if words[0].startswith(("ReadReg", "EnumReg")) else words[1]  # after the output variable
        assert root == "HKCU", ln
    assert '!define UNINST_KEY "Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\AdoptionDesktop"' in lines
    written = {ln.split()[3].strip('"') for ln in registry if ln.startswith("WriteReg")}
    assert written >= {
        "DisplayName", "DisplayVersion", "Publisher", "InstallLocation", "UninstallString",
        "QuietUninstallString", "NoModify", "NoRepair", "EstimatedSize",
    }
    assert any("QuietUninstallString" in ln and ln.endswith(' /S\'') for ln in registry)


def test_recursive_deletes_are_limited_to_program_files_and_requested_data() -> None:
    lines = code_lines()
    targets = {ln.split(None, 2)[2].strip('"') for ln in lines if ln.startswith("RMDir /r")}
    assert targets == {"$INSTDIR\\_internal.old", "${DATA_DIR}", "${SETTINGS_DIR}"}
    assert '!define DATA_DIR "$LOCALAPPDATA\\AdoptionDesktop"' in lines
    assert '!define SETTINGS_DIR "$APPDATA\\AdoptionDesktop"' in lines
    # The install folder itself is only removed when empty.
    assert 'RMDir "$INSTDIR"' in lines


def test_data_is_deleted_only_inside_the_remove_data_guard() -> None:
    stack: list[str] = []
    guarded_deletes = 0
    for ln in code_lines():
        word = ln.split()[0]
        if word in ("${If}", "${IfNot}", "${Unless}"):
            stack.append(ln)
        elif word in ("${ElseIf}", "${Else}", "${ElseUnless}"):
            stack[-1] = ln  # the rest of the block no longer runs under the original condition
        elif word == "${EndIf}":
            stack.pop()
        elif word in ("RMDir", "Delete") and any(folder in ln for folder in DATA_FOLDERS):
            assert DATA_GUARD in stack, f"data deleted outside {DATA_GUARD}: {ln}"
            guarded_deletes += 1
    assert not stack
    assert guarded_deletes == 2


def test_remove_data_is_set_only_by_silent_removedata_or_the_confirmed_checkbox() -> None:
    lines = code_lines()
    assert sum('StrCpy $RemoveData "1"' in ln for ln in lines) == 2

    on_init = function_body("un.onInit")
    assert on_init.index('StrCpy $RemoveData "0"') < on_init.index('StrCpy $RemoveData "1"')
    before = on_init[: on_init.index('StrCpy $RemoveData "1"')]
    assert "${If} ${Silent}" in before
    assert '${GetOptions} $0 "/REMOVEDATA" $1' in before

    leave = function_body("un.RemoveDataPageLeave")
    assert leave[0] == 'StrCpy $RemoveData "0"'
    [question] = [ln for ln in leave if ln.startswith("MessageBox")]
    assert "MB_DEFBUTTON2" in question  # No is the default button
    assert "/SD IDNO" in question
    assert "Credential Manager is not removed" in question
    assert leave.index("confirmed:") < leave.index('StrCpy $RemoveData "1"')
    # The checkbox starts unticked.
    assert not [ln for ln in lines if ln.startswith("${NSD_Check}")]


def test_documents_the_command_line_switches() -> None:
    header = SCRIPT.read_text(encoding="ascii").split("\n\n", 1)[0]
    for text in (
        "AdoptionDesktop-Setup-X.Y.Z.exe [/S] [/D=path]",
        "Uninstall.exe\" [/S] [/REMOVEDATA]",
        "makensis -DVERSION=",
        "-DPAYLOAD=",
        "-DOUTFILE=",
    ):
        assert text in header, text


# --- compiling with makensis ---------------------------------------------------------------------


def _stub_payload(folder: Path) -> Path:
    payload = folder / "AdoptionDesktop"
    (payload / "_internal").mkdir(parents=True)
    (payload / "AdoptionDesktop.exe").write_bytes(b"MZ stub GUI program")
    (payload / "adoption-desktop.exe").write_bytes(b"MZ stub console program")
    (payload / "_internal" / "readme.txt").write_text("stub of the PyInstaller _internal folder\n")
    return payload


def _makensis(*defines: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert MAKENSIS is not None
    return subprocess.run(
        [MAKENSIS, "-V2", "-WX", *defines, str(SCRIPT)],
        cwd=cwd, capture_output=True, text=True, timeout=60, check=False,
    )


def _fixed_file_version(exe: bytes) -> tuple[int, ...]:
    at = exe.find(b"\xbd\x04\xef\xfe")  # VS_FIXEDFILEINFO signature
    assert at >= 0, "no version resource in the installer"
    _signature, _struct_version, high, low = struct.unpack_from("<4I", exe, at)
    return (high >> 16, high & 0xFFFF, low >> 16, low & 0xFFFF)


@needs_makensis
def test_compiles_against_a_stub_payload(tmp_path: Path) -> None:
    version = adoption_desktop.__version__
    payload = _stub_payload(tmp_path)
    out = tmp_path / f"AdoptionDesktop-Setup-{version}.exe"

    result = _makensis(f"-DVERSION={version}", f"-DPAYLOAD={payload}", f"-DOUTFILE={out}", cwd=tmp_path)

    assert result.returncode == 0, f"makensis failed:\n{result.stdout}\n{result.stderr}"
    assert out.is_file(), f"no installer written:\n{result.stdout}\n{result.stderr}"
    exe = out.read_bytes()
    assert exe[:2] == b"MZ"
    assert len(exe) > 40_000
    numbers = tuple(int(part) for part in version.split("."))
    assert _fixed_file_version(exe) == (*numbers, 0, 0, 0)[:4]
    assert version.encode("utf-16-le") in exe  # ProductVersion string
    assert not list(tmp_path.glob("*.exe"))[1:], "makensis wrote more than one file"


@needs_makensis
def test_payload_without_the_programs_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "AdoptionDesktop"
    empty.mkdir()
    out = tmp_path / "AdoptionDesktop-Setup-0.0.0.exe"

    result = _makensis(f"-DPAYLOAD={empty}", f"-DOUTFILE={out}", cwd=tmp_path)

    assert result.returncode != 0
    assert "has no AdoptionDesktop.exe" in result.stdout + result.stderr
    assert not out.exists()
