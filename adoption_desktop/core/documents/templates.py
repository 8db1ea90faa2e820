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

**Where a template comes from.** The agency's own version, saved in the database (table
``template_versions``: shared by every PC in team mode, untouched by an upgrade of the program folder),
and otherwise the file shipped in ``resources/templates/letters``. :func:`load_template` reads the
database through the session of the use case it runs in (``core.storage.engine.current_session``), so
feature code calling ``load_template(name)`` inside a service needs no session argument. Editing,
importing, restoring and previewing are the administrator's use cases in ``template_admin``.
A template loaded with a session also carries the agency profile's values (``${agency_telephone}``…) as
defaults, so any letter may use them.
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.resources import resource_path

LETTER_TEMPLATE_DIR = ("templates", "letters")


#: spans (start, end) of a part of a letter
Spans = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class RenderedLetterText:
    subject: str
    salutation: str
    paragraphs: tuple[str | tuple[str, ...], ...]  # a tuple is a bullet list
    closing: str
    #: where the values filled in from the records are, as :meth:`LetterTemplate.render` made them: for each of
    #: :meth:`parts`, the part as rendered and the spans of its filled-in values (not the template's own text,
    #: nor values named as the program's own wording: dates, months, its fixed sentences, the agency's
    #: details). None for a text made otherwise: all of it is then read as filled in (:meth:`filled_spans`)
    filled: tuple[tuple[str, Spans], ...] | None = field(default=None, compare=False, repr=False)
    #: where the values named as the program's own wording are (``render(wording=...)``: a date, a month, one of
    #: its fixed sentences), as ``filled``: for each of :meth:`parts`, the part as rendered and those spans. None
    #: for a text made otherwise: none of it is then known to be the program's (:meth:`wording_spans`)
    wording: tuple[tuple[str, Spans], ...] | None = field(default=None, compare=False, repr=False)

    def parts(self) -> list[str]:
        """The subject, the salutation, the closing, then each paragraph (each line of a bullet list)."""
        out = [self.subject, self.salutation, self.closing]
        for p in self.paragraphs:
            out.extend(p if isinstance(p, tuple) else [p])
        return out

    def filled_spans(self) -> list[Spans | None]:
        """For each of :meth:`parts`, the spans of its values filled in from the records, or None where that is
        not known (a text not rendered from a template, or a part changed since it was): the whole part then."""
        parts = self.parts()
        if self.filled is None or len(self.filled) != len(parts):
            return [None] * len(parts)
        return [spans if rendered == part else None for part, (rendered, spans) in zip(parts, self.filled, strict=True)]

    def wording_spans(self) -> list[Spans]:
        """For each of :meth:`parts`, the spans of the values that are the program's own wording (a date, a month,
        a fixed sentence); none where that is not known (a text not rendered from a template, or a part changed
        since it was): the agency's template text, the agency profile's details and the values from the records
        are never in them."""
        parts = self.parts()
        if self.wording is None or len(self.wording) != len(parts):
            return [()] * len(parts)
        return [spans if rendered == part else () for part, (rendered, spans) in zip(parts, self.wording, strict=True)]


