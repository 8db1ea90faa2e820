"""The letterbox from the keyboard, keyboard-only user trial 3b (pytest-qt, offscreen, real key events, the
small demo on a real SQLCipher file): an item logged from the work list is from the row's writer, a stray
arrow key saves nothing, a second logging of one letter or a second batch of chasers is asked about, the
conflict says only what the window offers, the date range said is the one allowed, the lists keep their
place, and marking, ending and undoing say what they did."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from adoption_desktop import demo
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.service import WorkRow
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import shown_active

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def context(db: Database, user: str = "letterbox") -> AppContext:
    return AppContext(db, authenticate(db, user, demo.DEMO_PASSWORD), TaskRunner(synchronous=True))


def make_page(qtbot: Any, db: Database, ctx: AppContext | None = None) -> LetterboxPage:
    return shown_active(qtbot, LetterboxPage(ctx or context(db)), 1366, 728)


class Questions:
    """The questions asked (title, text), each answered ``answer`` (No unless a test says otherwise): a modal
    box would wait for ever offscreen."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []
        self.answer = False

    def __call__(self, _parent: object, title: str, text: str, **_kw: object) -> bool:
        self.asked.append((title, text))
        return self.answer


@pytest.fixture(autouse=True)
def questions(monkeypatch: pytest.MonkeyPatch) -> Questions:
    from adoption_desktop.letterbox.views import arrangement_dialog, item_dialog, page

    asked = Questions()
    for module in (arrangement_dialog, item_dialog, page):
        monkeypatch.setattr(module, "ask_yes_no", asked, raising=False)
        monkeypatch.setattr(module, "ask_discard", lambda *_a, **_k: True, raising=False)
    return asked


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def selected(view: Any) -> list[int]:
    return [i.row() for i in view.selectionModel().selectedRows()]


def work_row_where(page: LetterboxPage, side: str) -> int:
    return next(i for i, r in enumerate(page.work_model.rows()) if r.side == side)


# --- 1. an item logged from the work list is from the row's writer ------------------------------------------
@pytest.mark.parametrize("side", [rules.BIRTH, rules.ADOPTIVE])
def test_log_item_from_the_work_list_takes_the_rows_writer(qtbot: Any, small_demo_db: Database, side: str) -> None:
    page = make_page(qtbot, small_demo_db)
    at = work_row_where(page, side)
    row: WorkRow = page.work_model.row_at(at)
    page.work_view.setFocus()
    page.work_view.selectRow(at)
    qtbot.keyClick(page.work_view, K.Key_L, CTRL | SHIFT)
    dialog = page.dialogs[-1]
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    try:
        expected = rules.TO_BIRTH if side == rules.ADOPTIVE else rules.TO_ADOPTIVE
        assert dialog.direction.currentData() == expected
        writers = [dialog.participant.itemText(i) for i in range(dialog.participant.count())]
        assert ("The adopters" in writers) == (side == rules.ADOPTIVE), writers
        if dialog.participant.count() > 1:  # several birth relatives: one is chosen, by keyboard
            dialog.participant.setCurrentIndex(1)
        dialog.notes.setFocus()
        qtbot.keyClick(dialog.notes, K.Key_Return)  # Enter logs it
        assert dialog.item_id is not None, dialog.message.text()
        stored = service.get_item(small_demo_db, page.ctx.principal, dialog.item_id)
        assert (stored.arrangement_id, stored.direction) == (row.arrangement_id, expected)
    finally:
        dialog.done(0)


# --- 2. a stray arrow key on an opened item saves nothing ----------------------------------------------------
def open_from_items_register(qtbot: Any, page: LetterboxPage, down: int = 5) -> ItemDialog:
    page.show_items()
    view = page.items_register.view
    view.setFocus()
    for _ in range(down):
        qtbot.keyClick(view, K.Key_Down)
    qtbot.keyClick(view, K.Key_Return)
    dialog = page.dialogs[-1]
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    qtbot.wait(50)
    return dialog


