"""Rewording a returned item's reason (review, 2026-12-02): a reason recorded before the leak check ran when
it was recorded, naming the other side, refused the returned letter for good and nothing let it be
reworded. Now: a use case checked against the version shown and by the same leak check, audited, undoable,
on the item window (Re&word reason), and the letter's refusal says so and offers it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import update

from adoption_desktop.core.errors import Conflict, StaleRecord, ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox import undo as lb_undo
from adoption_desktop.letterbox.documents import TypedTextLeaks, write_batch
from adoption_desktop.letterbox.models import Item
from tests.letterbox.test_item_writer_letters import DAY, pdf_text, relatives
from tests.letterbox.test_views import make_page
from tests.undo_checks import actions, assert_verified

OLD_REASON = "Please do not call her Rosa, use Poppy."  # Rosa: the child's new name (the adoptive side)


def old_returned_item(db: Database, who: Principal, aid: int) -> int:
    """An item returned with a reason naming the other side, as recorded before the check (in SQL through
    the application, so audited as it was then)."""
    gina = relatives(db, who, aid)["Gina Quillfield"]
    item = service.log_item(db, who, aid, direction=rules.TO_ADOPTIVE, received_on=DAY, participant_id=gina,
                            log_again=True)
    service.screen_item(db, who, item, "Love to Rosa")
    service.record_outcome(db, who, item, "returned", DAY, reason="Please use her birth name.")
    with db.session(who) as session:
        session.execute(update(Item).where(Item.id == item).values(reason=OLD_REASON))
    return item


def test_a_leaking_old_reason_is_reworded_and_the_letter_then_goes(db: Database, coordinator: Principal,
                                                                     arrangement: int, tmp_path: Path) -> None:
    item = old_returned_item(db, coordinator, arrangement)
    out = tmp_path / "r.pdf"
    with pytest.raises(TypedTextLeaks, match=r"\(Rosa\), found in the reason you typed.*Reword reason \(Alt\+W\)") \
            as refused:
        write_batch(db, coordinator, "returned", out, item_ids=[item], today=DAY)
    assert refused.value.item_id == item and f"Open item {item} (LB-0001)" in str(refused.value)
    assert not out.exists()
    version = service.get_item(db, coordinator, item).row_version
    with pytest.raises(ValidationError, match=r"names Rosa from the other side.*reword it without them"):
        service.reword_return_reason(db, coordinator, item, "Rosa's name must go.", expected_version=version)
    new = service.reword_return_reason(db, coordinator, item, "  Please use her birth name only. ",
                                       expected_version=version)
    detail = service.get_item(db, coordinator, item)
    assert new == detail.row_version == version + 1
    assert detail.reason == "Please use her birth name only." and detail.status == "returned"
    assert detail.history[-1].action == "reason_reworded" and "birth name only" in detail.history[-1].detail
    assert "letterbox_reason_reworded" in actions(db, "letterbox_items")
    assert write_batch(db, coordinator, "returned", out, item_ids=[item], today=DAY).letters == 1
    assert "Please use her birth name only." in " ".join(pdf_text(out).split())
    assert_verified(db)


def test_only_a_returned_items_reason_at_the_version_shown(db: Database, coordinator: Principal,
                                                            arrangement: int) -> None:
    held = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=DAY,
                            log_again=True)
    service.record_outcome(db, coordinator, held, "held", DAY)
    with pytest.raises(Conflict, match="is held, not returned"):
        service.reword_return_reason(db, coordinator, held, "Anything.", expected_version=None)
    item = old_returned_item(db, coordinator, arrangement)
    version = service.get_item(db, coordinator, item).row_version
    with pytest.raises(ValidationError, match="Reason: say why"):
        service.reword_return_reason(db, coordinator, item, "   ", expected_version=version)
    service.reword_return_reason(db, coordinator, item, "Please use her birth name.", expected_version=version)
    with pytest.raises(StaleRecord, match="after you opened it"):  # a second window still showing the old one
        service.reword_return_reason(db, coordinator, item, "Leave out the new name.", expected_version=version)
    assert service.get_item(db, coordinator, item).reason == "Please use her birth name."


def test_rewording_is_undone_and_redone_but_never_back_to_a_leak(db: Database, coordinator: Principal,
                                                                 arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=DAY,
                            log_again=True)
    service.record_outcome(db, coordinator, item, "returned", DAY, reason="Please leave out the phone number.")
    version = service.get_item(db, coordinator, item).row_version
    _v, entry = lb_undo.reword_return_reason(db, coordinator, item, "Please leave out your phone number.",
                                             expected_version=version)
    assert entry is not None and entry.area == lb_undo.AREA
    redo = entry.reverse()
    assert service.get_item(db, coordinator, item).reason == "Please leave out the phone number."
    assert redo is not None
    redo.reverse()
    assert service.get_item(db, coordinator, item).reason == "Please leave out your phone number."
    assert lb_undo.reword_return_reason(db, coordinator, item, "Please leave out your phone number.",
                                        expected_version=None)[1] is None  # nothing changed: nothing to undo
    leaking = old_returned_item(db, coordinator, arrangement)
    _v, entry = lb_undo.reword_return_reason(db, coordinator, leaking, "Please use her birth name only.",
                                             expected_version=None)
    assert entry is not None
    with pytest.raises(ValidationError, match="names Rosa"):
        entry.reverse()
    assert service.get_item(db, coordinator, leaking).reason == "Please use her birth name only."
    assert_verified(db)


def test_the_item_window_rewords_the_reason(qtbot: Any, db: Database, coordinator: Principal,
                                            arrangement: int) -> None:
    item = old_returned_item(db, coordinator, arrangement)
    page = make_page(qtbot, db, coordinator)
    dialog = page.open_existing_item(item)
    assert dialog.reword_button.text() == "Re&word reason"  # Alt+W
    assert dialog.reword_button.isEnabled() and dialog.reason.isEnabled()
    assert not dialog.outcome_button.isEnabled()  # the outcome itself stays final
    dialog.reason.setPlainText("Rosa must not be named.")
    qtbot.mouseClick(dialog.reword_button, Qt.MouseButton.LeftButton)
    assert "names Rosa" in dialog.message.text() and dialog.reason.toPlainText() == "Rosa must not be named."
    dialog.reason.setPlainText("Please use her birth name only.")
    qtbot.mouseClick(dialog.reword_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text().startswith("Reason reworded.")
    assert service.get_item(db, coordinator, item).reason == "Please use her birth name only."
    assert page.ctx.undo.undo_label() == f"Reworded the return reason of item {item}"  # Ctrl+Z takes it back
    forwarded = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=DAY,
                                 log_again=True)
    assert not page.open_existing_item(forwarded).reword_button.isEnabled()  # not returned


def test_the_refused_letter_offers_to_open_the_item_at_its_reason(qtbot: Any, db: Database,
                                                                   coordinator: Principal, arrangement: int,
                                                                   tmp_path: Path) -> None:
    item = old_returned_item(db, coordinator, arrangement)
    page = make_page(qtbot, db, coordinator)
    seen: list[str] = []
    left = [300]

    def click() -> None:
        box = next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()), None)
        if box is None:
            left[0] -= 1
            if left[0] > 0:
                QTimer.singleShot(10, click)
            return
        if box.objectName() != "reword_offer":  # a plain refusal: nothing offered
            box.close()
            return
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == "&Open the item to reword it").click()

    QTimer.singleShot(0, click)
    page.produce_letters("returned", tmp_path / "r.pdf", item_ids=[item])
    assert seen and "Reword reason (Alt+W)" in seen[0]
    dialog = page.dialogs[-1]
    assert dialog.item_id == item
    assert "Reword reason" in dialog.message.text()
    assert not (tmp_path / "r.pdf").exists()


def test_the_reason_of_a_returned_letter_already_sent_is_not_reworded(
        db: Database, coordinator: Principal, arrangement: int, tmp_path: Path) -> None:
    """Review of 2 December 2026: once the returned letter went, the writer has its reason as it was; a reworded
    reason on the record would say something the letter never said. Before it is sent, rewording is allowed."""
    gina = relatives(db, coordinator, arrangement)["Gina Quillfield"]
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=DAY,
                            participant_id=gina)
    service.screen_item(db, coordinator, item, "Love to you all")
    service.record_outcome(db, coordinator, item, "returned", DAY, reason="Please leave out the town.")
    version = service.get_item(db, coordinator, item).row_version
    version = service.reword_return_reason(db, coordinator, item, "Please leave out the name of the town.",
                                           expected_version=version)  # not yet sent: reworded
    write_batch(db, coordinator, "returned", tmp_path / "r.pdf", item_ids=[item], today=DAY)
    with pytest.raises(Conflict, match=rf"returned letter with this reason was sent on {DAY:%d/%m/%Y}; the letter "
                                       r"is the record"):
        service.reword_return_reason(db, coordinator, item, "Please leave out where you live.",
                                     expected_version=version)
    detail = service.get_item(db, coordinator, item)
    assert detail.reason == "Please leave out the name of the town." and detail.row_version == version


def test_a_reason_reworded_while_its_letter_is_made_stops_the_batch(db: Database, coordinator: Principal,
                                                                      arrangement: int, tmp_path: Path) -> None:
    """Second review: a reword committed between the batch reading the reason and recording the sent-list was
    accepted, so the letter went out with the old reason while the record held the new one. The items are
    locked and checked as the sent-list is recorded: nothing recorded, no file; made again, it is right."""
    gina = relatives(db, coordinator, arrangement)["Gina Quillfield"]
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=DAY,
                            participant_id=gina)
    service.screen_item(db, coordinator, item, "Love to you all")
    service.record_outcome(db, coordinator, item, "returned", DAY, reason="Please leave out the town.")
    version = service.get_item(db, coordinator, item).row_version
    out = tmp_path / "r.pdf"
    with pytest.raises(Conflict, match=rf"changed item {item} at .*while its letter was being made; nothing was "
                                       r"recorded and no file was written"):
        write_batch(db, coordinator, "returned", out, item_ids=[item], today=DAY,
                    before_output=lambda: service.reword_return_reason(
                        db, coordinator, item, "Please leave out your street.", expected_version=version))
    assert not out.exists() and service.get_item(db, coordinator, item).letters == ()
    assert write_batch(db, coordinator, "returned", out, item_ids=[item], today=DAY).letters == 1
    assert "Please leave out your street." in " ".join(pdf_text(out).split())
