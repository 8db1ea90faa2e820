"""Typed readers of the settings file's hand-editable values: text, a list of text, a mapping; a value of the
wrong shape is None, a list's or mapping's wrong entries are left out (``LocalConfig.text``, ``text_list``,
``mapping`` and ``checked`` use them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def text_of(value: object) -> str | None:
    """``value`` if it is text a preference may be (a path, an ISO time, a name): a string with no NUL character
    (which no path may hold: ``Path.resolve`` refused it)."""
    return value if isinstance(value, str) and "\x00" not in value else None


def text_list_of(value: object) -> list[str] | None:
    """``value``'s text entries if it is a list (others left out), else None."""
    if not isinstance(value, list):
        return None
    return [item for item in value if text_of(item) is not None]


def mapping_of(value: object, entry: Callable[[object], T | None]) -> dict[str, T] | None:
    """``value``'s entries that ``entry`` takes if it is a JSON object (others left out), else None."""
    if not isinstance(value, dict):
        return None
    out: dict[str, T] = {}
    for name, raw in value.items():
        taken = entry(raw) if isinstance(name, str) else None
        if taken is not None:
            out[name] = taken
    return out
