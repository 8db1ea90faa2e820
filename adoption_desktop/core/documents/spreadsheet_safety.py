"""Spreadsheet exports that are safe to open: data is never written as a formula.

A name typed or imported as ``=cmd|' /C calc'!A0`` (or ``=HYPERLINK(…)``, ``+1+1``, ``@SUM(…)``) must reach
a spreadsheet as the text it is. Every ``.csv`` and ``.xlsx`` writer in the package goes through this
module (one rule, one place):

* **CSV** (OWASP's CSV-injection rule): a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or
  a carriage return is written with a leading single quote, so Excel and LibreOffice show it as text.
  Numbers and dates are written as they are (a negative number is data, not a formula).
* **xlsx**: every text cell is a string cell (``data_type 's'``, openpyxl would otherwise store a text
  starting with ``=`` as a formula), and a formula-like one also gets ``quotePrefix`` so editing it in
  Excel keeps it text. The value itself is unchanged: what the user typed is what they see.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import IO, Any

#: The characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could take ``text`` for a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def csv_cell(value: object) -> object:
    """``value`` as a CSV cell: formula-like text gets a leading single quote; anything else unchanged."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def csv_row(values: Iterable[object]) -> list[object]:
    return [csv_cell(v) for v in values]


class SafeCsvWriter:
    """``csv.writer`` whose every row goes through :func:`csv_row`."""

    def __init__(self, fh: IO[str], **kwargs: Any) -> None:
        self._writer = csv.writer(fh, **kwargs)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow(csv_row(row))

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(fh: IO[str], **kwargs: Any) -> SafeCsvWriter:
    """The only CSV writer exports use."""
    return SafeCsvWriter(fh, **kwargs)


def xlsx_cell(ws: Any, value: object) -> object:
    """A value for ``ws.append`` (openpyxl, write-only sheets too): text becomes a string cell, with
    ``quotePrefix`` when formula-like; numbers, dates and None pass through; anything else is its text."""
    if value is None or isinstance(value, bool | int | float | dt.date | dt.datetime | dt.time):
        return value
    from openpyxl.cell import WriteOnlyCell

    text = value if isinstance(value, str) else str(value)
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"  # never "f", whatever the text starts with
    if is_formula_like(text):
        cell.quotePrefix = True
    return cell


def xlsx_row(ws: Any, values: Sequence[object]) -> list[object]:
    return [xlsx_cell(ws, v) for v in values]