def test_an_opened_item_starts_at_its_text_and_an_arrow_key_saves_no_channel(
        qtbot: Any, small_demo_db: Database, questions: Questions) -> None:
    page = make_page(qtbot, small_demo_db)
    dialog = open_from_items_register(qtbot, page)
    item_id = dialog.item_id
    assert item_id is not None
    stored = service.get_item(small_demo_db, page.ctx.principal, item_id).channel
    assert focused() in (dialog.text, dialog.findings_view), focused()
    qtbot.keyClick(focused(), K.Key_Down)
    assert service.get_item(small_demo_db, page.ctx.principal, item_id).channel == stored
    # on Received by itself, an arrow key asks (No: nothing saved, the stored channel shown again)
    dialog.channel.setFocus()
    qtbot.keyClick(dialog.channel, K.Key_Down if dialog.channel.currentIndex() == 0 else K.Key_Up)
    assert [t for t, _ in questions.asked] == ["Received by"]
    assert service.get_item(small_demo_db, page.ctx.principal, item_id).channel == stored
    assert dialog.channel.currentData() == stored
    # Yes: corrected, and said
    questions.answer = True
    qtbot.keyClick(dialog.channel, K.Key_Down if dialog.channel.currentIndex() == 0 else K.Key_Up)
    now = service.get_item(small_demo_db, page.ctx.principal, item_id).channel
    assert now != stored and now == dialog.channel.currentData()
    assert "Channel corrected" in dialog.message.text()
    # chosen from the opened list (Alt+Down, then Enter): saved as chosen, without a question
    questions.answer, before = False, now
    qtbot.keyClick(dialog.channel, K.Key_Down, ALT)
    qtbot.waitUntil(dialog.channel.view().isVisible, timeout=2000)
    qtbot.keyClick(dialog.channel.view(), K.Key_Down if dialog.channel.currentIndex() == 0 else K.Key_Up)
    qtbot.keyClick(dialog.channel.view(), K.Key_Return)
    assert len(questions.asked) == 2
    now = service.get_item(small_demo_db, page.ctx.principal, item_id).channel
    assert now != before and now == dialog.channel.currentData(), dialog.message.text()
    dialog.done(0)


# --- 3. one letter logged twice is asked about -------------------------------------------------------------
def item_window(qtbot: Any, ctx: AppContext, arrangement_id: int, reference: str,
                item_id: int | None = None) -> ItemDialog:
    dialog = ItemDialog(ctx, arrangement_id, reference, item_id=item_id)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_a_second_logging_of_the_same_letter_is_asked_about(
        qtbot: Any, small_demo_db: Database, questions: Questions) -> None:
    from adoption_desktop.core.security.permissions import Role
    from tests.conftest import make_user

    first = context(small_demo_db)
    second = AppContext(small_demo_db, make_user(small_demo_db, "lbtwo", Role.LETTERBOX_COORDINATOR),
                        TaskRunner(synchronous=True))
    mine = item_window(qtbot, first, 7, "LB-00007")
    theirs = item_window(qtbot, second, 7, "LB-00007")  # both opened before either logs
    mine.log()
    assert mine.item_id is not None and questions.asked == []
    theirs.log()  # No (the default): not logged again
    assert theirs.item_id is None
    assert len(questions.asked) == 1
    title, text = questions.asked[0]
    assert title == "Log item"
    assert f"An item from the adoptive family received {dt.date.today():%d/%m/%Y} was already logged by " \
           "Lee Elderholt at " in text and "Log another?" in text, text
    assert "Not logged" in theirs.message.text()
    # another direction, or another day, is not asked about
    assert service.already_logged(small_demo_db, second.principal, 7, direction=rules.TO_ADOPTIVE,
                                  received_on=dt.date.today()) == []
    assert service.already_logged(small_demo_db, second.principal, 7, direction=rules.TO_BIRTH,
                                  received_on=dt.date.today() - dt.timedelta(days=1)) == []
    questions.answer = True  # Log another: a second letter that came the same day
    theirs.log()
    assert theirs.item_id is not None and theirs.item_id != mine.item_id
    for d in (mine, theirs):
        d.done(0)


