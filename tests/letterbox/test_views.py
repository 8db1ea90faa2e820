"""Letterbox screen (pytest-qt, offscreen): the Done-when flow and the registers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QDate, QItemSelectionModel, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QScrollArea

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.palette import ERROR_COLOUR
from adoption_desktop.ui.tasks import TaskRunner
from tests.letterbox.conftest import sample_input
from tests.undo_checks import confirm_next

TODAY = dt.date(2026, 3, 20)


def make_page(qtbot, db: Database, who: Principal) -> LetterboxPage:  # type: ignore[no-untyped-def]
    page = LetterboxPage(AppContext(db, who, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    return page


def test_log_screen_return_correct_and_forward(qtbot, db: Database, coordinator: Principal,  # type: ignore[no-untyped-def]
                                               arrangement: int) -> None:
    page = make_page(qtbot, db, coordinator)
    page.show_arrangements()
    reg = page.arrangements_register
    assert reg.model.rowCount() == 1
    reg.view.selectRow(0)
    qtbot.mouseClick(page.log_button, Qt.MouseButton.LeftButton)
    dialog = page.dialogs[-1]
    dialog.direction.setCurrentIndex(dialog.direction.findData(rules.TO_BIRTH))
    qtbot.keyClicks(dialog.writer, "Sam Thornley")
    dialog.received_on.setDate(QDate(2026, 3, 2))
    qtbot.mouseClick(dialog.log_button, Qt.MouseButton.LeftButton)
    assert dialog.item_id is not None, dialog.message.text()
    first = dialog.item_id
    letter = "Dear Gina,\nRosa loves her new bedroom. Love from the Thornley family, ZZ99 4EF.\n"
    dialog.text.setPlainText(letter)
    qtbot.mouseClick(dialog.screen_button, Qt.MouseButton.LeftButton)
    spans = {text for _s, _e, text in dialog.highlighted()}
    assert {"Thornley", "ZZ99 4EF", "Rosa"} <= spans, dialog.message.text()
    dialog.grab().save("/tmp/letterbox_item.png")
    # forwarding is refused while findings are marked to be removed
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("forwarded"))
    dialog.method.setText("post")
    confirm_next()  # recording an outcome is final: the dialog asks first
    qtbot.mouseClick(dialog.outcome_button, Qt.MouseButton.LeftButton)
    assert "marked to be removed" in dialog.message.text()
    # return it to the writer
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("returned"))
    dialog.reason.setPlainText("Please leave out your surname, Rosa's new name and the postcode.")
    confirm_next()  # recording an outcome is final: the dialog asks first
    qtbot.mouseClick(dialog.outcome_button, Qt.MouseButton.LeftButton)
    assert service.get_item(db, coordinator, first).status == "returned"
    assert dialog.corrected_button.isEnabled()
    # the corrected version arrives
    qtbot.mouseClick(dialog.corrected_button, Qt.MouseButton.LeftButton)
    corrected = page.dialogs[-1]
    assert corrected is not dialog and corrected.previous_item_id == first
    corrected.received_on.setDate(QDate(2026, 3, 16))
    qtbot.mouseClick(corrected.log_button, Qt.MouseButton.LeftButton)
    assert corrected.item_id is not None, corrected.message.text()
    corrected.text.setPlainText("Dear Gina,\nShe loves her bedroom and is in Year 4 now. Love from all of us.\n")
    qtbot.mouseClick(corrected.screen_button, Qt.MouseButton.LeftButton)
    assert corrected.highlighted() == []
    corrected.outcome.setCurrentIndex(corrected.outcome.findData("forwarded"))
    corrected.method.setText("post")
    confirm_next()  # recording an outcome is final: the dialog asks first
    qtbot.mouseClick(corrected.outcome_button, Qt.MouseButton.LeftButton)
    item = service.get_item(db, coordinator, corrected.item_id)
    assert item.status == "forwarded" and item.previous_item_id == first
    assert [e.action for e in item.history] == ["received", "screened", "forwarded"]
    assert corrected.history_model.rowCount() == 3
    corrected.close()
    page.show_items()
    page.items_register.refresh()
    assert page.items_register.model.rowCount() == 2


def test_register_search_filter_sort_and_export(qtbot, db: Database, coordinator: Principal,  # type: ignore[no-untyped-def]
                                                arrangement: int, tmp_path: Path) -> None:
    for n in range(1, 6):
        service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=dt.date(2025, n, 3),
                         writer="Sam Thornley", notes="birthday card" if n == 2 else "")
    page = make_page(qtbot, db, coordinator)
    page.show_items()
    reg = page.items_register
    assert reg.model.rowCount() == 5
    qtbot.keyClicks(reg.search, "birthd")
    qtbot.waitUntil(lambda: reg.model.rowCount() == 1, timeout=2000)
    assert "matching" in reg.count_label.text()
    reg.search.clear()
    reg.apply_search("")
    reg.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert reg.model.row_at(0).received_on == dt.date(2025, 1, 3)
    page.item_month.setCurrentIndex(page.item_month.findData("2025-03"))
    assert reg.model.rowCount() == 1
    page.item_month.setCurrentIndex(0)
    out = tmp_path / "items.xlsx"
    done: list[int] = []
    reg.export_to(out, done.append)
    assert done == [5]
    ws = openpyxl.load_workbook(out).active
    assert ws is not None
    assert [c.value for c in ws[1]][:2] == ["Received", "Reference"] and ws.max_row == 6


def test_page_screenshot_and_reminder_batch(qtbot, db: Database, coordinator: Principal,  # type: ignore[no-untyped-def]
                                            arrangement: int, tmp_path: Path) -> None:
    page = make_page(qtbot, db, coordinator)
    assert page.work_model.rowCount() >= 1  # the March exchange is due this month
    page.grab().save("/tmp/letterbox.png")
    out = tmp_path / "rem.pdf"
    page.produce_letters("reminder", out, month="2026-04")
    assert out.exists() and page.last_batch.letters == 1


def test_new_and_edit_arrangement_dialog(qtbot, db: Database, coordinator: Principal) -> None:  # type: ignore[no-untyped-def]
    from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog

    page = make_page(qtbot, db, coordinator)
    dialog = page.open_arrangement_dialog(modal=False)
    assert isinstance(dialog, ArrangementDialog)
    qtbot.keyClicks(dialog.fields["reference"], "LB-0100")
    qtbot.keyClicks(dialog.fields["child_birth_name"], "Finn Heronby")
    qtbot.keyClicks(dialog.fields["child_adoptive_name"], "Finn Larkworth")
    qtbot.keyClicks(dialog.fields["adopters_name"], "Ivo Larkworth")
    dialog.dates["child_dob"].setDate(QDate(2019, 4, 2))
    dialog.adopters_address.setPlainText("5 Vetch Walk\nNorthwold\nZZ99 2GH")
    dialog.fields["exchange_months"].setText("Smarch")
    dialog.participants.setPlainText("Hana Heronby; birth mother; 8 Dew Close, Ivelcombe, ZZ99 6JL\n"
                                     "Gus Heronby; birth father;")
    dialog.protected.setPlainText("Oakmere Juniors FC")
    dialog.save()
    assert "Exchange months" in dialog.message.text()
    dialog.fields["exchange_months"].setText("May, November")
    dialog.save()
    assert dialog.result() == 1 and dialog.arrangement_id is not None
    detail = service.get_arrangement(db, coordinator, dialog.arrangement_id)
    assert detail.data.exchange_months == "5,11"
    assert [(p.name, p.address) for p in detail.data.participants] == [
        ("Hana Heronby", "8 Dew Close\nIvelcombe\nZZ99 6JL"), ("Gus Heronby", "")]
    assert "Oakmere Juniors FC" in {t.term for t in detail.data.protected}
    assert page.arrangements_register.model.rowCount() == 1
    again = page.open_arrangement_dialog(dialog.arrangement_id, modal=False)
    assert isinstance(again, ArrangementDialog)
    assert again.fields["exchange_months"].text() == "May, November"
    again.grab().save("/tmp/letterbox_arrangement.png")
    again.status.setCurrentIndex(again.status.findData("suspended"))
    again.save()
    assert service.get_arrangement(db, coordinator, dialog.arrangement_id).status == "suspended"


def test_import_dialog_preview_report_then_import(qtbot, db: Database, coordinator: Principal,  # type: ignore[no-untyped-def]
                                                  tmp_path: Path) -> None:
    from adoption_desktop.letterbox.views.import_dialog import ImportDialog
    from tests.letterbox.test_import import good_rows, write_xlsx

    rows = good_rows()
    rows[2][3] = "31/02/2012"  # a bad date
    path = write_xlsx(tmp_path / "reg.xlsx", rows)
    dialog = ImportDialog(AppContext(db, coordinator, TaskRunner(synchronous=True)), path)
    qtbot.addWidget(dialog)
    assert dialog.preview.rowCount() == 3
    assert dialog.combos["reference"].currentData() == 0
    assert not dialog.check()
    assert dialog.problems.rowCount() == 1 and dialog.problems.row_at(0).row == 4
    assert not dialog.import_button.isEnabled()
    # map the date column away: the file is then valid
    dialog.combos["child_dob"].setCurrentIndex(0)
    assert dialog.check() and dialog.import_button.isEnabled()
    dialog.do_import()
    assert dialog.result() == 1
    assert service.count_arrangements(db, coordinator, service.ArrangementFilter()) == 2


def test_birth_side_protected_terms_entered_kept_and_screened(qtbot, db: Database,  # type: ignore[no-untyped-def]
                                                               coordinator: Principal, arrangement: int) -> None:
    """The form takes the birth side's secrets too (a new partner's surname, their town); they survive an
    edit and letters from the birth side are screened against them (the adopters' letters too, as naming the
    birth family)."""
    from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog

    page = make_page(qtbot, db, coordinator)
    dialog = page.open_arrangement_dialog(arrangement, modal=False)
    assert isinstance(dialog, ArrangementDialog)
    assert dialog.birth_protected.toPlainText() == ""
    dialog.birth_protected.setPlainText("Quillfeather\n\nBramblecote\n")
    dialog.save()
    assert dialog.result() == 1
    detail = service.get_arrangement(db, coordinator, arrangement)
    birth_terms = {t.term for t in detail.data.protected if t.side == rules.BIRTH}
    assert birth_terms == {"Quillfeather", "Bramblecote"}
    assert "Kestrel Vale Primary" in {t.term for t in detail.data.protected if t.side == rules.ADOPTIVE}
    again = page.open_arrangement_dialog(arrangement, modal=False)
    assert isinstance(again, ArrangementDialog)
    assert again.birth_protected.toPlainText().splitlines() == ["Quillfeather", "Bramblecote"]
    again.save()  # an unchanged edit keeps both sides' terms
    detail = service.get_arrangement(db, coordinator, arrangement)
    assert {t.term for t in detail.data.protected if t.side == rules.BIRTH} == birth_terms
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE,
                            received_on=dt.date(2026, 9, 2), writer="birth mother")
    found = service.screen_item(db, coordinator, item,
                                "Dave Quillfeather and I moved to Bramblecote in the summer.").findings
    assert {(f.kind, f.text) for f in found} >= {("protected term", "Quillfeather"), ("protected term", "Bramblecote")}
    going_the_other_way = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH,
                                           received_on=dt.date(2026, 9, 3), writer="adopters")
    other = service.screen_item(db, coordinator, going_the_other_way, "We read about Quillfeather birds.").findings
    # the adopters should not know it either (trial, finding 6): flagged as naming the birth family
    assert [(f.text, f.reason) for f in other] == [
        ("Quillfeather", "names the birth family: the protected term 'Quillfeather'")]


# --- review fixes: the item dialog, dialog margins, the import dialog, message colours -------------------------

def _logged(db: Database, who: Principal, arrangement: int, text: str = "", notes: str = "") -> int:
    item = service.log_item(db, who, arrangement, direction=rules.TO_BIRTH, received_on=dt.date(2026, 3, 2),
                            writer="Sam Thornley", notes=notes)
    if text:
        service.screen_item(db, who, item, text)
    return item


@pytest.mark.parametrize(("outcome", "method", "reason"), [
    ("returned", "", "Please leave out the postcode."),
    ("withheld", "", "Names the new school."),
    ("held", "", ""),
    ("forwarded", "post", ""),
])
def test_item_dialog_shows_the_recorded_outcome(qtbot, db: Database, coordinator: Principal,  # type: ignore[no-untyped-def]
                                                arrangement: int, outcome: str, method: str, reason: str) -> None:
    """An item with an outcome shows that outcome, its date and its reason or method — not 'Forward' and
    today's date (the defaults for an item still being worked on)."""
    item = _logged(db, coordinator, arrangement, "Dear Gina,\nWe had a lovely summer.\n", notes="card enclosed")
    informed = outcome in ("withheld", "returned")  # recorded, not inferred from the outcome
    service.record_outcome(db, coordinator, item, outcome, dt.date(2026, 3, 9), method=method, reason=reason,
                           social_worker_informed=informed)
    page = make_page(qtbot, db, coordinator)
    dialog = page.open_existing_item(item)
    assert dialog.outcome.currentData() == outcome
    assert dialog.outcome_on.date() == QDate(2026, 3, 9)
    assert dialog.reason.toPlainText() == reason
    assert dialog.method.text() == method
    assert dialog.social_worker.isChecked() == informed
    assert dialog.notes.text() == "card enclosed"
    assert not dialog.outcome_button.isEnabled()  # shown, not open to change