@dataclass(frozen=True)
class LetterTemplate:
    name: str
    subject: string.Template
    salutation: string.Template
    paragraphs: tuple[string.Template | tuple[string.Template, ...], ...]
    closing: string.Template
    #: the version in use: 0 with source "shipped" is the program's own file
    version: int = 0
    source: str = "shipped"
    #: values used where the caller gives none (the agency profile's)
    defaults: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def version_label(self) -> str:
        """What a letter records of the template that made it, e.g. ``adm_decision v3``."""
        return version_label(self.name, self.version, self.source)

    @property
    def placeholders(self) -> set[str]:
        return set(self._placeholder_names)

    @cached_property
    def _placeholder_names(self) -> frozenset[str]:
        """Found once per template (a batch renders it hundreds of times)."""
        found: set[str] = set()
        for t in self._all():
            found |= set(t.get_identifiers())
        return frozenset(found)

    def _all(self) -> list[string.Template]:
        out = [self.subject, self.salutation, self.closing]
        for p in self.paragraphs:
            out.extend(p if isinstance(p, tuple) else [p])
        return out

    @cached_property
    def _pieces(self) -> tuple[tuple[tuple[bool, str], ...] | None, ...]:
        """Each of :meth:`_all` as its pieces, parsed once: (True, a placeholder's name) or (False, fixed text);
        None for a template with a broken placeholder (rendered by ``substitute``, which says what is wrong)."""
        out: list[tuple[tuple[bool, str], ...] | None] = []
        for t in self._all():
            pieces: list[tuple[bool, str]] = []
            pos = 0
            for m in t.pattern.finditer(t.template):
                if m.group("invalid") is not None:
                    break
                pieces.append((False, t.template[pos:m.start()]))
                escaped = m.group("escaped")
                pieces.append((False, escaped) if escaped is not None else (True, m.group("named") or m.group("braced")))
                pos = m.end()
            else:
                pieces.append((False, t.template[pos:]))
                out.append(tuple(p for p in pieces if p[0] or p[1]))
                continue
            out.append(None)
        return tuple(out)

    def render(self, values: Mapping[str, object], *, wording: Collection[str] = ()) -> RenderedLetterText:
        """The letter with ``values`` filled in (the agency profile's where none is given). The text records
        where its filled-in values are (:attr:`RenderedLetterText.filled`), all but those named in ``wording``
        (the program's own wording: a date, a month, one of its fixed sentences) and the agency profile's:
        what is left is what came from the records (names, addresses, typed text). It also records where the
        values named in ``wording`` are (:attr:`RenderedLetterText.wording`)."""
        given = values
        values = {**self.defaults, **values}
        missing = sorted(self._placeholder_names - values.keys())
        if missing:
            raise ValidationError(
                f"Letter template {self.name!r} needs a value for: {', '.join(missing)}.", "template")
        vals = {k: "" if v is None else str(v) for k, v in values.items()}
        own = {*wording, *(k for k in self.defaults if k not in given)}
        texts: list[str] = []
        filled: list[tuple[str, Spans]] = []
        generated: list[tuple[str, Spans]] = []
        for t, pieces in zip(self._all(), self._pieces, strict=True):
            spans: Spans
            programs: Spans = ()
            if pieces is None:
                text = t.substitute(vals)  # a broken placeholder: raises, saying where
                spans = ((0, len(text)),)
            else:
                out: list[str] = []
                found: list[tuple[int, int]] = []
                words: list[tuple[int, int]] = []
                at = 0
                for is_value, piece in pieces:
                    s = vals[piece] if is_value else piece
                    if is_value and s:
                        if piece in wording:
                            words.append((at, at + len(s)))
                        if piece not in own:
                            found.append((at, at + len(s)))
                    out.append(s)
                    at += len(s)
                text, spans, programs = "".join(out), tuple(found), tuple(words)
            texts.append(text)
            filled.append((text, spans))
            generated.append((text, programs))
        subject, salutation, closing, *rest = texts
        paragraphs: list[str | tuple[str, ...]] = []
        for p in self.paragraphs:
            n = len(p) if isinstance(p, tuple) else 1
            paragraphs.append(tuple(rest[:n]) if isinstance(p, tuple) else rest[0])
            rest = rest[n:]
        return RenderedLetterText(subject, salutation, tuple(paragraphs), closing, tuple(filled), tuple(generated))


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
    tpl = LetterTemplate(name, string.Template(subject), string.Template(salutation), tuple(paragraphs),
                         string.Template(closing))
    for t in tpl._all():
        if not t.is_valid():
            raise ValidationError(f"Letter template {name!r} has a broken placeholder near: "
                                  f"“{_near_invalid(t)}”. A placeholder is written ${{name}} (e.g. "
                                  "${salutation}); to write a dollar sign, write $$ (e.g. $$5 prints $5).",
                                  "template")
    return tpl


