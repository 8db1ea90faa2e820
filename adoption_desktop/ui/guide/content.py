"""Reading the guide's pages from ``resources/guide`` and searching them (no Qt here)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from adoption_desktop.core.resources import resource_path
from adoption_desktop.ui.guide.topics import TITLES, TOPICS


def guide_dir() -> Path:
    return resource_path("guide")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.anchors: set[str] = set()
        self.links: list[str] = []
        self.images: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("style", "script", "title"):
            self._skip += 1
        for key in ("id", "name"):
            if values.get(key) and (key == "id" or tag == "a"):
                self.anchors.add(str(values[key]))
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        if tag == "img" and values.get("src"):
            self.images.append(str(values["src"]))
        if tag in ("p", "li", "tr", "h1", "h2", "h3", "br", "td", "th", "dt", "dd"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "title") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


@dataclass(frozen=True)
class Page:
    file: str
    title: str
    html: str
    text: str  # the words a reader sees, for search
    anchors: frozenset[str]
    links: tuple[str, ...]
    images: tuple[str, ...]


def parse(file: str, html: str) -> Page:
    reader = _Text()
    reader.feed(html)
    text = re.sub(r"[ \t]+", " ", "".join(reader.parts))
    text = re.sub(r"\n\s*\n+", "\n", text).strip()
    return Page(file, TITLES.get(file, file), html, text, frozenset(reader.anchors), tuple(reader.links),
                tuple(reader.images))


@cache
def load(file: str) -> Page:
    path = guide_dir() / file
    return parse(file, path.read_text(encoding="utf-8"))


def all_pages() -> list[Page]:
    return [load(t.file) for t in TOPICS]


@dataclass(frozen=True)
class Hit:
    file: str
    title: str
    snippet: str
    score: int


def search(query: str, pages: list[Page] | None = None) -> list[Hit]:
    """Pages holding every word of ``query`` (case-insensitive), the title's matches first."""
    words = [w for w in re.split(r"\s+", query.strip().lower()) if w]
    if not words:
        return []
    hits: list[Hit] = []
    for page in pages if pages is not None else all_pages():
        body = page.text.lower()
        title = page.title.lower()
        if not all(w in body or w in title for w in words):
            continue
        score = sum(10 for w in words if w in title) + sum(body.count(w) for w in words)
        at = max(body.find(words[0]), 0)
        start = max(0, at - 40)
        while 0 < start < at and not body[start - 1].isspace():  # whole words only
            start += 1
        end = min(len(body), at + 90)
        while end < len(body) and not body[end].isspace():
            end += 1
        snippet = " ".join(page.text[start:end].split())
        hits.append(Hit(page.file, page.title, ("…" if start else "") + snippet + ("…" if end < len(body) else ""),
                        score))
    hits.sort(key=lambda h: (-h.score, h.title))
    return hits
