"""Disguised writing undone before screening, with every character traced back to the letter as written (pure:
no database, no Qt).

    view = unmask("we live in P e n n i n g t o n")
    view.text                  -> "we live in Pennington"
    view.original(11, 21)      -> (11, 30): the whole spaced-out word in the letter

What is undone:

- **spaced-out writing**: a run of at least :data:`MIN_RUN` single letters or digits joined by one and the
  same separator (:data:`SEPARATORS`: "P e n n y", "P.e.n.n.y", "P-e-n-n-y") is read as one word; the words
  of such a run are parted by a wider gap ("L a r k s p u r  D r": two spaces; "L.a.r.k D.r": a space), or by
  a capital after a small letter ("L a r k s p u r D r"). "I a m" (three letters) and initials ("A. B.") stay
  as they are;
- **invisible characters** (zero-width space and joiners, soft hyphen, word joiner, BOM, direction marks:
  ``core.text_input.INVISIBLE_CHARS``) are left out;
- **full-width and other compatibility characters** ("Ｐｅｎｎｙ", "𝐏𝐞𝐧𝐧𝐲", "ⓟ", "ﬁ") read as the letters,
  digits and signs they stand for (Unicode NFKC, where that gives plain letters or digits);
- **look-alike letters** from the Cyrillic and Greek alphabets ("Реnny" with a Cyrillic Р and е) read as the
  Latin letters they imitate, in a word whose other letters are Latin (or that is all look-alikes).

Each character of ``view.text`` knows the span of the letter it came from (``starts``/``ends``), so a finding in
the view maps back to the exact original span, with the separators, invisible characters and disguised letters
inside it (a redaction of it removes the whole disguised word). ``disguises`` lists the original spans of
disguised writing and what was done, for the coordinator's reason.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache

from adoption_desktop.core.text_input import INVISIBLE_CHARS

SPACED = "spaced out"
LOOKALIKE = "with look-alike letters from another alphabet"
COMPATIBILITY = "in full-width or other special characters"
INVISIBLE = "with invisible characters"
MIN_RUN = 4  # single letters in a row before a run counts as spaced-out writing ("I a m" does not)
#: what people put between the letters of a spaced-out word (the same one throughout a word)
SEPARATORS: tuple[str, ...] = (" ", "  ", ".", "-", "_", "*", "·", "•", "/", "|", ". ", " . ", " - ", " · ")

# look-alike letters (Unicode confusables of Latin letters) -> the Latin letter they imitate
_LOOKALIKES = {
    # Cyrillic
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ԛ": "Q", "Ԝ": "W", "Ү": "Y", "Ӏ": "I", "а": "a",
    "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d",
    "һ": "h", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ү": "y", "ѵ": "v", "к": "k",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v", "ι": "i", "α": "a", "ρ": "p", "κ": "k",
    "υ": "u", "ϲ": "c", "ϳ": "j",
    # Latin letters that stand in for plain ones, Armenian
    "ı": "i", "ɑ": "a", "ɡ": "g", "օ": "o", "ս": "u", "հ": "h", "ո": "n",
}
_LOOKALIKE_CLASS = "".join(_LOOKALIKES)
_LOOKALIKE_SET = frozenset(_LOOKALIKES)
_SEP = "|".join(re.escape(s) for s in sorted(SEPARATORS, key=len, reverse=True))
_SOURCES = {
    "invisible": f"[{INVISIBLE_CHARS}]",
    # characters that may need reading differently: invisible, compatibility forms, look-alikes (a fast first
    # test; ordinary letters, curly quotes, accents, £ and most emoji are not among them)
    "character": f"[{INVISIBLE_CHARS}\u3000\uff01-\uff5e\u2070-\u209f\u2100-\u218f\u2460-\u24ff\ufb00-\ufb06"
                 f"\u1d2c-\u1d6a\u02b0-\u02b8\u00aa\u00b2\u00b3\u00b9\u00ba\U0001d400-\U0001d7ff\U0001f130-\U0001f189"
                 f"{_LOOKALIKE_CLASS}]",
    # every word; whether it holds a look-alike is tested in Python (``[^\W\d_]*[look-alike][^\W\d_]*`` tried
    # every start inside a long word and took quadratic time: 40,000 letters after one Cyrillic "а", 16 s)
    "word": r"[^\W\d_]+",
    "spaced run": rf"(?<![^\W_])[^\W_](?P<sep>{_SEP})(?:[^\W_](?P=sep)){{{MIN_RUN - 2}}}[^\W_]",
    "spaced word": rf"(?<![^\W_])[^\W_](?P<sep>{_SEP})(?:[^\W_](?P=sep))*[^\W_](?![^\W_])",
}


@cache
def _re(name: str) -> re.Pattern[str]:
    """The pattern ``name`` of ``_SOURCES``, compiled when first needed (not at import: start-up time)."""
    return re.compile(_SOURCES[name])


@dataclass(frozen=True)
class View:
    """``text`` as meant to be read; ``starts[i]``/``ends[i]``: the span in ``original`` that character ``i``
    came from (empty when nothing was disguised: then the view is the original)."""

    original_text: str
    text: str
    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()
    disguises: tuple[tuple[int, int, str], ...] = ()  # original start, end, what was done
    spaced: tuple[tuple[int, int], ...] = ()           # spans of spaced-out runs in the view

    @property
    def plain(self) -> bool:
        return not self.disguises

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that view characters ``start``..``end`` came from, with invisible
        characters touching it (a redaction leaves nothing of the word behind)."""
        if self.plain or end <= start:
            return start, end
        s, e = self.starts[start], self.ends[end - 1]
        text = self.original_text
        while s > 0 and _re("invisible").match(text, s - 1):
            s -= 1
        while e < len(text) and _re("invisible").match(text, e):
            e += 1
        return s, e

    def how(self, start: int, end: int) -> tuple[str, ...]:
        """How the original span ``start``..``end`` was disguised (empty: written plainly), in the order of the
        disguises. The notes of one kind do not overlap and are in order, so each kind is a binary search (a
        scan of every note for every finding was quadratic: 28,000 places each written with an invisible
        character)."""
        first = []
        for ends, notes in self._by_kind:
            k = bisect.bisect_right(ends, start)  # the first note of this kind ending after ``start``
            if k < len(notes) and notes[k][0] < end:
                first.append(notes[k])
        return tuple(what for _s, _e, what in sorted(first))

    @cached_property
    def _by_kind(self) -> tuple[tuple[list[int], list[tuple[int, int, str]]], ...]:
        kinds: dict[str, list[tuple[int, int, str]]] = {}
        for note in self.disguises:
            kinds.setdefault(note[2], []).append(note)
        return tuple(([e for _s, e, _w in notes], notes) for notes in kinds.values())