def test_item_dialog_keeps_the_outcome_being_typed_on_an_open_item(qtbot, db: Database,  # type: ignore[no-untyped-def]
                                                                   coordinator: Principal, arrangement: int) -> None:
    item = _logged(db, coordinator, arrangement, "Dear Gina,\nLove from Rosa.\n")
    page = make_page(qtbot, db, coordinator)
    dialog = page.open_existing_item(item)
    assert dialog.outcome_on.date() == QDate(2026, 3, 20)  # today: nothing recorded yet
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("returned"))
    dialog.reason.setPlainText("Leave out Rosa's name.")
    dialog.findings_view.selectRow(0)
    dialog.decide("acceptable")  # reloads the dialog
    assert dialog.outcome.currentData() == "returned" and dialog.reason.toPlainText() == "Leave out Rosa's name."


def test_item_dialog_has_a_close_button_and_escape_closes_it(qtbot, db: Database,  # type: ignore[no-untyped-def]
                                                            coordinator: Principal, arrangement: int) -> None:
    item = _logged(db, coordinator, arrangement)
    page = make_page(qtbot, db, coordinator)
    dialog = page.open_existing_item(item)
    qtbot.waitExposed(dialog)
    close = dialog.buttons.button(QDialogButtonBox.StandardButton.Close)
    assert close is not None and close.isVisible() and close.isEnabled()
    assert close.mapTo(dialog, close.rect().bottomRight()).x() > dialog.width() - 40  # bottom right
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    again = page.open_existing_item(item)
    qtbot.waitExposed(again)
    again.text.setFocus()
    qtbot.keyClick(again.text, Qt.Key.Key_Escape)
    assert not again.isVisible()


