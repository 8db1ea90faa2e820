"""The Windows version resource of the executables, made from the package version.

``pyinstaller installer/adoption_desktop.spec`` calls :func:`write_version_file`; a test reads the file
back with PyInstaller's own parser so a malformed resource fails in CI, not on the Windows runner.
"""

from __future__ import annotations

import re
from pathlib import Path

PRODUCT = "Adoption Desktop"
COMPANY = "Adoption Desktop project"


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """``"1.2.3"`` → ``(1, 2, 3, 0)``; pre-release suffixes (``1.2.3rc1``) are dropped."""
    release = re.match(r"\d+(?:\.\d+)*", version.strip())
    if release is None:
        raise ValueError(f"not a version: {version!r}")
    numbers = [int(n) for n in release.group(0).split(".")[:4]]
    padded = [*numbers, 0, 0, 0, 0][:4]
    return padded[0], padded[1], padded[2], padded[3]


def version_file_text(version: str, internal_name: str, original_filename: str, description: str) -> str:
    v = version_tuple(version)
    strings = {
        "CompanyName": COMPANY,
        "FileDescription": description,
        "FileVersion": version,
        "InternalName": internal_name,
        "LegalCopyright": f"© {COMPANY}",
        "OriginalFilename": original_filename,
        "ProductName": PRODUCT,
        "ProductVersion": version,
    }
    string_structs = ",\n".join(f"          StringStruct({k!r}, {val!r})" for k, val in strings.items())
    return f"""# UTF-8
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={v},
    prodvers={v},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      StringTable(
        '080904B0',
        [
{string_structs}
        ])
    ]),
    VarFileInfo([VarStruct('Translation', [2057, 1200])])
  ]
)
"""


def write_version_file(path: Path, version: str, internal_name: str, original_filename: str,
                       description: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(version_file_text(version, internal_name, original_filename, description), encoding="utf-8")
    return path
