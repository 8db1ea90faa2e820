"""Load the synthetic screening corpus (see README.md beside this file)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
KINDS = ("protected", "postcode", "phone", "email", "url", "social", "street", "institution", "place",
         "vehicle", "dob")
_MARK = re.compile(r"\[\[(\w+):(.+?)\]\]")


@dataclass(frozen=True)
class Planted:
    start: int
    end: int
    kind: str
    text: str


@dataclass(frozen=True)
class Letter:
    id: str
    voice: str
    protected: tuple[str, ...]
    text: str
    planted: tuple[Planted, ...]


def _parse(body: str) -> tuple[str, tuple[Planted, ...]]:
    out: list[str] = []
    planted: list[Planted] = []
    pos = 0
    length = 0
    for m in _MARK.finditer(body):
        out.append(body[pos:m.start()])
        length += m.start() - pos
        kind, detail = m.group(1), m.group(2)
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r} in {m.group()!r}")
        planted.append(Planted(length, length + len(detail), kind, detail))
        out.append(detail)
        length += len(detail)
        pos = m.end()
    out.append(body[pos:])
    text = "".join(out)
    if "[[" in text or "]]" in text:
        raise ValueError(f"unbalanced marker near {text[text.find('[['):][:40]!r}")
    return text, tuple(planted)


def load(name: str) -> list[Letter]:
    """``planted`` or ``clean``: the letters of ``NAME.txt`` in file order."""
    raw = (HERE / f"{name}.txt").read_text(encoding="utf-8")
    letters = []
    for block in re.split(r"^=== ", raw, flags=re.MULTILINE)[1:]:
        header, _, body = block.partition("\n")
        parts = [p.strip() for p in header.split("|")]
        protected: tuple[str, ...] = ()
        for p in parts[2:]:
            if p.startswith("protected:"):
                protected = tuple(t.strip() for t in p[len("protected:"):].split(";") if t.strip())
        text, planted = _parse(body.strip("\n"))
        letters.append(Letter(parts[0], parts[1] if len(parts) > 1 else "", protected, text, planted))
    return letters