@lru_cache(maxsize=1024)
def _compatible(c: str) -> str:
    """What a compatibility character stands for: NFKC where that gives letters or digits (or, for full-width
    forms, any plain character); otherwise the character itself ("½", "…" stay)."""
    n = unicodedata.normalize("NFKC", c)
    if n == c or not n.isascii():
        return c
    if n.isalnum() or c == "\u3000" or "\uff01" <= c <= "\uff5e":
        return n
    return c


def _latin_word(word: str) -> bool:
    """Every letter of ``word`` is Latin or a look-alike of one, and at least one is a look-alike."""
    return all(c.isascii() or c in _LOOKALIKES or unicodedata.name(c, "").startswith("LATIN") for c in word)


def _note(notes: list[tuple[int, int, str]], i: int, what: str) -> None:
    """Character ``i`` was disguised by ``what``: one note for a stretch of such characters."""
    if notes and notes[-1][1] == i and notes[-1][2] == what:
        notes[-1] = (notes[-1][0], i + 1, what)
    else:
        notes.append((i, i + 1, what))


def _characters(text: str) -> tuple[str, list[int], list[int], list[tuple[int, int, str]]] | None:
    """Invisible characters left out, compatibility forms and look-alikes read plainly; None if there are none."""
    if text.isascii() or not _re("character").search(text):
        return None
    out: list[str] = []
    starts: list[int] = []
    notes: list[tuple[int, int, str]] = []
    pos = 0
    for m in _re("character").finditer(text):
        i, c = m.start(), m.group()
        out.append(text[pos:i])
        starts.extend(range(pos, i))
        pos = i + 1
        if _re("invisible").match(c):
            _note(notes, i, INVISIBLE)
            continue
        n = _compatible(c)
        if n != c:
            _note(notes, i, COMPATIBILITY)
        out.append(n)
        starts.extend([i] * len(n))
    out.append(text[pos:])
    starts.extend(range(pos, len(text)))
    ends = [s + 1 for s in starts]
    view = "".join(out)
    if any(c in _LOOKALIKES for c in view):
        chars = list(view)
        for m in _re("word").finditer(view):
            if _LOOKALIKE_SET.isdisjoint(m.group()) or not _latin_word(m.group()):
                continue  # a Russian or Greek word, not a disguised English one
            for k in range(m.start(), m.end()):
                chars[k] = _LOOKALIKES.get(chars[k], chars[k])
            notes.append((starts[m.start()], ends[m.end() - 1], LOOKALIKE))
        view = "".join(chars)
    if not notes:
        return None
    return view, starts, ends, notes


