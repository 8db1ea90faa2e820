"""Final records hold against a key holder who also writes the entry and seal (red-team, 4 December 2026).

With the key, a change made in SQL *and* sealed with the application's own code (a correctly hashed entry,
row seals that match) passed ``verify`` for every record without a content seal: a withheld letterbox item
turned into "forwarded", a forwarded item's screener and transcription rewritten, a closed counselling
case's closure changed, a disclosure deleted from the records-shared log, a filed letter's date sent moved,
approved minutes handed to another decision. Those records now get a content
seal when they become final (``seals.ContentRule.inline`` / ``first_seal``), and ``verify`` holds each row to
the first one: a later seal added with the key vouches for nothing. What the program may still correct on a
final item (how it came in, who wrote it, a returned item's reason until its letter is sent) stays open.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text

from adoption_desktop import demo
from adoption_desktop.adm.service import letters as adm_letters
from adoption_desktop.core.audit import seals
from adoption_desktop.core.audit.chain import append_entry
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import open_sqlcipher
from adoption_desktop.letterbox import contact, service
from tests.core import test_tamper
from tests.core.test_tamper import Case, _first

#: the tamper tests' demo copy, opened once (their fixtures)
template = test_tamper.template
case = test_tamper.case

ADMIN = Principal(1, "admin", "Admin", frozenset({Role.ADMINISTRATOR}))


def forge(target: Case, table: str, pk: int, sql: str, *, action: str = "update") -> None:
    """The change in SQL, then an entry sealing the changed row as the program would (its own code): what a
    key holder who knows the program can do."""
    raw = open_sqlcipher(target.path, target.key())
    try:
        with raw.engine.begin() as conn:
            conn.exec_driver_sql(sql)
            seals.seal_change(conn, ADMIN, action, seals.audited_table(table), [(pk,)], entity_id=str(pk))
        raw.checkpoint()
    finally:
        raw.engine.dispose()


FORGERIES = {
    "withheld item made forwarded": (
        "SELECT id FROM letterbox_items WHERE status = 'withheld'", "letterbox_items",
        "UPDATE letterbox_items SET status = 'forwarded', outcome_on = '2026-01-02', reason = '', method = 'post' "
        "WHERE id = ROW", "held item's content differs"),
    "forwarded item's screening rewritten": (
        "SELECT id FROM letterbox_items WHERE status = 'forwarded' AND screened_by <> ''", "letterbox_items",
        "UPDATE letterbox_items SET screened_by = 'someone', checked_by = 'someone else', "
        "text = 'rewritten transcription' WHERE id = ROW", "held item's content differs"),
    "item held on file made forwarded": (
        "SELECT id FROM letterbox_items WHERE status = 'held'", "letterbox_items",
        "UPDATE letterbox_items SET status = 'forwarded', method = 'post' WHERE id = ROW",
        "held item's content differs"),
    "closed case's closure changed": (
        "SELECT id FROM counselling_cases WHERE closed_on IS NOT NULL", "counselling_cases",
        "UPDATE counselling_cases SET closed_on = '2019-05-05', closure_note = 'x' WHERE id = ROW",
        "closed case's content differs"),
    "disclosure deleted": (
        "SELECT id FROM counselling_disclosures", "counselling_disclosures",
        "DELETE FROM counselling_disclosures WHERE id = ROW", "sealed content (audit entry"),
    "filed letter's date sent changed": (
        "SELECT id FROM adm_letters WHERE sent_on IS NOT NULL", "adm_letters",
        "UPDATE adm_letters SET sent_on = '2019-01-01' WHERE id = ROW", "sent_on changed after it was recorded"),
    "approved minutes handed to another decision": (
        "SELECT id FROM panel_minutes WHERE status = 'approved' AND adm_decision_id IS NOT NULL", "panel_minutes",
        "UPDATE panel_minutes SET adm_decision_id = (SELECT max(id) FROM adm_decisions), "
        "handed_off_on = '2019-01-01' WHERE id = ROW", "handed_off_on, adm_decision_id changed after it was recorded"),
    "disclosure reworded": (
        "SELECT id FROM counselling_disclosures", "counselling_disclosures",
        "UPDATE counselling_disclosures SET what = 'nothing identifying' WHERE id = ROW",
        "disclosure's content differs"),
}


@pytest.mark.parametrize("name", list(FORGERIES))
def test_a_final_record_changed_and_sealed_with_the_key_is_reported(case: Case, name: str) -> None:
    query, table, sql, expected = FORGERIES[name]
    row = _first(case, query)
    forge(case, table, row, sql.replace("ROW", str(row)), action="delete" if sql.startswith("DELETE") else "update")
    problems = case.verify()
    assert any(f"{table} row {row}:" in p and expected in p for p in problems), problems


def test_what_may_still_be_corrected_on_a_final_item_is_not_reported(case: Case) -> None:
    """How an item came in and who wrote it are corrected on forwarded items too, and a returned item's
    reason is reworded until its letter goes: each through the program, none of them tampering."""
    db = case.open()
    try:
        coordinator = _principal(db, "letterbox")
        with db.engine.connect() as conn:
            forwarded = int(conn.scalar(text(
                "SELECT id FROM letterbox_items WHERE status = 'forwarded' ORDER BY id")) or 0)
            returned = conn.scalar(text(
                "SELECT i.id FROM letterbox_items i WHERE i.status = 'returned' AND NOT EXISTS (SELECT 1 FROM "
                "letterbox_letters_sent s WHERE s.item_id = i.id AND s.kind = 'returned') ORDER BY i.id"))
        detail = service.get_item(db, coordinator, forwarded)
        new = "email" if detail.channel != "email" else "post"
        contact.set_item_channel(db, coordinator, forwarded, new, expected_version=detail.row_version)
        if returned is not None:
            version = service.get_item(db, coordinator, int(returned)).row_version
            service.reword_return_reason(db, coordinator, int(returned), "Reworded: please write again without "
                                         "the school's name.", expected_version=version)
        adm = _principal(db, "adm")
        with db.engine.connect() as conn:  # a filed letter's date sent is filled in later, once
            unsent = conn.execute(text("SELECT id, letter_date FROM adm_letters WHERE sent_on IS NULL "
                                       "AND kind <> 'adm_qd_notice' ORDER BY id")).first()
        if unsent is None:  # the demo's letters of the last days are all sent on some days: sign one today
            unsent = _letter_signed_today(db, adm)
        sent_on = dt.date.fromisoformat(str(unsent[1])[:10])
        adm_letters.mark_letter_sent(db, adm, int(unsent[0]), sent_on)
    finally:
        db.dispose()
    assert case.verify() == []
    assert returned is not None, "the demo should have a returned item whose letter has not gone"


def test_records_final_before_content_seals_are_sealed_by_the_upgrade(case: Case,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A database whose items and cases became final before this version: the upgrade step seals each one
    that still matches its row seal; one already changed outside the program is left for verify to name."""
    raw = open_sqlcipher(case.path, case.key())
    try:
        with raw.engine.begin() as conn:
            sealed = conn.scalar(text("SELECT count(*) FROM audit_seal WHERE entity LIKE '%#content'"))
            # as a database made before content seals existed would be: the same rows, no content seals
            # (a copy of the log without them is not possible: they are in the chain; instead, rows made
            # final in SQL and sealed row-wise only, as the old program sealed them)
            item = conn.scalar(text("SELECT id FROM letterbox_items WHERE status IN ('received', 'screened') "
                                    "ORDER BY id"))
            monkeypatch.setitem(seals.CONTENT_RULES, "letterbox_items", seals.ContentRule("old", lambda r: False))
            conn.exec_driver_sql(f"UPDATE letterbox_items SET status = 'forwarded', outcome_on = '2026-11-02', "
                                 f"method = 'post' WHERE id = {item}")
            seals.seal_change(conn, ADMIN, "update", seals.audited_table("letterbox_items"), [(item,)],
                              entity_id=str(item))
            monkeypatch.undo()
        raw.checkpoint()
    finally:
        raw.engine.dispose()
    assert sealed, "the demo's final records carry content seals"
    assert any(f"letterbox_items row {item}:" in p and "no content seal" in p for p in case.verify())
    raw = open_sqlcipher(case.path, case.key())
    try:
        with raw.engine.begin() as conn:
            seals.seal_final_baseline(conn)
            seals.seal_final_baseline(conn)  # once: a second run finds nothing to seal
            entries = conn.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'seal_baseline' AND "
                                       "detail LIKE 'content seals introduced%'"))
        raw.checkpoint()
    finally:
        raw.engine.dispose()
    assert entries == 1
    assert case.verify() == []
    forge(case, "letterbox_items", item, f"UPDATE letterbox_items SET method = 'e-mail' WHERE id = {item}")
    assert any(f"letterbox_items row {item}:" in p and "content differs" in p for p in case.verify())


