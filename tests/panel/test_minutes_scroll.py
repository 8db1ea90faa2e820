"""The minutes fields scroll inside the tab (the window fits 1366×768), and a field reached by keyboard
below the fold is scrolled into view."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication

from adoption_desktop.panel.views.minutes_editor import MinutesEditor


def test_field_reached_by_keyboard_is_scrolled_into_view(qtbot: Any) -> None:
    editor = MinutesEditor(lambda *_a: None, lambda *_a: None)  # type: ignore[arg-type, return-value]
    qtbot.addWidget(editor)
    editor.resize(900, 420)
    field = editor.advice_needs  # near the bottom of the form
    # no item loaded: enable the fields as loading an item would (with them all greyed out, the window opened
    # with the keyboard on the members' views at the bottom, the scroll area itself being no Tab stop)
    editor.form.setEnabled(True)
    field.setEnabled(True)
    editor.show()
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow, timeout=2000)
    bar = editor.fields_scroll.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0  # the fields do not fit: they scroll
    assert field.isVisibleTo(editor)
    field.setFocus()
    QApplication.processEvents()
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=2000)
    top_left = field.mapTo(editor.fields_scroll.viewport(), field.rect().topLeft())
    assert 0 <= top_left.y() < editor.fields_scroll.viewport().height()


def test_every_members_row_of_views_shows_without_scrolling_the_table(qtbot: Any) -> None:
    """Panel trial at 1366×768: the views table was capped at 150 px inside the scrolled form, one row of six
    visible at a time. It is now as tall as its rows (up to twelve), and the form scrolls as one."""
    from adoption_desktop.panel.service.data import AttendanceRow

    editor = MinutesEditor(lambda *_a: None, lambda *_a: None)  # type: ignore[arg-type, return-value]
    qtbot.addWidget(editor)
    editor.resize(1000, 560)
    editor.show()
    rows = [AttendanceRow(n, f"Member {n}", "social_worker", "Social worker", False, False, 5, "present")
            for n in range(1, 9)]
    editor.views_model.set_rows(rows)
    editor._fit_views()
    QApplication.processEvents()
    table = editor.views
    assert table.verticalScrollBar().maximum() == 0  # all eight rows shown
    assert table.rowViewportPosition(7) + table.rowHeight(7) <= table.viewport().height()
    editor.views_model.set_rows(rows * 2)  # sixteen: twelve shown, the table scrolls the rest
    editor._fit_views()
    QApplication.processEvents()
    assert table.verticalScrollBar().maximum() > 0
