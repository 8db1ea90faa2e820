#!/usr/bin/env python3
"""Build the Windows Installer package (.msi) from the PyInstaller one-folder bundle.

    python installer/build_msi.py --payload dist/AdoptionDesktop --out dist/AdoptionDesktop-0.1.0.msi

On Linux this uses ``wixl`` and ``wixl-heat`` (Debian: ``apt-get install wixl``), which is how CI checks
every change; the Windows workflow builds the same source with WiX 3 (``--wix``: heat, candle, light).
The two programs are declared in ``installer/windows/adoption-desktop.wxs`` (the shortcuts point at
them); every other file of the bundle is harvested into a generated ``payload.wxs`` fragment.
Standard library only.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
WXS = HERE / "windows" / "adoption-desktop.wxs"
DECLARED = {"AdoptionDesktop.exe", "adoption-desktop.exe"}


def msi_version(version: str) -> str:
    """Windows Installer versions are up to three numbers (major < 256, minor < 256, build < 65536);
    a pre-release suffix (``0.2.0rc1``) is dropped."""
    parts: list[str] = []
    for piece in version.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit()) if piece[:1].isdigit() else ""
        end = next((i for i, ch in enumerate(piece) if not ch.isdigit()), len(piece))
        parts.append(piece[:end] or digits or "0")
    while len(parts) < 3:
        parts.append("0")
    return ".".join(str(int(p)) for p in parts)


def payload_files(payload: Path) -> list[Path]:
    files = sorted(p for p in payload.rglob("*") if p.is_file())
    return [p for p in files if p.relative_to(payload).as_posix() not in DECLARED]


def harvest(payload: Path, out: Path) -> None:
    heat = shutil.which("wixl-heat")
    if heat is None:
        raise SystemExit("wixl-heat is not installed (Debian: apt-get install wixl)")
    listing = "".join(f"{p.as_posix()}\n" for p in payload_files(payload))
    prefix = payload.as_posix().rstrip("/") + "/"
    result = subprocess.run(
        [heat, "--var", "var.SourceDir", "-p", prefix, "--component-group", "CG.Payload",
         "--directory-ref", "INSTALLDIR", "--win64"],
        input=listing, capture_output=True, text=True, check=True,
    )
    out.write_text(result.stdout, encoding="utf-8")


def build(payload: Path, out: Path, version: str, *, keep: Path | None = None) -> Path:
    for exe in DECLARED:
        if not (payload / exe).is_file():
            raise SystemExit(f"{payload} has no {exe}; build the bundle first: pyinstaller installer/adoption_desktop.spec")
    wixl = shutil.which("wixl")
    if wixl is None:
        raise SystemExit("wixl is not installed (Debian: apt-get install wixl)")
    with tempfile.TemporaryDirectory() as tmp:
        work = keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        fragment = work / "payload.wxs"
        harvest(payload, fragment)
        out.parent.mkdir(parents=True, exist_ok=True)
        # wixl resolves each File's Source relative to the working folder (absolute paths fail).
        subprocess.run(
            [wixl, "-a", "x64", "-o", str(out),
             "-D", f"Version={msi_version(version)}", "-D", f"SourceDir={payload.name}",
             "-D", "Win64=yes", "-D", "ProgramFilesFolder=ProgramFiles64Folder",
             str(WXS), str(fragment)],
            check=True, cwd=payload.parent,
        )
        fix_tables(out)
    return out


#: wixl 0.101 writes HKMU as root 4 (invalid); Windows Installer's value for "HKLM per machine, HKCU per
#: user" is -1. The public properties must also be in SecureCustomProperties to reach the server side
#: of a per-machine installation (WiX does both itself).
SECURE_PROPERTIES = ("DATABASEFOLDER", "TEAMSERVERURL")


def fix_tables(msi: Path) -> None:
    msibuild = shutil.which("msibuild")
    if msibuild is None:
        raise SystemExit("msibuild is not installed (Debian: apt-get install msitools)")
    queries = ["UPDATE `Registry` SET `Root` = -1 WHERE `Root` = 4"]
    current = subprocess.run(["msiinfo", "export", str(msi), "Property"], capture_output=True, text=True,
                             check=True).stdout
    secure = next((line.split("\t", 1)[1] for line in current.splitlines()
                   if line.startswith("SecureCustomProperties\t")), "")
    names = [n for n in secure.split(";") if n] + [p for p in SECURE_PROPERTIES if p not in secure.split(";")]
    queries.append("UPDATE `Property` SET `Value` = '" + ";".join(names) + "' WHERE `Property` = 'SecureCustomProperties'")
    for query in queries:
        subprocess.run([msibuild, str(msi), "-q", query], check=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payload", type=Path, default=HERE.parent / "dist" / "AdoptionDesktop")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--version", default=None, help="default: adoption_desktop.__version__")
    parser.add_argument("--keep", type=Path, default=None, help="keep the generated payload.wxs here")
    args = parser.parse_args(argv)
    version = args.version
    if version is None:
        sys.path.insert(0, str(HERE.parent))
        import adoption_desktop

        version = adoption_desktop.__version__
    build(args.payload.resolve(), args.out.resolve(), version, keep=args.keep)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
