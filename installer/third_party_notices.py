#!/usr/bin/env python3
"""Write resources/THIRD-PARTY-NOTICES.txt from requirements/runtime.lock.

    .venv/bin/python installer/third_party_notices.py          rewrite the file
    .venv/bin/python installer/third_party_notices.py --check  exit 1 if it is out of date with the lock

Every package the program ships (each name and version pinned in the runtime lock, on every platform)
gets its licence name and the full text of its licence files. The texts come from the installed
package's metadata where that version is installed here, otherwise from the package's own wheel
(downloaded with pip, no dependencies, from the same registry the lock came from). A package whose
distribution carries no licence file gets the text kept in installer/licence_texts/NAME.txt.
The test tests/installer/test_licences.py keeps the file and the lock equal.
"""

from __future__ import annotations

import email
import re
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "runtime.lock"
OUT = ROOT / "resources" / "THIRD-PARTY-NOTICES.txt"
FALLBACK = Path(__file__).resolve().parent / "licence_texts"
LICENCE_FILE = re.compile(r"(^|/)(licen[cs]e|copying|notice|authors|copyright)[^/]*$", re.IGNORECASE)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")

HEADER = """Adoption Desktop - third-party notices
=======================================

Adoption Desktop is free software under the MIT licence (see LICENSE). It ships the packages below,
each under its own licence; each licence's full text follows its name. This file is generated from
requirements/runtime.lock by installer/third_party_notices.py.

Qt and PySide6 (LGPL-3.0)
-------------------------
The Qt libraries and PySide6/Shiboken6 are used under the GNU Lesser General Public License v3
(their texts are reproduced below). They are linked dynamically: in the installed program they are
the separate files in the _internal\\PySide6 and _internal\\shiboken6 folders, which you may replace with
your own build of the same Qt/PySide6 version (or a compatible one); the program loads whatever is
there. The source of Qt is at https://download.qt.io/official_releases/qt/ and of PySide6 at
https://download.qt.io/official_releases/QtForPython/ ; the source of Adoption Desktop, including the
build scripts that produce the installed program, is available under the MIT licence.
"""


def locked_packages(lock: Path = LOCK) -> list[tuple[str, str]]:
    """``(name, version)`` for every pin in the lock (a package pinned at two versions for different
    platforms appears twice), in the lock's order."""
    seen: list[tuple[str, str]] = []
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match and (match.group(1).lower(), match.group(2)) not in seen:
            seen.append((match.group(1).lower(), match.group(2)))
    return seen


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _from_installed(name: str, version: str) -> tuple[str, list[tuple[str, str]]] | None:
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    if dist.version != version:
        return None
    texts: list[tuple[str, str]] = []
    for file in dist.files or []:
        path = str(file)
        # the dist-info's licence files, and a licence file at the top of the package itself
        if LICENCE_FILE.search(path) and (".dist-info/" in path or path.count("/") == 1):
            try:
                texts.append((Path(path).name, Path(str(dist.locate_file(file))).read_text(encoding="utf-8",
                                                                                           errors="replace")))
            except OSError:
                continue
    return _licence_name(dist.metadata), texts


def _licence_name(meta: email.message.Message | metadata.PackageMetadata) -> str:
    expression = meta.get("License-Expression")
    if expression:
        return str(expression)
    classifiers = [c.split("::")[-1].strip() for c in (meta.get_all("Classifier") or [])
                   if str(c).startswith("License ::")]
    if classifiers:
        return "; ".join(classifiers)
    licence = str(meta.get("License") or "").strip()
    return licence.splitlines()[0][:120] if licence else "see the text below"


def _from_wheel(name: str, version: str) -> tuple[str, list[tuple[str, str]]]:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check",
               "-d", tmp, f"{name}=={version}"]
        # a Windows- or Mac-only package has no wheel for this machine: ask for any platform's wheel
        for extra in ([], ["--only-binary=:all:", "--platform", "win_amd64", "--python-version", "3.11"],
                      ["--only-binary=:all:", "--platform", "macosx_11_0_arm64", "--python-version", "3.11"],
                      ["--only-binary=:all:", "--platform", "manylinux_2_28_x86_64", "--python-version", "3.13"]):
            subprocess.run([*cmd, *extra], check=False, capture_output=True)
            wheels = list(Path(tmp).glob("*.whl"))
            if wheels:
                break
        if not wheels:  # a newer Python's pin (numpy for 3.12+) or a source-only package: its sdist
            subprocess.run([*cmd, "--no-binary=:all:"], check=False, capture_output=True)
            return _from_sdist(name, version, Path(tmp))
        with zipfile.ZipFile(wheels[0]) as zf:
            meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
            meta = email.message_from_bytes(zf.read(meta_name))
            texts = [(Path(n).name, zf.read(n).decode("utf-8", errors="replace")) for n in zf.namelist()
                     if ".dist-info/" in n and LICENCE_FILE.search(n) and not n.endswith("/")]
        return _licence_name(meta), texts


def _from_sdist(name: str, version: str, folder: Path) -> tuple[str, list[tuple[str, str]]]:
    import tarfile

    archives = list(folder.glob("*.tar.gz")) + list(folder.glob("*.zip"))
    if not archives:
        raise SystemExit(f"no wheel or source of {name}=={version} could be downloaded")
    members: dict[str, bytes] = {}
    if archives[0].name.endswith(".zip"):
        with zipfile.ZipFile(archives[0]) as zf:
            members = {n: zf.read(n) for n in zf.namelist() if not n.endswith("/")}
    else:
        with tarfile.open(archives[0]) as tf:
            for member in tf.getmembers():
                handle = tf.extractfile(member) if member.isfile() else None
                if handle is not None and (LICENCE_FILE.search(member.name) or member.name.endswith("PKG-INFO")):
                    members[member.name] = handle.read()
    pkg_info = next((v for k, v in members.items() if k.endswith("PKG-INFO") and k.count("/") == 1), b"")
    texts = [(Path(n).name, v.decode("utf-8", errors="replace")) for n, v in sorted(members.items())
             if LICENCE_FILE.search(n) and n.count("/") == 1]
    return _licence_name(email.message_from_bytes(pkg_info)), texts


def notice_for(name: str, version: str) -> str:
    found = _from_installed(name, version) or _from_wheel(name, version)
    licence, texts = found
    fallback = FALLBACK / f"{_normal(name)}.txt"
    if not texts and fallback.exists():
        texts = [(fallback.name, fallback.read_text(encoding="utf-8"))]
    if not texts:
        raise SystemExit(f"{name} {version}: no licence text found; add installer/licence_texts/{_normal(name)}.txt")
    title = f"{name} {version} - {licence}"
    parts = [title, "-" * len(title)]
    for file_name, text in texts:
        parts.append(f"[{file_name}]")
        parts.append(text.strip())
        parts.append("")
    return "\n".join(parts)


def render() -> str:
    sections = [HEADER]
    missing: list[str] = []
    for name, version in locked_packages():
        try:
            sections.append(notice_for(name, version))
        except SystemExit as exc:
            missing.append(str(exc))
    if missing:
        raise SystemExit("\n".join(missing))
    return "\n\n".join(s.rstrip() for s in sections) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT.relative_to(ROOT)} is out of date: run installer/third_party_notices.py")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(locked_packages())} packages)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