def _gap(between: str, sep: str) -> bool:
    """Whether ``between`` parts two words of a spaced-out run written with ``sep`` ("  " for " ")."""
    if not between or between == sep or len(between) > 4:
        return False
    if not sep.strip():
        return not between.strip(" ") and len(between) > len(sep)
    return re.fullmatch(rf"{re.escape(sep.strip())}?\s?[ ]+", between) is not None and "\n" not in between


def _spaced_runs(text: str) -> list[list[tuple[int, int, str]]]:
    """The spaced-out runs of ``text``: each a list of its words (start, end, separator), one word at least
    :data:`MIN_RUN` characters long."""
    if not _re("spaced run").search(text):
        return []
    runs: list[list[tuple[int, int, str]]] = []
    for m in _re("spaced word").finditer(text):
        word = (m.start(), m.end(), m.group("sep"))
        if runs and runs[-1][-1][2] == word[2] and _gap(text[runs[-1][-1][1]:word[0]], word[2]):
            runs[-1].append(word)
        else:
            runs.append([word])
    return [run for run in runs if any((e - s + len(sep)) // (1 + len(sep)) >= MIN_RUN for s, e, sep in run)]


def unmask(text: str) -> View:
    """``text`` with disguised writing undone (see module); ``View.plain`` when there is none."""
    chars = _characters(text)
    runs = _spaced_runs(text if chars is None else chars[0])
    if chars is None and not runs:
        return View(text, text)
    notes: list[tuple[int, int, str]] = []
    if chars is None:
        step, starts, ends = text, list(range(len(text))), list(range(1, len(text) + 1))
    else:
        step, starts, ends, notes = chars
    out: list[str] = []
    o_starts: list[int] = []
    o_ends: list[int] = []
    spaced: list[tuple[int, int]] = []
    pos = 0
    for run in runs:
        a = run[0][0]
        out.append(step[pos:a])
        o_starts += starts[pos:a]
        o_ends += ends[pos:a]
        first = len(o_starts)
        previous = -1
        for n, (s, e, sep) in enumerate(run):
            if n:  # the gap between two words: one space
                out.append(" ")
                o_starts.append(starts[previous + 1])
                o_ends.append(ends[s - 1])
            for k in range(s, e, 1 + len(sep)):
                if k > s and step[k].isupper() and step[k - 1 - len(sep)].islower():
                    out.append(" ")  # "L a r k s p u r D r": a capital starts the next word
                    o_starts.append(starts[k - len(sep)])
                    o_ends.append(ends[k - 1])
                out.append(step[k])
                o_starts.append(starts[k])
                o_ends.append(ends[k])
                previous = k
        spaced.append((first, len(o_starts)))
        notes.append((starts[a], ends[run[-1][1] - 1], SPACED))
        pos = run[-1][1]
    out.append(step[pos:])
    o_starts += starts[pos:]
    o_ends += ends[pos:]
    return View(text, "".join(out), tuple(o_starts), tuple(o_ends), tuple(sorted(notes)), tuple(spaced))
