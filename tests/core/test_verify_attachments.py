"""``verify`` checks every letterbox file against its record: the blob and document-key tables are not
audited row by row, so a blob or key deleted or altered outside the application used to pass unnoticed
(security review). Real demo copies, changed with raw SQL as another program would."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import verify_database
from adoption_desktop.letterbox import attachments
from tests.conftest import make_user
from tests.letterbox.documents_fixtures import make_eml, png_bytes


def _demo(open_demo: Callable[..., Database]) -> Database:
    """A fresh demo copy with letterbox files filed the ordinary way: an e-mail with a scan inside it (two
    files) on one item and a photo on another (the small demo itself has none)."""
    from PIL import Image

    db = open_demo()
    coordinator = make_user(db, "verifier", Role.LETTERBOX_COORDINATOR)
    with db.engine.connect() as conn:
        items = [r[0] for r in conn.execute(text(
            "SELECT id FROM letterbox_items WHERE status IN ('received', 'screened') ORDER BY id LIMIT 2"))]
    assert len(items) == 2
    scan = png_bytes(Image.new("RGB", (40, 30), "white"))
    attachments.attach(db, coordinator, items[0], "from-sam.eml",
                       make_eml("Letter for Jay", "Please pass this on.", "letter.png", scan))
    attachments.attach(db, coordinator, items[1], "photo.png", png_bytes(Image.new("RGB", (20, 20), "blue")))
    return db


def _files(db: Database) -> list[tuple[int, int, str, int]]:
    """(attachment id, item id, file name, key id) of every stored file, oldest first."""
    with db.engine.connect() as conn:
        return [(r[0], r[1], r[2], r[3]) for r in conn.execute(text(
            "SELECT a.id, a.item_id, a.filename, b.key_id FROM letterbox_attachments a "
            "JOIN letterbox_attachment_blobs b ON b.attachment_id = a.id ORDER BY a.id"))]


def _raw(db: Database, sql: str, **params: object) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


def _file_problems(db: Database) -> list[str]:
    report = verify_database(db)
    found = [p for p in report.problems if p.startswith("letterbox file:")]
    assert report.ok == (not report.problems)
    return found


def test_the_untouched_demo_verifies_clean_with_its_files_checked(open_demo: Callable[..., Database]) -> None:
    db = _demo(open_demo)
    assert _files(db), "the demo has letterbox files (else this test checks nothing)"
    report = verify_database(db)
    assert report.ok and report.problems == [] and report.full


def test_a_deleted_blob_is_reported_naming_the_item_and_file(open_demo: Callable[..., Database]) -> None:
    db = _demo(open_demo)
    attachment, item, filename, _key = _files(db)[0]
    _raw(db, "DELETE FROM letterbox_attachment_blobs WHERE attachment_id = :a", a=attachment)
    report = verify_database(db)
    assert not report.ok
    assert report.problems == [f"letterbox file: item {item}, {filename!r} (attachment {attachment}): its stored "
                               "file is missing; restore the database from a backup"]


def test_altered_blob_bytes_are_reported(open_demo: Callable[..., Database]) -> None:
    db = _demo(open_demo)
    files = _files(db)
    attachment, item, filename, _key = files[-1]
    with db.engine.connect() as conn:
        data = bytes(conn.execute(text("SELECT data FROM letterbox_attachment_blobs WHERE attachment_id = :a"),
                                  {"a": attachment}).scalar_one())
    flipped = data[:5] + bytes([data[5] ^ 0x01]) + data[6:]  # one bit, same length
    _raw(db, "UPDATE letterbox_attachment_blobs SET data = :d WHERE attachment_id = :a", d=flipped, a=attachment)
    problems = _file_problems(db)
    assert problems == [f"letterbox file: item {item}, {filename!r} (attachment {attachment}): its stored file does "
                        "not match the SHA-256 it was filed with (altered or damaged); restore the database from "
                        "a backup"]


def test_a_blob_moved_to_another_file_is_reported(open_demo: Callable[..., Database]) -> None:
    """Swapping two files' bytes (each a valid encryption) is caught: the attachment id is sealed in."""
    db = _demo(open_demo)
    files = _files(db)
    assert len(files) >= 2
    (a, *_), (b, *_) = files[0], files[1]
    with db.engine.connect() as conn:
        kept = {r[0]: (r[1], r[2]) for r in conn.execute(text(
            "SELECT attachment_id, nonce, data FROM letterbox_attachment_blobs WHERE attachment_id IN (:a, :b)"),
            {"a": a, "b": b})}
    for to, source in ((a, b), (b, a)):
        _raw(db, "UPDATE letterbox_attachment_blobs SET nonce = :n, data = :d WHERE attachment_id = :t",
             n=kept[source][0], d=kept[source][1], t=to)
    problems = _file_problems(db)
    assert [p.split(":")[1].split(",")[0] for p in problems] == [f" item {files[0][1]}", f" item {files[1][1]}"]
    assert all("does not match the SHA-256" in p for p in problems)


def test_a_deleted_document_key_is_reported_for_each_file(open_demo: Callable[..., Database]) -> None:
    db = _demo(open_demo)
    files = _files(db)
    key = files[0][3]
    raw = db.engine.raw_connection()  # as another program could: outside any transaction, no key checks
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA foreign_keys = OFF")
        cursor.execute("DELETE FROM letterbox_document_keys WHERE id = ?", (key,))
        raw.commit()
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        raw.close()
    problems = _file_problems(db)
    under_key = [f for f in files if f[3] == key]
    shown = min(len(under_key), 10)
    assert len([p for p in problems if f"document key it is encrypted with (key {key}) is missing" in p]) == shown
    assert f"(attachment {under_key[0][0]})" in problems[0]
    if len(under_key) > 10:
        assert problems[-1] == f"letterbox file: {len(under_key) - 10} more files with problems (not listed)"


@pytest.mark.parametrize("damage", ["nonce", "key"])
def test_a_damaged_nonce_or_key_is_reported_not_a_crash(open_demo: Callable[..., Database], damage: str) -> None:
    """Review: a two-byte nonce or a four-byte key made the cipher raise ValueError, and verify stopped with a
    traceback and no report."""
    db = _demo(open_demo)
    attachment, item, _name, key = _files(db)[0]
    if damage == "nonce":
        _raw(db, "UPDATE letterbox_attachment_blobs SET nonce = :n WHERE attachment_id = :a", n=b"\x00\x01",
             a=attachment)
    else:
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("UPDATE letterbox_document_keys SET key = x'00112233' WHERE id = ?", (key,))
            raw.commit()
        finally:
            raw.close()
    problems = _file_problems(db)
    assert any(f"item {item}," in p and "does not match the SHA-256" in p for p in problems), problems