def test_dialogs_keep_normal_margins(qtbot, db: Database, coordinator: Principal,  # type: ignore[no-untyped-def]
                                     arrangement: int) -> None:
    """Text does not touch the window edge: the dialogs wrapping a Designer form keep the style's margins
    (the item window's are inside its scroll area, around its form, and around its message and buttons
    below it: measured where the text and buttons are, not on the window's own layout)."""
    from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog

    page = make_page(qtbot, db, coordinator)
    item = page.open_existing_item(_logged(db, coordinator, arrangement))
    arrangement_dialog = page.open_arrangement_dialog(arrangement, modal=False)
    assert isinstance(arrangement_dialog, ArrangementDialog)
    for dialog in (item, arrangement_dialog):
        qtbot.waitExposed(dialog)
        first_label = dialog.findChildren(QLabel)[0]
        top_left = first_label.mapTo(dialog, first_label.rect().topLeft())
        assert top_left.x() >= 6 and top_left.y() >= 6, dialog.windowTitle()
        buttons = dialog.findChild(QDialogButtonBox)
        assert buttons is not None
        bottom_right = buttons.mapTo(dialog, buttons.rect().bottomRight())
        assert dialog.width() - 1 - bottom_right.x() >= 6, dialog.windowTitle()
        assert dialog.height() - 1 - bottom_right.y() >= 6, dialog.windowTitle()
    # still fits a 1366×768 laptop screen (less the taskbar and the title bar)
    assert item.minimumSizeHint().height() <= 768 - 72 and arrangement_dialog.minimumSizeHint().height() <= 768 - 72