def _near_invalid(t: string.Template, width: int = 20) -> str:
    """The words around the first ``$`` that is neither a placeholder nor ``$$``."""
    text = t.template
    at = next((m.start() for m in t.pattern.finditer(text) if m.group("invalid") is not None), 0)
    start, end = max(0, at - width), min(len(text), at + width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def brace_slips(text: str, names: Collection[str]) -> list[tuple[str, str, int]]:
    """Known placeholders written in braces without the ``$`` (``{child}``, ``{{child}}``: how the minutes'
    Word template writes them), or as a Word mail merge shows its fields (``«child»``, typed ``<<child>>``: user
    trial ut28, a template pasted from the agency's Word mail merge): each as written, its name and its line
    number. A letter would print them as they stand."""
    if not names:
        return []
    pattern = re.compile(r"(?:(?<!\$)\{\{?|«|<<)\s*("
                         + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                         + r")\s*(?:\}\}?|»|>>)")
    return [(m.group(0), m.group(1), text.count("\n", 0, m.start()) + 1) for m in pattern.finditer(text)]


#: what may be a Word mail-merge field: one word in guillemets, as Word shows a field (``«FirstName»``), or in
#: doubled angle brackets, as one is typed (``<<FirstName>>``), or Word's field code (``{ MERGEFIELD FirstName }``,
#: shown by Alt+F9). Word's field names have no spaces, so a quotation in guillemets («every letter is read») is
#: ordinary text; a single word in guillemets is a field only when it looks like one (:func:`looks_like_field`)
MERGE_FIELD = re.compile(r"«\s*(?P<shown>[A-Za-z][\w.-]{0,60})\s*»|<<\s*[A-Za-z][\w.-]{0,60}\s*>>"
                         r"|\{\s*MERGEFIELD\s[^{}\n]{0,80}\}", re.IGNORECASE)

#: the names a Word mail merge's fields usually have, in lower case without spaces or underscores: Word's own
#: address fields (Insert Merge Field → Match Fields) and the headings of a merge list's columns
WORD_FIELD_NAMES = frozenset({
    "title", "courtesytitle", "name", "fullname", "firstname", "forename", "forenames", "lastname", "surname",
    "middlename", "initials", "address", "addressblock", "greetingline", "street", "town", "city", "county",
    "postcode", "postalcode", "zip", "country", "company", "phone", "mobile", "email", "emailaddress", "dob",
    "dateofbirth", "ref", "reference"})


def looks_like_field(word: str, known: Collection[str] = ()) -> bool:
    """Whether ``word``, alone in guillemets, is a mail-merge field rather than a quoted word («Bonjour», «merci»):
    an identifier of more than one part (``child_name``, ``Address.Line1``, ``Address1``), a capital inside it
    (``FirstName``, ``NAME``), one of Word's usual field names (:data:`WORD_FIELD_NAMES`) or one of ``known``
    (our templates' own placeholders: ``«child»``, ``«salutation»``)."""
    if any(ch in "_." or ch.isdigit() for ch in word) or any(ch.isupper() for ch in word[1:]):
        return True
    folded = word.casefold().replace("-", "")
    return folded in WORD_FIELD_NAMES or folded in {k.casefold() for k in known}


def merge_fields(text: str, known: Collection[str] = ()) -> list[tuple[str, int]]:
    """Each Word mail-merge field in ``text`` (:data:`MERGE_FIELD`) as written, with its line number. A single
    word in guillemets counts when it :func:`looks_like_field` (``known``: the placeholder names of our
    templates), or when the text also holds a Word field code (``MERGEFIELD``) or another field: then it came
    from a merge, and is named with the rest (a pasted letter's «Date» beside its «FirstName» was let through
    on the next save, once «FirstName» was put right)."""
    found = list(MERGE_FIELD.finditer(text))
    fields = [m.group("shown") is None or looks_like_field(m.group("shown"), known) for m in found]
    from_merge = "mergefield" in text.casefold() or any(fields)
    return [(m.group(0), text.count("\n", 0, m.start()) + 1) for m, field in zip(found, fields, strict=True)
            if field or from_merge]


def version_label(name: str, version: int, source: str) -> str:
    return f"{name} v{version}" + (" (shipped)" if source == "shipped" else "")


def template_file(name: str, base: Path | None = None) -> Path:
    root = base or resource_path(*LETTER_TEMPLATE_DIR)
    return root / f"{name}.txt"


@lru_cache(maxsize=64)
def _load_cached(path: str, mtime: float) -> LetterTemplate:
    p = Path(path)
    return parse_template(p.stem, p.read_text(encoding="utf-8"))


#: sentences a shipped letter once had as fixed text and now has as a placeholder whose words depend on the case.
#: An agency's copy edited before the change still has the old sentence: it is read as the placeholder, so a
#: withheld item's acknowledgement does not promise "before it can be passed on", and an allocated counselling
#: case's does not promise to write "when a counsellor has been allocated" (the copy itself is unchanged).
SUPERSEDED_SENTENCES: dict[str, tuple[tuple[str, str], ...]] = {
    "letterbox_acknowledgement": (
        # the wording shipped until November 2026, and the one before it (an agency's copy may hold either)
        ("We will contact you if anything needs to change before it can be passed on.", "${next_steps_text}"),
        ("We will contact you if anything needs to change before it can be forwarded.", "${next_steps_text}"),
        ("It will be read in line with the agreement and passed on as soon as possible. A copy is kept on file.",
         "${forwarding_text}"),
    ),
    "counselling_chaser": (
        # shipped until 6 December 2026: a second chaser said it as if none had gone before (UT1)
        ("We have not yet received them or heard from you.", "${chased_text}"),
    ),
    "counselling_acknowledgement": (
        # shipped until 4 December 2026: an allocated case's letter, signed by its counsellor, still said this
        ("We will write to you again when a counsellor has been allocated to you.", "${allocation_text}"),
    ),
}


def _written(placeholder: str) -> re.Pattern[str]:
    """``${name}`` as a template may write it: with or without its braces."""
    name = placeholder.strip("${}")
    return re.compile(rf"\$(?:\{{{name}\}}|{name}\b)")


def _sentence(old: str) -> re.Pattern[str]:
    """``old`` however its spaces were written: wrapped onto the next line, doubled, tabs."""
    return re.compile(r"\s+".join(re.escape(word) for word in old.split()))


def current_wording(name: str, text: str) -> str:
    """``text`` of template ``name`` with each sentence in :data:`SUPERSEDED_SENTENCES` (however its lines
    were wrapped) read as its placeholder, unless the text already has that placeholder (with or without
    braces)."""
    for old, placeholder in SUPERSEDED_SENTENCES.get(name, ()):
        if not _written(placeholder).search(text):
            text = _sentence(old).sub(placeholder.replace("\\", "\\\\"), text)
    return text


@lru_cache(maxsize=128)
def _parse_cached(name: str, version: int, source: str, text: str) -> LetterTemplate:
    return replace(parse_template(name, current_wording(name, text)), version=version, source=source)


def stored_version(session: Session, name: str) -> tuple[int, str, str | None, bytes | None] | None:
    """The newest saved version of template ``name``: ``(version, source, text, content)``, or ``None``."""
    from adoption_desktop.core.models import TemplateVersion

    row = session.execute(select(TemplateVersion.version, TemplateVersion.source, TemplateVersion.text,
                                 TemplateVersion.content)
                          .where(TemplateVersion.name == name)
                          .order_by(TemplateVersion.version.desc()).limit(1)).first()
    return None if row is None else (int(row[0]), str(row[1]), row[2], row[3])


def shipped_template(name: str, base: Path | None = None) -> LetterTemplate:
    path = template_file(name, base)
    if not path.exists():
        raise ValidationError(f"No letter template {name!r} (expected {path}).", "template")
    return _load_cached(str(path), path.stat().st_mtime)


def _area(name: str) -> str | None:
    head = name.split("_", 1)[0]
    return head if head in ("panel", "adm", "letterbox", "counselling") else None


def load_template(name: str, base: Path | None = None, *, session: Session | None = None) -> LetterTemplate:
    """The template in use: the agency's newest saved version, else the shipped file.

    ``base`` (a folder of ``.txt`` files) reads only that folder. ``session`` defaults to the session of
    the running use case; outside one only the shipped file is read."""
    if base is not None:
        return shipped_template(name, base)
    if session is None:
        from adoption_desktop.core.storage.engine import current_session

        session = current_session()
    if session is None:
        return shipped_template(name)
    stored = stored_version(session, name)
    if stored is not None and stored[2] is not None:
        tpl = _parse_cached(name, stored[0], stored[1], stored[2])
    else:
        tpl = shipped_template(name)
        if stored is not None:  # restored to the shipped text: that restore's version number
            tpl = replace(tpl, version=stored[0], source="shipped")
    from adoption_desktop.core.agency_profile import agency_profile

    return replace(tpl, defaults=agency_profile(session).placeholders(_area(name)))


def template_version_label(session: Session, name: str) -> str:
    """What a letter made now from template ``name`` records (e.g. ``adm_decision v2``)."""
    stored = stored_version(session, name)
    return version_label(name, 0, "shipped") if stored is None else version_label(name, stored[0], stored[1])
