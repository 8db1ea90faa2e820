"""The item's Paper and e-mail window gives each file's time as this PC's clock had it (user trial ut27,
across the clock changes): the When column showed the stored UTC time, an hour early in summer (a scan
attached at 10:02 read 09:02, while the message refusing it again said 10:02), and in another format."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from adoption_desktop.letterbox.attachments import AttachmentRow
from adoption_desktop.letterbox.views.attachments_panel import COLUMNS
from adoption_desktop.ui.table_model import RowTableModel


@pytest.fixture
def london(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This PC's zone is Europe/London (a UK agency's): an hour ahead of UTC in summer."""
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _row(n: int, at: dt.datetime) -> AttachmentRow:
    return AttachmentRow(n, 1, None, "scan", f"scan{n}.pdf", "application/pdf", 2048, "ab" * 32, 1, at, "letterbox")


@pytest.mark.parametrize(("stored_utc", "shown"), [
    (dt.datetime(2026, 7, 1, 9, 2), "01/07/2026 10:02"),  # summer time
    (dt.datetime(2026, 12, 1, 9, 2), "01/12/2026 09:02"),  # winter: the same
    (dt.datetime(2026, 10, 24, 23, 30), "25/10/2026 00:30"),  # the night summer time ends: already the 25th
    (dt.datetime(2026, 10, 25, 0, 30), "25/10/2026 01:30"),  # 01:30 BST ...
    (dt.datetime(2026, 10, 25, 1, 30), "25/10/2026 01:30"),  # ... and 01:30 GMT an hour later
    (dt.datetime(2027, 3, 28, 1, 30), "28/03/2027 02:30"),  # summer time begins (Easter Sunday 2027)
    (dt.datetime(2027, 3, 27, 23, 59), "27/03/2027 23:59"),
])
def test_when_is_this_pcs_time(london: None, stored_utc: dt.datetime, shown: str) -> None:
    model = RowTableModel(COLUMNS, [_row(1, stored_utc)])
    column = next(n for n, c in enumerate(COLUMNS) if c.title == "When")
    assert model.data(model.index(0, column), Qt.ItemDataRole.DisplayRole) == shown


def test_when_sorts_by_the_time_stored(london: None) -> None:
    """Across the end of summer time 01:30 BST comes before 01:10 GMT, as it was attached."""
    model = RowTableModel(COLUMNS, [_row(2, dt.datetime(2026, 10, 25, 1, 10)), _row(1, dt.datetime(2026, 10, 25, 0, 30))])
    column = next(n for n, c in enumerate(COLUMNS) if c.title == "When")
    model.sort(column, Qt.SortOrder.AscendingOrder)
    assert [model.row_at(i).id for i in range(2)] == [1, 2]