def _letter_signed_today(db: Any, adm: Principal) -> tuple[int, str]:
    """A decision received yesterday, signed today through the program: its letter, not yet sent."""
    from adoption_desktop.adm import service as adm_service
    from tests.adm.conftest import handoff, open_from_panel

    today = dt.date.today()
    with db.session() as session:
        decision = open_from_panel(session, handoff(received=today - dt.timedelta(days=1)))
    adm_service.record_decision(db, adm, decision, outcome="agree", decision_text="I agree with the panel.",
                                reasons="The panel's reasons are sound.")
    signed = adm_service.sign_decision(db, adm, decision, demo.DEMO_PASSWORD, today)
    return signed.letter_id, today.isoformat()


def _principal(db: Any, username: str) -> Principal:
    from adoption_desktop.core.security.service import authenticate

    return authenticate(db, username, demo.DEMO_PASSWORD)


def test_a_later_content_seal_added_with_the_key_vouches_for_nothing(case: Case) -> None:
    """The forger seals the changed item a second time, content seal and all: the first seal still counts."""
    row = _first(case, "SELECT id FROM letterbox_items WHERE status = 'withheld'")
    raw = open_sqlcipher(case.path, case.key())
    try:
        with raw.engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE letterbox_items SET status = 'forwarded', method = 'post' WHERE id = {row}")
            rows = seals.read_rows(conn, seals.audited_table("letterbox_items"), [(row,)])
            made, colsets = seals._make_seals("letterbox_items", rows, [])
            record, key, cols = seals._content_record("letterbox_items", "content", str(row), rows[str(row)])
            made.append(record)
            colsets[key] = cols
            seq = append_entry(conn, ADMIN, "update", "letterbox_items", str(row), None, "",
                               seals.aggregate((s.entity, s.entity_id, s.digest) for s in made))
            seals._write(conn, seq, made, colsets)
        raw.checkpoint()
    finally:
        raw.engine.dispose()
    assert any(f"letterbox_items row {row}:" in p and "content differs" in p for p in case.verify())
