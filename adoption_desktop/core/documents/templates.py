"""Editable letter templates in ``resources/templates/letters/NAME.txt``.

Format (plain UTF-8 text an administrator can edit in Notepad)::

    Subject: Your application on ${decision_date}
    Dear ${salutation},

    First paragraph with ${placeholders}.

    - a bullet line

    Second paragraph.

Lines before the first blank line are headers (``Subject:``, ``Dear ...``); paragraphs are separated
by blank lines; a paragraph whose lines all start with ``- `` becomes a bullet list. Placeholders use
``${name}``; a placeholder with no value is an error naming it (no half-filled letter is produced).
A template is parsed once and rendered many times in a batch.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.resources import resource_path

LETTER_TEMPLATE_DIR = ("templates", "letters")


@dataclass(frozen=True)
class RenderedLetterText:
    subject: str
    salutation: str
    paragraphs: tuple[str | tuple[str, ...], ...]  # a tuple is a bullet list
    closing: str


@dataclass(frozen=True)
class LetterTemplate:
    name: str
    subject: string.Template
    salutation: string.Template
    paragraphs: tuple[string.Template | tuple[string.Template, ...], ...]
    closing: string.Template

    @property
    def placeholders(self) -> set[str]:
        found: set[str] = set()
        for t in self._all():
            found |= set(t.get_identifiers())
        return found

    def _all(self) -> list[string.Template]:
        out = [self.subject, self.salutation, self.closing]
        for p in self.paragraphs:
            out.extend(p if isinstance(p, tuple) else [p])
        return out

    def render(self, values: dict[str, object]) -> RenderedLetterText:
        missing = sorted(self.placeholders - values.keys())
        if missing:
            raise ValidationError(
                f"Letter template {self.name!r} needs a value for: {', '.join(missing)}.", "template")
        vals = {k: "" if v is None else str(v) for k, v in values.items()}

        def sub(t: string.Template) -> str:
            return t.substitute(vals)

        paragraphs: list[str | tuple[str, ...]] = []
        for p in self.paragraphs:
            paragraphs.append(tuple(sub(x) for x in p) if isinstance(p, tuple) else sub(p))
        return RenderedLetterText(sub(self.subject), sub(self.salutation), tuple(paragraphs), sub(self.closing))


def parse_template(name: str, text: str) -> LetterTemplate:
    blocks = [b.strip("\n") for b in text.replace("\r\n", "\n").split("\n\n")]
    blocks = [b for b in blocks if b.strip()]
    if not blocks:
        raise ValidationError(f"Letter template {name!r} is empty.", "template")
    subject, salutation, closing = "", "Dear ${salutation},", "Yours sincerely,"
    header_lines = blocks[0].splitlines()
    body_start = 0
    if header_lines and header_lines[0].lower().startswith("subject:"):
        body_start = 1
        for line in header_lines:
            if line.lower().startswith("subject:"):
                subject = line.split(":", 1)[1].strip()
            elif line.lower().startswith("closing:"):
                closing = line.split(":", 1)[1].strip()
            elif line.strip():
                salutation = line.strip()
    paragraphs: list[string.Template | tuple[string.Template, ...]] = []
    for block in blocks[body_start:]:
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        if lines and all(ln.startswith("- ") for ln in lines):
            paragraphs.append(tuple(string.Template(ln[2:]) for ln in lines))
        else:
            paragraphs.append(string.Template(" ".join(lines)))
    try:
        tpl = LetterTemplate(name, string.Template(subject), string.Template(salutation), tuple(paragraphs),
                             string.Template(closing))
        for t in tpl._all():
            if not t.is_valid():
                raise ValueError(t.template)
    except ValueError as exc:
        raise ValidationError(f"Letter template {name!r} has a broken placeholder near: {exc}") from exc
    return tpl


def template_file(name: str, base: Path | None = None) -> Path:
    root = base or resource_path(*LETTER_TEMPLATE_DIR)
    return root / f"{name}.txt"


@lru_cache(maxsize=64)
def _load_cached(path: str, mtime: float) -> LetterTemplate:
    p = Path(path)
    return parse_template(p.stem, p.read_text(encoding="utf-8"))


def load_template(name: str, base: Path | None = None) -> LetterTemplate:
    path = template_file(name, base)
    if not path.exists():
        raise ValidationError(f"No letter template {name!r} (expected {path}).", "template")
    return _load_cached(str(path), path.stat().st_mtime)