def test_import_dialog_mapping_fits_and_enter_does_not_import(qtbot, db: Database,  # type: ignore[no-untyped-def]
                                                             coordinator: Principal, tmp_path: Path) -> None:
    from adoption_desktop.letterbox.views.import_dialog import ImportDialog
    from tests.letterbox.test_import import good_rows, write_xlsx

    path = write_xlsx(tmp_path / "reg.xlsx", good_rows())
    dialog = ImportDialog(AppContext(db, coordinator, TaskRunner(synchronous=True)), path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    # every matching box is wholly visible: no sideways scrolling in the mapping area
    scroll = dialog.findChild(QScrollArea, "mapping")
    assert scroll is not None
    assert scroll.horizontalScrollBar().maximum() == 0
    viewport = scroll.viewport()
    for box in dialog.combos.values():
        assert box.mapTo(viewport, box.rect().topRight()).x() < viewport.width(), box.objectName()
    # Check comes before Import, and Enter checks — it never imports
    check_x = dialog.check_button.mapTo(dialog, dialog.check_button.rect().topLeft()).x()
    import_x = dialog.import_button.mapTo(dialog, dialog.import_button.rect().topLeft()).x()
    assert check_x < import_x
    assert not dialog.import_button.isDefault() and not dialog.import_button.autoDefault()
    box = dialog.combos["reference"]
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert dialog.import_button.isEnabled(), dialog.summary.text()  # Enter ran Check
    assert "Ready" in dialog.summary.text()
    qtbot.keyClick(box, Qt.Key.Key_Return)
    dialog.import_button.setFocus()
    qtbot.keyClick(dialog.import_button, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() == 0
    assert service.count_arrangements(db, coordinator, service.ArrangementFilter()) == 0
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)  # a deliberate click imports
    assert service.count_arrangements(db, coordinator, service.ArrangementFilter()) == 2


def test_screening_progress_is_not_shown_as_an_error(qtbot, db: Database, coordinator: Principal,  # type: ignore[no-untyped-def]
                                                     arrangement: int) -> None:
    """'N findings highlighted' is progress, in the normal text colour; a refusal stays red."""
    item = _logged(db, coordinator, arrangement)
    page = make_page(qtbot, db, coordinator)
    dialog = page.open_existing_item(item)
    qtbot.waitExposed(dialog)
    normal = dialog.heading.palette().color(QPalette.ColorRole.WindowText)
    dialog.text.setPlainText("Dear Gina,\nRosa loves her new bedroom. Love from the Thornley family, ZZ99 4EF.\n")
    dialog.screen_letter()
    assert "findings highlighted" in dialog.message.text()
    dialog.message.ensurePolished()
    assert dialog.message.palette().color(QPalette.ColorRole.WindowText) == normal
    dialog.findings_view.clearSelection()
    dialog.findings_view.selectionModel().clearCurrentIndex()
    dialog.decide("acceptable")  # refused: no finding chosen
    assert "Choose a finding" in dialog.message.text()
    dialog.message.ensurePolished()
    assert dialog.message.palette().color(QPalette.ColorRole.WindowText) == QColor(ERROR_COLOUR)
    # a row with the focus frame but not selected is the one chosen (letterbox trial: Alt+A said "choose a
    # finding" under a row that looked chosen)
    focused = dialog.findings_model.index(0, 0)
    dialog.findings_view.selectionModel().setCurrentIndex(focused, QItemSelectionModel.SelectionFlag.NoUpdate)
    assert not dialog.findings_view.selectionModel().selectedRows()
    first = dialog.findings_model.row_at(0).id
    dialog.decide("acceptable")
    assert "Choose a finding" not in dialog.message.text()
    decided = {f.id: f.decision for f in service.get_item(db, coordinator, item).findings}
    assert decided[first] == "acceptable"
    # undone (Ctrl+Z: the main window's undo says it in the status bar, then tells the open windows)
    entry = dialog.ctx.undo.undo()
    assert entry is not None
    dialog.ctx.status_messages.append(f"Undone: {entry.label}.")
    for callback in list(dialog.ctx.after_undo):
        callback(entry)
    assert dialog.message.text().startswith("Undone: ") and "shown as it is now" in dialog.message.text()
    assert "Marked acceptable" not in dialog.message.text()


def test_work_list_keeps_unanswered_exchanges_and_shows_older_ones_on_request(  # type: ignore[no-untyped-def]
        qtbot, db: Database, coordinator: Principal) -> None:
    """User trial, LBX-9001: nothing received; the adopters' September letter stays on the list, overdue and
    how long; exchanges before the look-back are named in a note and listed with the button."""
    service.create_arrangement(db, coordinator, sample_input(
        "LBX-9001", exchange_months="March, September", start_date=dt.date(2018, 1, 10)))
    page = LetterboxPage(AppContext(db, coordinator, TaskRunner(synchronous=True)), today=dt.date(2026, 12, 2))
    qtbot.addWidget(page)
    page.show()
    state = next(i for i, c in enumerate(page.work_model.columns) if c.title == "State")

    def shown() -> dict[tuple[dt.date, str], str]:
        return {(w.due, w.side): page.work_model.data(page.work_model.index(r, state))
                for r, w in enumerate(page.work_model.rows())}

    rows = shown()
    assert rows[dt.date(2026, 9, 1), rules.ADOPTIVE] == "overdue 3 months"
    assert rows[dt.date(2026, 10, 1), rules.BIRTH] == "overdue 2 months"
    assert rows[dt.date(2025, 3, 1), rules.ADOPTIVE] == "overdue 1 year 9 months"
    assert min(d for d, _ in rows) == dt.date(2025, 3, 1)  # the look-back: 24 months
    assert "01/12/2024" in page.older_label.text()
    page.older_button.click()
    rows = shown()
    assert min(d for d, _ in rows) == dt.date(2018, 3, 1)
    assert len(rows) == 2 * 2 * 9  # March and September, letter and reply, 2018 to 2026
    assert "Listed too: 28 exchanges due before 01/12/2024" in page.older_label.text()


def test_mark_missed_from_the_work_list_and_undo(qtbot, db: Database,  # type: ignore[no-untyped-def]
                                                 coordinator: Principal) -> None:
    service.create_arrangement(db, coordinator, sample_input(
        "LBX-9001", exchange_months="March, September", start_date=dt.date(2026, 1, 15)))
    ctx = AppContext(db, coordinator, TaskRunner(synchronous=True))
    page = LetterboxPage(ctx, today=dt.date(2026, 12, 2))
    qtbot.addWidget(page)
    page.show()
    september = (dt.date(2026, 9, 1), rules.ADOPTIVE)
    row = next(r for r, w in enumerate(page.work_model.rows()) if (w.due, w.side) == september)
    page.work_view.selectRow(row)
    page.missed_button.click()
    assert september not in {(w.due, w.side) for w in page.work_model.rows()}
    assert ctx.undo.undo_label().startswith("Marked missed: the adoptive family's exchange of LBX-9001 due 01/09")
    entry = ctx.undo.undo()
    for refresh in ctx.after_undo:
        refresh(entry)
    assert september in {(w.due, w.side) for w in page.work_model.rows()}


def test_a_letter_that_would_be_refused_is_refused_before_the_file_is_asked_for(  # type: ignore[no-untyped-def]
        qtbot, db: Database, coordinator: Principal, arrangement: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Letterbox trial: "Returned for changes" for an item not returned asked where to save the PDF first,
    then refused it."""
    from PySide6.QtWidgets import QMessageBox

    _logged(db, coordinator, arrangement)
    page = make_page(qtbot, db, coordinator)
    page.tabs.setCurrentWidget(page.items_register)
    page.items_register.refresh()
    view = page.items_register.view
    view.selectionModel().setCurrentIndex(page.items_register.model.index(0, 0),
                                          QItemSelectionModel.SelectionFlag.NoUpdate)  # focused, not selected
    asked: list[str] = []
    said: list[str] = []
    monkeypatch.setattr(page, "_save_path", lambda title, name: asked.append(name))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: said.append(text))
    page._item_letter("returned")
    assert asked == [] and said and "not returned to its writer" in said[0]
    page._item_letter("acknowledgement")  # an acknowledgement may be made: the file is asked for
    assert len(asked) == 1 and len(said) == 1


def test_the_item_window_gives_the_findings_more_room_than_the_history(  # type: ignore[no-untyped-def]
        qtbot, db: Database, coordinator: Principal, arrangement: int) -> None:
    """Letterbox trial: the findings list was half the history's height; the reason box one line."""
    from PySide6.QtWidgets import QApplication, QPlainTextEdit

    page = make_page(qtbot, db, coordinator)
    dialog = page.open_existing_item(_logged(db, coordinator, arrangement))
    dialog.resize(1300, 720)
    QApplication.processEvents()
    assert dialog.findings_view.height() > dialog.history_view.height()
    assert isinstance(dialog.reason, QPlainTextEdit) and dialog.reason.tabChangesFocus()


def test_an_active_arrangement_missing_its_essentials_is_said_before_it_is_saved(  # type: ignore[no-untyped-def]
        qtbot, db: Database, coordinator: Principal) -> None:
    """Letterbox trial: an arrangement was saved as active with only its reference, without a word. Now the
    first Save says what is missing and saves nothing; a second Save with the same gaps saves it."""
    from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog

    page = make_page(qtbot, db, coordinator)
    dialog = page.open_arrangement_dialog(modal=False)
    assert isinstance(dialog, ArrangementDialog)
    qtbot.keyClicks(dialog.fields["reference"], "LB-0200")
    dialog.save()
    said = dialog.message.text()
    assert said.startswith("Not saved yet: LB-0200 is missing the child's birth name")
    assert "a birth relative" in said and "Save again" in said
    assert dialog.arrangement_id is None and service.count_arrangements(db, coordinator, service.ArrangementFilter()) == 0
    qtbot.keyClicks(dialog.fields["child_birth_name"], "Finn Heronby")  # the gaps changed: said again
    dialog.save()
    assert dialog.arrangement_id is None and "the child's birth name" not in dialog.message.text()
    dialog.save()  # the same gaps, saved knowingly
    assert dialog.result() == 1 and dialog.arrangement_id is not None
    again = page.open_arrangement_dialog(dialog.arrangement_id, modal=False)
    assert isinstance(again, ArrangementDialog)
    again.notes.setPlainText("Waiting for the agreement.")  # gaps it already had do not hold an edit up
    again.save()
    assert again.result() == 1
    assert service.get_arrangement(db, coordinator, dialog.arrangement_id).data.notes == "Waiting for the agreement."
