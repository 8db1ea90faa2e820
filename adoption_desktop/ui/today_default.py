"""Date fields whose default is "today", in a window left open past midnight.

A window opened in the evening and used the next morning kept the evening's "today" in its date fields, and
saved it: a letter logged as received the day before, a decision signed as of the day before, a counselling
session dated yesterday, with nobody having seen or typed that date. :class:`TodayDefaults` keeps, for one
window, the date fields still showing the "today" they were given, untouched. When the date changes
(``ui.day_watch`` calls the window through ``AppContext.after_new_day``, or a save button finds it so first),
:meth:`TodayDefaults.follow` moves each of them to the new today and returns what it moved, in words; the
caller says it and, when a save button found it, saves nothing on that press, so the date saved is always the
one the person saw. A date the person typed, or one shown from the record, is never moved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDateEdit

from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import pydate, qdate


def moved_text(now: dt.date, before: dt.date, words: list[str], hint: str = "") -> str:
    """What a window says when its untouched "today" dates (``words``, as the form names them) moved from
    ``before`` to ``now``."""
    names = [w[:1].upper() + w[1:] for w in words]
    # a list: commas, "and" before the last (the papers checklist names up to six, each joined by "and")
    shown = " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)
    return (f"The date is now {now:%A} {now:%d/%m/%Y}: {shown} now {'show' if len(words) > 1 else 'shows'} "
            f"today, {now:%d/%m/%Y}, not {before:%d/%m/%Y}." + (f" {hint}" if hint else ""))


def keep_opened(opened: list[object] | None, before: list[object], after: list[object]) -> list[object] | None:
    """What a form opened with (``ui.discard.field_values``), once its untouched defaults moved: the form's
    values were ``before`` and are ``after``; each value that moved, and was still as opened, is as opened
    now (the new default is nothing typed: closing the form asks nothing)."""
    if opened is None or not len(opened) == len(before) == len(after):
        return opened
    return [new if old != new and was == old else was for was, old, new in zip(opened, before, after, strict=True)]


class TodayDefaults:
    """One window's date fields given "today" as their default (see the module's note). ``today``: the
    window's clock (``AppContext.today`` or a page's given day), read each time."""

    def __init__(self, today: Callable[[], dt.date]) -> None:
        self.today = today
        #: the day the defaults were set for
        self.day: dt.date = today()
        #: name -> (field, its words in a sentence, e.g. "date received")
        self.fields: dict[str, tuple[QDateEdit, str]] = {}
        #: the names of the fields still showing the default, untouched
        self.on_default: set[str] = set()
        self._setting = False

    def add(self, name: str, edit: QDateEdit, words: str, *, set_today: bool = True) -> QDateEdit:
        """Register ``edit``; with ``set_today`` it is given today now (otherwise see :meth:`set_today`)."""
        self.fields[name] = (edit, words)
        edit.dateChanged.connect(lambda _d, n=name: self.touched(n))
        if set_today:
            self.set_today(name)
        return edit

    def set_today(self, name: str) -> None:
        """Show today in field ``name`` as its untouched default (a form filled again, a correction begun)."""
        now = self.today()
        if now != self.day:  # the others still on their default move with it (said by the next follow)
            self.follow()
        self._put(self.fields[name][0], now)
        self.on_default.add(name)

    def touched(self, name: str) -> None:
        """Field ``name`` changed other than by this class (typed, a draft brought back, the record shown): it
        no longer shows the default. Connected to each field's ``dateChanged``; also for callers."""
        if not self._setting:
            self.on_default.discard(name)

    def _put(self, edit: QDateEdit, day: dt.date) -> None:
        self._setting = True
        try:
            edit.setDate(qdate(day))
        finally:
            self._setting = False

    def follow(self, *, applies: Callable[[str], bool] | None = None,
               moved: Callable[[str, QDateEdit], None] | None = None) -> tuple[dt.date, list[str]] | None:
        """When the date changed since the defaults were set, move each field still on its default (and, with
        ``applies``, in use) to the new today, calling ``moved(name, edit)`` after each (the window's
        record of what it opened with follows the new default: it is nothing the person typed). Returns the
        day before and the words of the fields moved, or None when nothing moved."""
        now, before = self.today(), self.day
        if now == before:
            return None
        self.day = now
        words: list[str] = []
        for name, (edit, word) in self.fields.items():
            if name not in self.on_default or (applies is not None and not applies(name)):
                continue
            if pydate(edit.date()) != before:  # changed without a signal seen: the person's
                self.on_default.discard(name)
                continue
            self._put(edit, now)
            if moved is not None:
                moved(name, edit)
            words.append(word)
        return (before, words) if words else None

    def follow_text(self, hint: str = "", *, applies: Callable[[str], bool] | None = None,
                    moved: Callable[[str, QDateEdit], None] | None = None) -> str:
        """:meth:`follow`, in words (:func:`moved_text`), "" when nothing moved."""
        found = self.follow(applies=applies, moved=moved)
        return moved_text(self.day, found[0], found[1], hint) if found else ""

    def watch(self, ctx: AppContext, owner: QObject, on_new_day: Callable[[dt.date], None]) -> None:
        """Call ``on_new_day`` when the date changes while ``owner`` is open (``ui.day_watch``); forgotten
        when ``owner`` finishes (a dialog) or is destroyed."""
        ctx.after_new_day.append(on_new_day)

        def forget(*_args: object) -> None:
            if on_new_day in ctx.after_new_day:
                ctx.after_new_day.remove(on_new_day)
        finished = getattr(owner, "finished", None)
        if finished is not None:
            finished.connect(forget)
        owner.destroyed.connect(forget)
