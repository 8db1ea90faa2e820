"""Screening measured on the synthetic corpus (tests/letterbox/corpus/): recall by kind of planted detail and
precision on clean letters full of place-like ordinary words. Run with ``-s`` to see the table."""

from __future__ import annotations

from collections import Counter

import pytest

from adoption_desktop.letterbox.screening import Finding, screen_text
from tests.letterbox.corpus import KINDS, Letter, load

RECALL_GOAL = 0.97
CLEAN_GOAL = 29  # of 30 clean letters with no finding at all


def _overlaps(found: list[Finding], start: int, end: int) -> bool:
    return any(f.start < end and start < f.end for f in found)


def measure(planted: list[Letter], clean: list[Letter]) -> tuple[Counter[str], Counter[str], list[str], list[str]]:
    total: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    missed: list[str] = []
    for letter in planted:
        found = screen_text(letter.text, letter.protected)
        for d in letter.planted:
            total[d.kind] += 1
            if _overlaps(found, d.start, d.end):
                hit[d.kind] += 1
            else:
                missed.append(f"{letter.id} {d.kind}: {d.text!r}")
    touched = []
    for letter in clean:
        found = screen_text(letter.text, letter.protected)
        if found:
            touched.append(f"{letter.id}: " + ", ".join(f"{f.kind} {f.text!r}" for f in found))
    return total, hit, missed, touched


def table(total: Counter[str], hit: Counter[str]) -> str:
    rows = ["| kind | planted | found | recall |", "|---|---:|---:|---:|"]
    for kind in KINDS:
        if total[kind]:
            rows.append(f"| {kind} | {total[kind]} | {hit[kind]} | {hit[kind] / total[kind]:.0%} |")
    n, h = sum(total.values()), sum(hit.values())
    rows.append(f"| **all** | {n} | {h} | {h / n:.1%} |")
    return "\n".join(rows)


@pytest.fixture(scope="module")
def corpus() -> tuple[list[Letter], list[Letter]]:
    return load("planted"), load("clean")


def test_corpus_is_as_large_as_the_issue_asks(corpus: tuple[list[Letter], list[Letter]]) -> None:
    planted, clean = corpus
    assert len(planted) >= 60
    assert sum(len(letter.planted) for letter in planted) >= 150
    assert len(clean) == 30
    assert {d.kind for letter in planted for d in letter.planted} == set(KINDS)
    for letter in planted:
        for d in letter.planted:
            assert letter.text[d.start:d.end] == d.text
    assert all(not letter.planted for letter in clean)


def test_recall_by_kind_and_clean_letters_untouched(corpus: tuple[list[Letter], list[Letter]]) -> None:
    planted, clean = corpus
    total, hit, missed, touched = measure(planted, clean)
    recall = sum(hit.values()) / sum(total.values())
    print("\n" + table(total, hit))
    print(f"clean letters with no finding: {len(clean) - len(touched)}/{len(clean)}")
    for line in missed:
        print("  missed", line)
    for line in touched:
        print("  flagged in a clean letter", line)
    assert recall >= RECALL_GOAL, missed
    assert len(clean) - len(touched) >= CLEAN_GOAL, touched


def test_held_out_letters_stay_found(corpus: tuple[list[Letter], list[Letter]]) -> None:
    """The letters written after the screener was tuned (heldout*.txt; docs/letterbox.md gives the figures they
    had when first measured) guard against fitting the rules to the main corpus only."""
    planted = load("heldout") + load("heldout2")
    clean = load("heldout_clean") + load("heldout2_clean")
    total, hit, missed, touched = measure(planted, clean)
    print("\n" + table(total, hit))
    assert sum(hit.values()) / sum(total.values()) >= RECALL_GOAL, missed
    assert touched == []


def test_disguised_letters_are_found_whole() -> None:
    """Letters with disguised writing (disguised*.txt: spaced-out, dotted, hyphenated, full-width, invisible and
    look-alike characters; 7/24 found before the screener read disguised writing): every detail found, each
    covered whole by one finding (a redaction removes all of it), the clean ones untouched."""
    planted, clean = load("disguised"), load("disguised_clean")
    total, hit, missed, touched = measure(planted, clean)
    print("\n" + table(total, hit))
    assert missed == [] and touched == []
    for letter in planted:
        found = screen_text(letter.text, letter.protected)
        for d in letter.planted:
            assert any(f.start <= d.start and d.end <= f.end for f in found), (letter.id, d.text, found)