# --- 4. chasers a second time in a day are asked about -------------------------------------------------------
def chasers_sent(db: Database, who: Any) -> int:
    from sqlalchemy import func, select

    from adoption_desktop.letterbox.models import LetterSent

    with db.session(who, write=False) as session:
        return int(session.scalar(select(func.count()).select_from(LetterSent).where(LetterSent.kind == "chaser"))
                   or 0)


def test_chasers_again_the_same_day_are_asked_about(qtbot: Any, small_demo_db: Database, questions: Questions,
                                                    monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from adoption_desktop.letterbox.views import page as page_module

    paths = iter(tmp_path / f"chasers-{n}.pdf" for n in range(5))
    monkeypatch.setattr(page_module, "ask_letter_path", lambda *_a, **_k: str(next(paths)))
    page = make_page(qtbot, small_demo_db)
    before = chasers_sent(small_demo_db, page.ctx.principal)
    page.work_view.setFocus()
    page._chasers_clicked()  # Chasers for overdue writers… (Alt+C in the main window)
    first = chasers_sent(small_demo_db, page.ctx.principal) - before
    assert first > 0 and questions.asked == [], page.ctx.status_messages
    page._chasers_clicked()  # No (the default): none written, none recorded
    assert len(questions.asked) == 1
    title, text = questions.asked[0]
    assert title == "Chasers"
    assert f"{first} letters by Lee Elderholt at " in text and "Produce them again?" in text, text
    assert chasers_sent(small_demo_db, page.ctx.principal) - before == first
    assert "nothing produced" in page.ctx.status_messages[-1]
    questions.answer = True  # produced again: the sent-list records each letter a second time
    page._chasers_clicked()
    assert chasers_sent(small_demo_db, page.ctx.principal) - before == 2 * first


# --- 5. the item window's conflict names only what it offers ----------------------------------------------
def test_the_item_windows_conflict_offers_only_its_own_buttons(qtbot: Any, small_demo_db: Database) -> None:
    ctx = context(small_demo_db)
    item_id = service.log_item(small_demo_db, ctx.principal, 7, direction=rules.TO_BIRTH,
                               received_on=dt.date.today())
    first = item_window(qtbot, ctx, 7, "LB-00007", item_id)
    second = item_window(qtbot, ctx, 7, "LB-00007", item_id)  # opened before the first screens it
    first.text.setPlainText("Hello from Jess at Bramfield Academy")
    first.screen_letter()
    assert first.detail is not None and first.detail.status == "screened", first.message.text()
    second.text.setPlainText("Hello from Jess")
    second.screen_letter()
    said = second.message.text()
    assert "Lee Elderholt saved item" in said and "your change was not saved" in said, said
    assert "Reload" not in said and "re-apply" not in said, said
    assert "Screen text again (Alt+X)" in said and "Show stored text (F5)" in said, said
    # another step overtaken (Received by, saved from the list): the window says what it did instead
    first.channel.setCurrentIndex(first.channel.findData("email"))
    first._channel_chosen()
    second.channel.setCurrentIndex(second.channel.findData("digital"))
    second._channel_chosen()
    said = second.message.text()
    assert "Reload" not in said and "re-apply" not in said and "stored now" in said, said
    for d in (first, second):
        d.done(0)


# --- 6. the range said for the date received is the range allowed -----------------------------------------
def test_the_date_received_range_ends_at_the_last_day_allowed(qtbot: Any, small_demo_db: Database) -> None:
    from PySide6.QtCore import QDate

    today = dt.date.today()
    last, earliest = today + dt.timedelta(days=1), dt.date(today.year - 30, 1, 1)
    between = f"should lie between {earliest:%d/%m/%Y} and {last:%d/%m/%Y}"
    for day in (dt.date(2099, 1, 1), dt.date(1950, 1, 1), last + dt.timedelta(days=1)):
        dialog = item_window(qtbot, context(small_demo_db), 7, "LB-00007")
        dialog.received_on.setDate(QDate(day.year, day.month, day.day))
        dialog.log()
        said = dialog.message.text()
        assert dialog.item_id is None and between in said, (day, said)
        dialog.done(0)
    dialog = item_window(qtbot, context(small_demo_db), 7, "LB-00007")
    dialog.received_on.setDate(QDate(last.year, last.month, last.day))  # the last day said is allowed
    dialog.log()
    assert dialog.item_id is not None, dialog.message.text()
    dialog.done(0)


# --- 7. the lists keep their place -------------------------------------------------------------------------
def undo(page: LetterboxPage) -> None:
    """Ctrl+Z as the main window does it: the stack's last entry undone, then the pages told."""
    entry = page.ctx.undo.undo()
    page.ctx.status_messages.append(f"Undone: {entry.label}.")
    for callback in list(page.ctx.after_undo):
        callback(entry)


def current_row(view: Any) -> int:
    return int(view.currentIndex().row())


def test_the_work_list_keeps_its_place_after_mark_missed_undo_and_logging(
        qtbot: Any, small_demo_db: Database) -> None:
    page = make_page(qtbot, small_demo_db)
    view = page.work_view
    view.setFocus()
    qtbot.keyClick(view, K.Key_Down)
    qtbot.keyClick(view, K.Key_Down)
    qtbot.keyClick(view, K.Key_Down)
    at = current_row(view)
    assert at > 0
    marked, following = page.work_model.row_at(at), page.work_model.row_at(at + 1)
    page.mark_selected_missed()  # Mark missed (Alt+K): it leaves the list; the next one takes its place
    assert (current_row(view), selected(view)) == (at, [at])
    assert page.work_model.row_at(at) == following
    # Ctrl+Z: the exchange is back; the list stays on the record that was current
    undo(page)
    assert marked in page.work_model.rows()
    assert page.work_model.row_at(current_row(view)) == following and selected(view) == [current_row(view)]
    # logging an item for the current exchange from the list: the row after it is current once it closes
    view.selectRow(at)
    logged = page.work_model.row_at(at)
    after = page.work_model.row_at(at + 1)
    qtbot.keyClick(view, K.Key_L, CTRL | SHIFT)
    dialog = page.dialogs[-1]
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    if dialog.participant.count() > 1:
        dialog.participant.setCurrentIndex(1)
    dialog.received_on.setDate(dialog.received_on.date().addDays(0))
    dialog.log()
    dialog.done(0)
    if logged not in page.work_model.rows():  # received: it left the list
        assert page.work_model.row_at(current_row(view)) == after
    else:
        assert page.work_model.row_at(current_row(view)) == logged


def test_the_registers_keep_their_place_after_a_window_closes(qtbot: Any, small_demo_db: Database) -> None:
    page = make_page(qtbot, small_demo_db)
    dialog = open_from_items_register(qtbot, page)  # the 6th item, by Down and Enter
    item_id = dialog.item_id
    qtbot.keyClick(focused(), K.Key_Escape)
    assert not dialog.isVisible()
    view = page.items_register.view
    assert current_row(view) == 5 and page.items_register.selected() is not None
    assert page.items_register.selected().id == item_id  # type: ignore[union-attr]
    # the arrangements register, after an arrangement is saved
    page.show_arrangements()
    register = page.arrangements_register
    register.view.setFocus()
    for _ in range(19):
        qtbot.keyClick(register.view, K.Key_Down)
    chosen, at = register.selected(), current_row(register.view)
    assert chosen is not None and at > 10
    window = page.open_arrangement_dialog(chosen.id, modal=False)
    window.save()  # type: ignore[attr-defined]
    assert not window.isVisible()
    assert current_row(register.view) == at and register.selected() is not None
    assert register.selected().id == chosen.id  # type: ignore[union-attr]


# --- 8. marking, ending and undoing say what they did; 9. ending is asked about ------------------------------
def test_mark_missed_and_its_undo_are_said(qtbot: Any, small_demo_db: Database) -> None:
    page = make_page(qtbot, small_demo_db)
    page.work_view.selectRow(2)
    row = page.work_model.row_at(2)
    page.mark_selected_missed()
    family = "adoptive" if row.side == rules.ADOPTIVE else "birth"
    said = f"Marked missed: the {family} family's exchange of {row.reference} due {row.due:%d/%m/%Y}"
    assert page.ctx.undo.undo_label() == said  # what the status bar's undo notice shows, beside "Undo"
    undo(page)
    assert page.ctx.undo.redo_label() == said


def end_arrangement(qtbot: Any, page: LetterboxPage) -> tuple[Any, Any]:
    """Arrangements tab, an active arrangement, its window; Status → Ended, Enter."""
    page.show_arrangements()
    register = page.arrangements_register
    page.arr_status.setCurrentIndex(page.arr_status.findData("active"))
    register.view.setFocus()
    register.view.selectRow(0)
    chosen = register.selected()
    assert chosen is not None
    window = page.open_arrangement_dialog(chosen.id, modal=False)
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    status = window.status  # type: ignore[attr-defined]
    status.setFocus()
    status.setCurrentIndex(status.findData("ended"))
    qtbot.keyClick(status, K.Key_Return)
    return chosen, window


def test_ending_an_arrangement_is_asked_about_and_said(qtbot: Any, small_demo_db: Database,
                                                        questions: Questions) -> None:
    page = make_page(qtbot, small_demo_db)
    chosen, window = end_arrangement(qtbot, page)  # No (the default): not ended, the window stays
    assert [t for t, _ in questions.asked] == ["End the arrangement"]
    assert window.isVisible() and "Not saved" in window.message.text()
    assert service.get_arrangement(small_demo_db, page.ctx.principal, chosen.id).data.status != "ended"
    questions.answer = True  # End it: saved, said, and its exchanges leave the work list
    qtbot.keyClick(window.status, K.Key_Return)
    assert not window.isVisible(), window.message.text()
    assert service.get_arrangement(small_demo_db, page.ctx.principal, chosen.id).data.status == "ended"
    assert page.ctx.undo.undo_label() == \
        f"Ended the arrangement {chosen.reference}: its expected exchanges have left the work list"
    assert not [w for w in service.work_list(small_demo_db, page.ctx.principal, dt.date.today())
                if w.arrangement_id == chosen.id]
    undo(page)
    assert page.ctx.status_messages[-1].startswith("Undone: ")
    assert service.get_arrangement(small_demo_db, page.ctx.principal, chosen.id).data.status != "ended"
    # another save of the arrangement, not ending it, is not asked about
    again = page.open_arrangement_dialog(chosen.id, modal=False)
    again.save()  # type: ignore[attr-defined]
    assert len(questions.asked) == 2 and not again.isVisible()  # No, then End it: nothing more


def test_ending_an_arrangement_is_said_by_the_undo_notice_and_its_link_stays(
        qtbot: Any, small_demo_db: Database, questions: Questions) -> None:
    """Ending had been said by a status message, which hid the undo notice and its link for 15 seconds: it
    is said by the notice itself now, beside its Undo link (as Mark missed is)."""
    from adoption_desktop.ui.main_window import MainWindow

    window = shown_active(qtbot, MainWindow(context(small_demo_db)), 1366, 768)
    qtbot.keyClick(window, K.Key_3, CTRL)  # the letterbox
    page = window.findChild(LetterboxPage)
    assert page is not None and window.undo_ui is not None
    questions.answer = True  # End it
    chosen, dialog = end_arrangement(qtbot, page)
    assert not dialog.isVisible(), dialog.message.text()
    QApplication.processEvents()
    notice = window.undo_ui.notice
    said = f"Ended the arrangement {chosen.reference}: its expected exchanges have left the work list"
    assert window.statusBar().currentMessage() == ""  # no message over the notice
    assert notice.isVisible() and notice.link.isVisible() and notice.link.href == "undo"
    assert notice.text.text() == f"{said}."
    notice.link.linkActivated.emit("undo")  # its link undoes the ending
    assert service.get_arrangement(small_demo_db, page.ctx.principal, chosen.id).data.status != "ended"
    assert notice.text.text() == f"Undone: {said}."
    window.close()
