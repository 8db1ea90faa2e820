"""Screening reads disguised writing (user trial): spaced-out, dotted and hyphenated letters, full-width and other
compatibility characters, invisible characters inside a word, look-alike Cyrillic and Greek letters. Findings
keep offsets into the letter as written, covering the whole disguised span, so redaction removes all of it;
ordinary writing ("I a m", initials, "H A P P Y  B I R T H D A Y") gains no finding."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adoption_desktop.letterbox.screening import (
    DISGUISED,
    EMAIL,
    PHONE,
    PLACE,
    PROTECTED,
    STREET,
    Finding,
    screen_text,
)
from adoption_desktop.letterbox.screening.unmask import MIN_RUN, SEPARATORS, unmask

TERMS = ("Pennington", "14 Larkspur Drive", "McDonald")

# (sentence, the disguised text that must be found exactly, the kind it must carry)
FOUND = [
    ("We have moved to P e n n i n g t o n, near the sea.", "P e n n i n g t o n", PROTECTED),
    ("Love from all of us at P.e.n.n.i.n.g.t.o.n. See you soon!", "P.e.n.n.i.n.g.t.o.n", PROTECTED),
    ("Love from the P-e-n-n-i-n-g-t-o-n family xx", "P-e-n-n-i-n-g-t-o-n", PROTECTED),
    ("Our name is P E N N I N G T O N now.", "P E N N I N G T O N", PROTECTED),
    ("We live on L a r k s p u r  D r and the garden is big.", "L a r k s p u r  D r", PROTECTED),
    ("Our new house is on L a r k s p u r D r i v e by the park.", "L a r k s p u r D r i v e", PROTECTED),
    ("Write to L.a.r.k.s.p.u.r D.r.i.v.e please.", "L.a.r.k.s.p.u.r D.r.i.v.e", PROTECTED),
    ("Her teacher is Mrs M c D o n a l d and she is kind.", "M c D o n a l d", PROTECTED),
    ("The Ｐｅｎｎｉｎｇｔｏｎ family say hello.", "Ｐｅｎｎｉｎｇｔｏｎ", PROTECTED),
    ("The 𝐏𝐞𝐧𝐧𝐢𝐧𝐠𝐭𝐨𝐧 family say hello.", "𝐏𝐞𝐧𝐧𝐢𝐧𝐠𝐭𝐨𝐧", PROTECTED),
    ("The Pen\u200bning\u200bton family say hello.", "Pen\u200bning\u200bton", PROTECTED),
    ("The Penn\u00adington family say hello.", "Penn\u00adington", PROTECTED),
    ("The Pe\u200dnnin\u200cgton family say hello.", "Pe\u200dnnin\u200cgton", PROTECTED),
    ("The Реnnington family say hello.", "Реnnington", PROTECTED),  # Cyrillic Р and е
    ("The Ρennington family say hello.", "Ρennington", PROTECTED),  # Greek Ρ
    ("We went on holiday to W h i t b y and ate chips.", "W h i t b y", PLACE),
    ("Next year we move to S.k.e.g.n.e.s.s for Dad's job.", "S.k.e.g.n.e.s.s", PLACE),
    ("Mum's e-mail is ｊｏｅ＠ｅｘａｍｐｌｅ．ｃｏｍ if you want it.", "ｊｏｅ＠ｅｘａｍｐｌｅ．ｃｏｍ", EMAIL),
    ("You can ring 0 7 7 0 0 9 0 0 1 2 3 after tea.", "0 7 7 0 0 9 0 0 1 2 3", PHONE),
    ("We are at 14 L a r k s p u r  D r i v e now.", "14 L a r k s p u r  D r i v e", STREET),
    # only part of the word spaced out (the last stop's note: found in part)
    ("From the Penn i n g t o n family.", "Penn i n g t o n", PROTECTED),
    ("From the P e n n ington family.", "P e n n ington", PROTECTED),
    ("From the Pen-n-i-n-g-t-o-n family.", "Pen-n-i-n-g-t-o-n", PROTECTED),
    ("Her teacher is Mrs McD o n a l d and she is kind.", "McD o n a l d", PROTECTED),
]


@pytest.mark.parametrize(("sentence", "disguised", "kind"), FOUND)
def test_disguised_writing_is_found_over_its_whole_span(sentence: str, disguised: str, kind: str) -> None:
    found = screen_text(sentence, TERMS if kind == PROTECTED else ())
    start = sentence.index(disguised)
    hits = [f for f in found if kind in f.kinds]
    assert [(f.start, f.end, f.text) for f in hits] == [(start, start + len(disguised), disguised)], found
    assert "(written " in hits[0].reason  # the coordinator is told how it was disguised


def test_the_reason_says_how_it_was_written() -> None:
    (f,) = screen_text("From the P e n n i n g t o n family.", ("Pennington",))
    assert "the protected term 'Pennington' (written spaced out)" in f.reasons
    (f,) = screen_text("From the Ｐｅｎｎｉｎｇｔｏｎ family.", ("Pennington",))
    assert "full-width" in f.reason
    (f,) = screen_text("From the Pen\u200bnington family.", ("Pennington",))
    assert "invisible characters" in f.reason


def test_a_word_with_look_alike_letters_is_flagged_even_when_nothing_else_matches() -> None:
    sentence = "We saw Вrаdley at the weekend."  # Cyrillic В and а in a made-up name
    (f,) = screen_text(sentence)
    assert f.kind == DISGUISED and f.text == "Вrаdley"
    # all-Cyrillic words are a language, not a disguise: a grandmother's greeting is not flagged
    assert screen_text("Привет, Рома! We hope you are well.") == []


CLEAN = [
    "I a m so happy you wrote to us.",
    "A. B. Smith came round and J. R. R. Tolkien is still her favourite.",
    "H A P P Y  B I R T H D A Y to you, we had cake!",
    "She said b-b-b-but it was only the cat, e.g. a joke, i.e. nothing.",
    "Please R.S.V.P. by Friday and bring a cardigan.",
    "Plan A, B or C: we chose A and it rained.",
    "We love you lots ❤️ 👨\u200d👩\u200d👧 xx",
    "Her score went up: 1 2 3 4 5 stars for the film.",
    "She wrote x x x x at the bottom and a smiley face.",
    "The café was lovely and the weather was ｆｉｎｅ too.",
    "It was a very good day, ﬁnally sunny, and we went for a walk.",
]


@pytest.mark.parametrize("sentence", CLEAN)
def test_ordinary_writing_gains_no_finding(sentence: str) -> None:
    assert screen_text(sentence, TERMS) == []


def test_short_runs_and_mixed_separators_are_not_spaced_out_writing() -> None:
    for text in ("I a m", "A. B.", "a-b-c", "P e.n-n y", "P e n\nn i n"):
        assert unmask(text).plain, text
    view = unmask("we saw P e n n y today")
    assert view.text == "we saw Penny today" and view.original(7, 12) == (7, 16)


# --- properties ------------------------------------------------------------------------------------
_NAME = st.builds(lambda first, rest: first + rest, st.sampled_from("ABCDEFGHIJKLMNOPRSTUVWY"),
                  st.text(alphabet="abcdefghijklmnoprstuvwy", min_size=MIN_RUN - 1, max_size=11))
_WORDS = st.lists(_NAME, min_size=1, max_size=3)
_INVISIBLES = "\u200b\u200c\u200d\u00ad\u2060\ufeff"


def _is(found: list[Finding], start: int, end: int) -> bool:
    return any(PROTECTED in f.kinds and (f.start, f.end) == (start, end) for f in found)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=_WORDS, sep=st.sampled_from(SEPARATORS), upper=st.booleans())
def test_any_protected_term_spaced_out_is_found_over_exactly_its_characters(words: list[str], sep: str,
                                                                           upper: bool) -> None:
    term = " ".join(words)
    written = [w.upper() if upper else w for w in words]
    # the words of a term are parted by a wider gap than the letters ("L a r k  D r"; "L.a.r.k D.r")
    gap = " " * (len(sep) + 1) if not sep.strip() else " "
    disguised = gap.join(sep.join(w) for w in written)
    sentence = f"we saw {disguised} today."
    found = screen_text(sentence, (term,))
    assert _is(found, 7, 7 + len(disguised)), (sentence, found)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(word=_NAME, data=st.data())
def test_invisible_characters_anywhere_in_a_protected_term_do_not_hide_it(word: str, data: st.DataObject) -> None:
    chars = list(word)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(chars)))
        chars.insert(at, data.draw(st.sampled_from(_INVISIBLES)))
    disguised = "".join(chars)
    sentence = f"we saw {disguised} today."
    found = screen_text(sentence, (word,))
    assert _is(found, 7, 7 + len(disguised)), (sentence, found)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(word=_NAME)
def test_a_full_width_protected_term_is_found(word: str) -> None:
    disguised = "".join(chr(ord(c) + 0xFEE0) for c in word)
    found = screen_text(f"we saw {disguised} today.", (word,))
    assert _is(found, 7, 7 + len(disguised)), found


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", "B", " ", ".", "-", "\u200b", "\u00ad", "Ａ", "ｂ", "е", "Р",
                                         "\n", "é", "7"]), max_size=60))
def test_every_character_of_the_view_comes_from_the_text_in_order(text: str) -> None:
    view = unmask(text)
    if view.plain:
        assert view.text == text
        return
    assert len(view.starts) == len(view.ends) == len(view.text)
    assert all(0 <= s < e <= len(text) for s, e in zip(view.starts, view.ends, strict=True))
    assert list(view.starts) == sorted(view.starts)
    for f in screen_text(text):
        assert text[f.start:f.end] == f.text


# --- redaction ---------------------------------------------------------------------------------------
REDACTED = [
    ("Love from the P e n n i n g t o n family", "P e n n i n g t o n"),
    ("We live on L a r k s p u r  D r now", "L a r k s p u r  D r"),
    ("Love from the P.e.n.n.i.n.g.t.o.n family", "P.e.n.n.i.n.g.t.o.n"),
    ("Love from the Pen\u200bning\u00adton family", "Pen\u200bning\u00adton"),
    ("Love from the Реnnington family", "Реnnington"),
]


@pytest.mark.parametrize(("line", "disguised"), REDACTED)
def test_redacting_a_disguised_finding_removes_the_whole_word(line: str, disguised: str) -> None:
    """The typed text with the findings cut out, and a page drawn from the line with the finding's boxes burned
    in (redaction.burn, as the redacted copy is made): nothing of the disguised word is left, the words around
    it are untouched."""
    from PIL import Image, ImageDraw, ImageFont

    from adoption_desktop.core.ocr import boxes_for_span
    from adoption_desktop.core.resources import resource_path
    from adoption_desktop.letterbox.redaction import RedactionBox, burn

    found = screen_text(line, TERMS)
    assert found
    kept = "".join(c for n, c in enumerate(line) if not any(f.start <= n < f.end for f in found))
    start = line.index(disguised)
    assert kept == line[:start] + line[start + len(disguised):]

    font = ImageFont.truetype(str(resource_path("fonts", "DejaVuSans.ttf")), 40)
    left, top, size = 20, 20, (1400, 100)
    image = Image.new("L", size, 255)
    ImageDraw.Draw(image).text((left, top), line, fill=0, font=font)
    ascent, descent = font.getmetrics()
    # the recogniser's character boxes: one per visible character, none for spaces and invisible characters
    char_boxes = tuple(None if c.isspace() or font.getlength(c) == 0 else
                       (int(left + font.getlength(line[:n])), top, int(left + font.getlength(line[:n + 1])) + 1,
                        top + ascent + descent) for n, c in enumerate(line))
    boxes = [RedactionBox(*b) for f in found for b in boxes_for_span(char_boxes, f.start, f.end, *size)]
    pixels = burn(image, boxes).convert("L")
    x0 = int(left + font.getlength(line[:start]))
    x1 = int(left + font.getlength(line[:start + len(disguised)]))
    ink = ImageDraw.Draw(Image.new("L", size, 255))
    word_ink = ink.textbbox((left + font.getlength(line[:start]), top), disguised, font=font)
    light = sum(1 for x in range(max(x0, int(word_ink[0])), min(x1, int(word_ink[2])))
                for y in range(int(word_ink[1]), int(word_ink[3])) if pixels.getpixel((x, y)) >= 128)
    assert light == 0, f"{light} pixels of '{disguised}' still readable"
    # the first word of the line is not blacked out
    first_ink = ink.textbbox((left, top), line.split(" ")[0], font=font)
    assert any(pixels.getpixel((x, y)) >= 128 for x in range(int(first_ink[0]), int(first_ink[2]))
               for y in range(int(first_ink[1]), int(first_ink[3])))


def test_every_kind_of_finding_has_its_colour_in_the_item_window() -> None:
    from adoption_desktop.letterbox.screening.findings import KINDS
    from adoption_desktop.letterbox.views.item_dialog import KIND_COLOURS

    assert set(KINDS) <= set(KIND_COLOURS)


@pytest.mark.parametrize("sentence", [
    "we saw P e n n y today and Penn was there",  # a spaced-out word beside a plain one is not joined by guess
    "Penn i n g h a m is a long way",              # letters beside a run that make another word
    "P e n n i n g and tonight",                   # the protected letters only across a real gap
])
def test_a_partly_spaced_term_needs_its_own_letters_in_a_row(sentence: str) -> None:
    # the surname "Pennington" (a first name's start, "Penn", would be found as a short form of it)
    assert not [f for f in screen_text(sentence, ("Pennington",), surnames=("Pennington",)) if PROTECTED in f.kinds]


@pytest.mark.parametrize(("sentence", "term"), [
    ("She is learning her A B C D over the holidays.", "Dover"),  # one letter of a run and the next word
    ("Mr A B C D Ewing is lovely", "Dewing"),
    ("Say A B C D E F G then go home", "Fgthengo"),               # two of the run, but two words after it
])
def test_ordinary_words_beside_a_spaced_run_are_not_a_disguise(sentence: str, term: str) -> None:
    """Review: the plain letters beside a run were read across any number of words, and a match needed one
    letter of the run: 'A B C D over' was the protected term 'Dover' written spaced out."""
    assert not [f for f in screen_text(sentence, (term,)) if PROTECTED in f.kinds]

