"""A file is attached to an item once (two-people trial, 6 December): two coordinators attached the same scan
to one item at the same moment, each in their own program, and both succeeded: two identical copies (the
same SHA-256), the history saying it was attached twice. The second is now refused, by name, with who
attached it first and when; the two programs take turns on the item (checked inside the write)."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import attachments, rules, service
from adoption_desktop.letterbox.attachment_models import Attachment
from adoption_desktop.letterbox.models import ItemEvent
from adoption_desktop.letterbox.views.attachments_panel import AttachmentsPanel
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD, make_user
from tests.letterbox.documents_fixtures import make_eml, pdf_scan, render_page


@pytest.fixture(scope="module")
def scan() -> bytes:
    return pdf_scan([render_page("Dear Nan, thinking of you. Love from us.")])


def _item(db: Database, who: Principal, arrangement: int) -> int:
    return service.log_item(db, who, arrangement, direction=rules.TO_BIRTH, received_on=dt.date(2026, 12, 6),
                            writer="The adopters", log_again=True)


def _second_client(db: Database, db_path: Path) -> Database:
    """Another PC: its own engine and connections on the same encrypted file."""
    from tests.concurrency_worker import open_target

    password = db.engine.url.password
    assert password is not None
    return open_target(str(db_path), password[2:-1])


def _stored(db: Database, item: int) -> tuple[list[str], int]:
    with db.session(write=False) as session:
        digests = list(session.scalars(select(Attachment.sha256).where(Attachment.item_id == item)))
        attached = len(list(session.scalars(select(ItemEvent.id).where(
            ItemEvent.item_id == item, ItemEvent.action == "attached"))))
    return digests, attached


def test_the_same_file_attached_again_from_another_program_is_refused(
        db: Database, db_path: Path, coordinator: Principal, arrangement: int, scan: bytes) -> None:
    make_user(db, "lee", Role.LETTERBOX_COORDINATOR)
    item = _item(db, coordinator, arrangement)
    other = _second_client(db, db_path)
    try:
        lee = security.authenticate(other, "lee", TEST_PASSWORD)
        attachments.attach(other, lee, item, "scan-from-nan.pdf", scan)
    finally:
        other.dispose()
    with pytest.raises(attachments.AttachedAlready) as refused:
        attachments.attach(db, coordinator, item, "scan-from-nan.pdf", scan)
    said = str(refused.value)
    assert said.startswith("scan-from-nan.pdf is already attached to this item (attached by Lee Tester at ")
    assert "it was not attached again" in said
    # under another name: the same bytes, said with the name it has
    with pytest.raises(attachments.AttachedAlready, match=r"^letter\.pdf is already attached to this item as "
                                                         r"scan-from-nan\.pdf \(attached by Lee Tester"):
        attachments.attach(db, coordinator, item, "letter.pdf", scan)
    digests, attached = _stored(db, item)
    assert len(digests) == 1 and attached == 1
    # another item, or another file, is attached as before
    attachments.attach(db, coordinator, _item(db, coordinator, arrangement), "scan-from-nan.pdf", scan)
    attachments.attach(db, coordinator, item, "page-2.pdf", pdf_scan([render_page("Page two.")]))
    assert len(_stored(db, item)[0]) == 2


def test_two_programs_attaching_one_file_at_the_same_moment_store_it_once(
        db: Database, db_path: Path, coordinator: Principal, arrangement: int, scan: bytes) -> None:
    make_user(db, "lee", Role.LETTERBOX_COORDINATOR)
    items = [_item(db, coordinator, arrangement) for _ in range(3)]
    clients = [_second_client(db, db_path) for _ in range(2)]
    people = [security.authenticate(clients[0], coordinator.username, TEST_PASSWORD),
              security.authenticate(clients[1], "lee", TEST_PASSWORD)]
    start = threading.Barrier(2)
    results: list[list[str]] = [[], []]

    def attach_all(n: int) -> None:
        start.wait()
        for item in items:
            try:
                attachments.attach(clients[n], people[n], item, "scan-from-nan.pdf", scan)
                results[n].append("attached")
            except attachments.AttachedAlready:
                results[n].append("refused")

    threads = [threading.Thread(target=attach_all, args=(n,)) for n in range(2)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        for c in clients:
            c.dispose()
    for n, item in enumerate(items):
        assert sorted(r[n] for r in results) == ["attached", "refused"], results
        digests, attached = _stored(db, item)
        assert len(digests) == 1 and attached == 1


def test_an_e_mail_attached_again_is_refused_whole_but_its_parts_are_not_compared(
        db: Database, coordinator: Principal, arrangement: int, scan: bytes) -> None:
    """The scan that came inside an e-mail may still be attached on its own (the paper copy), and the same
    photo may come in two e-mails; the same e-mail twice is refused."""
    item = _item(db, coordinator, arrangement)
    mail = make_eml("From Nan", "Thinking of you.", "scan.pdf", scan, mime="application/pdf")
    assert len(attachments.attach(db, coordinator, item, "from-nan.eml", mail)) == 2
    attachments.attach(db, coordinator, item, "scan.pdf", scan)
    attachments.attach(db, coordinator, item, "again.eml", make_eml("Again", "The same picture.", "scan.pdf", scan,
                                                                    mime="application/pdf"))
    with pytest.raises(attachments.AttachedAlready, match=r"^from-nan\.eml is already attached"):
        attachments.attach(db, coordinator, item, "from-nan.eml", mail)


def test_the_window_attaches_the_others_and_says_which_was_attached_already(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int, scan: bytes, tmp_path: Path) -> None:
    item = _item(db, coordinator, arrangement)
    attachments.attach(db, coordinator, item, "scan.pdf", scan)
    panel = AttachmentsPanel(AppContext(db, coordinator, TaskRunner(synchronous=True)), item)
    qtbot.addWidget(panel)
    again, other = tmp_path / "scan.pdf", tmp_path / "page-2.pdf"
    again.write_bytes(scan)
    other.write_bytes(pdf_scan([render_page("Page two.")]))
    panel.attach_paths([again, other])
    said = panel.message.text()
    assert said.startswith("scan.pdf is already attached to this item (attached by "), said
    assert "it was not attached again" in said and "Attached: page-2.pdf." in said
    assert [r.filename for r in attachments.list_attachments(db, coordinator, item)] == ["scan.pdf", "page-2.pdf"]
