"""The administrator's audit log viewer answers ordinary questions (a tester's findings): how many entries
there are and the older ones on request, entries between two days, a user typed with other capitals, the
entries of a case by the reference people know it by, whether the chain is intact (as `verify` says), and
times in the same (local) zone as the Users tab's Last sign-in."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import event, text

from adoption_desktop.core import audit, audit_service
from adoption_desktop.core.audit import chain
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.admin_page import AdminPage, AuditTab
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD, make_user

TOTAL = 2880


@pytest.fixture
def london(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This PC's zone is Europe/London (a UK agency's): an hour ahead of UTC in summer."""
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _page(db: Database, admin: Principal, qtbot: Any) -> AdminPage:
    page = AdminPage(AppContext(db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    page.show()
    page.setCurrentWidget(page.audit)
    return page


def _fill_log(db: Database, admin: Principal, upto: int = TOTAL) -> None:
    """Synthetic entries until the log holds ``upto``: three in four by admin, the rest by two others."""
    others = [Principal(901, "admiral", "Ada Admiral", frozenset()), Principal(902, "a_min", "Al Min", frozenset())]
    with db.session(write=False) as session:
        have = audit.count_entries(session)
    with db.session(admin) as session:
        for n in range(have, upto):
            who = others[n // 4 % 2] if n % 4 == 0 else admin
            audit.record(session, "view", "users", admin.user_id, detail=f"synthetic {n}", actor=who)


def _filter(tab: AuditTab, **typed: str) -> None:
    for key, edit in tab.filters.items():
        edit.setText(typed.get(key, ""))
    tab.refresh()


def test_says_how_many_of_how_many_and_shows_the_older_ones(db: Database, admin: Principal, qtbot: Any) -> None:
    """The trial: 2,000 of 2,880 entries listed with no word of the other 880 and no way to reach them."""
    _fill_log(db, admin)
    tab = _page(db, admin, qtbot).audit
    assert tab.shown_label.text() == ("Showing the newest 2,000 of 2,880 entries — narrow the search or show "
                                      "more.")
    assert tab.more_button.isVisible() and tab.more_button.text() == "Show ne&xt 880"
    rows = tab.model.rows()
    assert len(rows) == 2000 and rows[0].seq == TOTAL and min(r.seq for r in rows) == 881

    tab.more_button.click()
    rows = tab.model.rows()
    assert len(rows) == TOTAL and sorted(r.seq for r in rows) == list(range(1, TOTAL + 1))
    assert tab.shown_label.text() == "Showing all 2,880 entries."
    assert not tab.more_button.isVisible()
    assert tab.model.row_at(tab.view.currentIndex().row()).seq == 880  # the list goes on where it was

    # with a filter: the count is the filter's
    _filter(tab, actor="admin")
    with db.session(write=False) as session:
        mine = int(session.execute(text("SELECT count(*) FROM audit_log WHERE actor = 'admin'")).scalar_one())
    assert mine > 2000
    assert tab.shown_label.text() == (f"Showing the newest 2,000 of {mine:,} entries that match — narrow the "
                                      "search or show more.")
    tab.more_button.click()
    assert len(tab.model.rows()) == mine and {r.actor for r in tab.model.rows()} == {"admin"}


def test_entries_written_while_paging_do_not_move_the_count(db: Database, admin: Principal, qtbot: Any) -> None:
    _fill_log(db, admin, upto=2100)
    tab = _page(db, admin, qtbot).audit
    first = tab.model.rows()
    _fill_log(db, admin, upto=2150)  # colleagues at work meanwhile
    tab.more_button.click()
    rows = tab.model.rows()
    assert len(rows) == 2100 and len({r.seq for r in rows}) == 2100  # none twice, none of the new ones
    assert rows[:2000] == first
    assert tab.shown_label.text() == "Showing all 2,100 entries."


def test_the_count_is_one_count_query_and_the_page_one_limited_query(db: Database, admin: Principal) -> None:
    _fill_log(db, admin, upto=2800)
    seen: list[str] = []

    def log(_conn: Any, _cursor: Any, statement: str, *_a: Any) -> None:
        if "audit_log" in statement:
            seen.append(" ".join(statement.split()).lower())

    event.listen(db.engine, "before_cursor_execute", log)
    try:
        page = audit_service.list_page(db, admin, audit.AuditFilter(actor="Admin"))
    finally:
        event.remove(db.engine, "before_cursor_execute", log)
    assert len(page.rows) == 2000 and page.total > 2000
    assert len(seen) == 2, seen
    assert "limit" in seen[0] and seen[1].startswith("select count(*)")
    assert "lower(audit_log.actor) like lower(" in seen[1]  # the same conditions as the list


def test_who_ignores_capitals_and_takes_the_start_of_a_name(db: Database, admin: Principal, qtbot: Any) -> None:
    """The trial: "Admin" found nothing, though signing in as Admin works."""
    _fill_log(db, admin, upto=60)
    tab = _page(db, admin, qtbot).audit
    _filter(tab, actor="Admin")
    found = {r.actor for r in tab.model.rows()}
    assert found == {"admin"}
    _filter(tab, actor="ADM")
    assert {r.actor for r in tab.model.rows()} == {"admin", "admiral"}
    _filter(tab, actor="a_m")  # "_" is itself, not any one letter: not "adm…"
    assert {r.actor for r in tab.model.rows()} == {"a_min"}
    _filter(tab, actor="nobody")
    assert tab.model.rowCount() == 0 and tab.shown_label.text() == "No entries match."


def test_from_and_to_are_whole_local_days(db: Database, admin: Principal, qtbot: Any, london: None,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Days on the agency's calendar: in summer 01/07 runs from 23:00 UTC on 30/06 to 22:59:59 UTC on 01/07."""
    moments = {"just after midnight on 1 July": dt.datetime(2026, 6, 30, 23, 30),
               "last minute of 1 July": dt.datetime(2026, 7, 1, 22, 59, 59),
               "first minute of 2 July": dt.datetime(2026, 7, 1, 23, 0),
               "late on 30 June": dt.datetime(2026, 6, 30, 22, 59)}
    for detail, at in moments.items():
        with pytest.MonkeyPatch.context() as clock:
            clock.setattr(chain, "utcnow", lambda at=at: at)
            with db.session(admin) as session:
                audit.record(session, "note", "users", admin.user_id, detail=detail)
    tab = _page(db, admin, qtbot).audit
    _filter(tab, action="note")
    assert tab.model.rowCount() == 4
    tab.since.setDate(QDate(2026, 7, 1))
    tab.until.setDate(QDate(2026, 7, 1))
    tab.refresh()
    rows = tab.model.rows()
    assert sorted(r.detail for r in rows) == ["just after midnight on 1 July", "last minute of 1 July"]
    shown = {r.detail: tab.model.index(i, 1).data() for i, r in enumerate(rows)}
    assert shown["just after midnight on 1 July"] == "01/07/2026 00:30:00"  # local time, as on the Users tab
    assert tab.model.headerData(1, Qt.Orientation.Horizontal) == "When"
    assert tab.model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole).endswith("UTC")

    tab.until.set_blank("no limit")  # From alone: no end
    tab.refresh()
    assert len(tab.model.rows()) == 3

    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, message, *_a: told.append(message))
    tab.since.setDate(QDate(2026, 7, 2))
    tab.until.setDate(QDate(2026, 7, 1))
    tab.refresh()
    assert told == ["From (02/07/2026) is after To (01/07/2026): the search would find nothing. Change one of "
                    "the dates, or empty one for no limit."]
    assert len(tab.model.rows()) == 3  # the list shown stays as it was


def test_last_sign_in_and_the_log_show_the_same_local_time(db: Database, admin: Principal, qtbot: Any,
                                                             london: None) -> None:
    """The trial: "When (UTC)" in the log an hour from the Users tab's Last sign-in in summer."""
    moment = dt.datetime(2026, 8, 3, 8, 15, 42)  # UTC; 09:15 in London
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr(chain, "utcnow", lambda: moment)
        users.authenticate(db, "admin", TEST_PASSWORD, now=moment)
    page = _page(db, admin, qtbot)
    row = next(i for i, r in enumerate(page.audit.model.rows()) if r.action == "sign_in")
    assert page.audit.model.index(row, 1).data() == "03/08/2026 09:15:42"
    page.setCurrentWidget(page.users)
    column = [c.title for c in page.users.COLUMNS].index("Last sign-in")
    at = next(i for i, u in enumerate(page.users.model.rows()) if u.username == "admin")
    assert page.users.model.index(at, column).data() == "03/08/2026 09:15"


def test_a_case_reference_finds_its_entries(db: Database, admin: Principal, qtbot: Any) -> None:
    """The trial: "BRC-…" found nothing; the table name and internal number had to be known."""
    from adoption_desktop.counselling import service as counselling
    from adoption_desktop.counselling.models import CounsellingCase
    from tests.counselling.conftest import TODAY, referral

    counsellor = make_user(db, "corey", Role.COUNSELLOR)
    mine = counselling.create_referral(db, counsellor, referral(), today=TODAY)
    other = counselling.create_referral(db, counsellor, referral(birth_name="Bea Other"), today=TODAY)
    counselling.open_case(db, counsellor, mine, today=TODAY)
    with db.session(write=False) as session:
        reference = session.get(CounsellingCase, mine).reference  # type: ignore[union-attr]
    assert reference.startswith("BRC-")
    tab = _page(db, admin, qtbot).audit
    _filter(tab, reference=f"  {reference.lower()} ")  # as typed: capitals and spaces do not matter
    rows = tab.model.rows()
    records = {(r.entity, r.entity_id) for r in rows}
    assert ("counselling_cases", str(mine)) in records
    assert ("counselling_cases", str(other)) not in records
    assert {r.action for r in rows if r.entity == "counselling_cases"} >= {"create", "view"}
    assert {e for e, _i in records} <= {"counselling_cases", "counselling_requests", "counselling_sessions",
                                         "counselling_redactions", "counselling_disclosures"}
    assert tab.shown_label.text().startswith("Showing all ")

    _filter(tab, reference="BRC-1999-9999")
    assert tab.model.rowCount() == 0
    assert tab.shown_label.text().startswith('No record has the case reference "BRC-1999-9999": it takes a '
                                             "counselling case's reference (BRC-…)")


def test_each_kind_of_reference_is_found(small_demo_db: Database) -> None:
    """A counselling case's reference, an ADM decision's and a panel item's subject reference and a
    letterbox arrangement's reference each name their records, and the records that belong to them."""
    from adoption_desktop import demo

    admin = users.authenticate(small_demo_db, "admin", demo.DEMO_PASSWORD)
    with small_demo_db.session(write=False) as session:
        picks = {
            "counselling_cases": session.execute(text("SELECT id, reference FROM counselling_cases LIMIT 1")).one(),
            "adm_decisions": session.execute(text("SELECT id, subject_reference FROM adm_decisions WHERE "
                                                  "subject_reference <> '' LIMIT 1")).one(),
            "panel_items": session.execute(text("SELECT id, subject_reference FROM panel_items WHERE "
                                                "subject_reference <> '' LIMIT 1")).one(),
            "letterbox_arrangements": session.execute(text("SELECT id, reference FROM letterbox_arrangements "
                                                           "LIMIT 1")).one(),
        }
        holders = {table: {str(i) for i in session.scalars(text(
            f"SELECT id FROM {table} WHERE {column} = :ref"), {"ref": picks[table][1]})}
            for table, column in (("counselling_cases", "reference"), ("adm_decisions", "subject_reference"),
                                  ("panel_items", "subject_reference"), ("letterbox_arrangements", "reference"))}
    for table, (row_id, reference) in picks.items():
        found = audit_service.records_for_reference(small_demo_db, admin, reference.upper())
        assert (table, str(row_id)) in found, table
        assert {i for t, i in found if t == table} >= holders[table]
    decision = picks["adm_decisions"]
    found = audit_service.records_for_reference(small_demo_db, admin, decision[1])
    with small_demo_db.session(write=False) as session:
        letters = {str(i) for i in session.scalars(text("SELECT id FROM adm_letters WHERE decision_id IN "
                                                        "(SELECT id FROM adm_decisions WHERE subject_reference "
                                                        "= :r)"), {"r": decision[1]})}
    assert {i for t, i in found if t == "adm_letters"} == letters  # the decision's letters belong to it
    page = audit_service.list_page(small_demo_db, admin, audit.AuditFilter(reference=decision[1], records=found))
    assert page.total > 0 and all((r.entity, r.entity_id) in found for r in page.rows)
    assert audit_service.records_for_reference(small_demo_db, admin, "no-such-reference") == ()


def test_verify_says_the_chain_is_intact_then_names_the_first_broken_entry(
        db: Database, admin: Principal, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Verify was only on the command line; the same check runs from the tab, in the background, and like
    the command writes nothing to the log."""
    for name in ("b1", "b2", "b3"):
        make_user(db, name)
    tab = _page(db, admin, qtbot).audit
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, message, *_a: said.append(("ok", message)))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, message, *_a: said.append(("fault", message)))
    with db.session(write=False) as session:
        before = audit.count_entries(session)
    tab.verify_button.click()
    assert said[-1][0] == "ok" and said[-1][1].startswith(f"The audit chain is intact: all {before} entries")
    # which records outside the database vouched, as the command says (it said "match the copies kept
    # outside the database" even on a PC that had none)
    from adoption_desktop.core.audit import anchors

    vouched = [line.strip() for line in anchors.coverage_of(db).lines()]
    assert vouched and said[-1][1].endswith("\n".join(vouched))
    assert "copies of the log's end kept outside" not in said[-1][1]
    assert "intact" in tab.verify_label.text() and tab.verify_button.isEnabled()
    with db.session(write=False) as session:
        assert audit.count_entries(session) == before  # verifying does not write to the log it checks

    with db.session() as session:
        session.execute(text("UPDATE audit_log SET detail = 'edited' WHERE seq = 2"))
    tab.verify_button.click()
    kind, message = said[-1]
    assert kind == "fault"
    assert ("The first: audit log: first broken entry is #2: entry 2 was altered after it was written"
            in message)
    assert "problem" in tab.verify_label.text()


def test_an_administrator_disabled_since_cannot_verify(db: Database, admin: Principal) -> None:
    """Review: Verify ran as the system user, so an administrator disabled since opening the window still saw
    its list of problems; the log itself already refused them."""
    from adoption_desktop.core.errors import PermissionDenied

    other = make_user(db, "second_admin", Role.ADMINISTRATOR)
    users.set_disabled(db, admin, other.user_id, True)
    with pytest.raises(PermissionDenied):
        audit_service.verify(db, other)
    assert audit_service.verify(db, admin).ok


def test_audit_tab_fits_and_reads_at_1366_by_768(small_demo_db: Database, qtbot: Any, tmp_path: Path) -> None:
    """The whole window at 1366×768 with the audit tab open and more entries than one page: every filter,
    the count line and Show next in sight, nothing scrolls sideways (the picture is kept for a look)."""
    from adoption_desktop import demo
    from adoption_desktop.ui.main_window import MainWindow

    admin = users.authenticate(small_demo_db, "admin", demo.DEMO_PASSWORD)
    _fill_log(small_demo_db, admin, upto=TOTAL)
    window = MainWindow(AppContext(small_demo_db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    page = window.open_target("admin")
    assert isinstance(page, AdminPage)
    page.setCurrentWidget(page.audit)
    QApplication.processEvents()
    tab = page.audit
    assert tab.shown_label.text().startswith("Showing the newest 2,000 of ")
    for widget in (*tab.filters.values(), tab.since, tab.until, tab.verify_button, tab.more_button):
        assert widget.isVisible() and widget.width() >= widget.minimumSizeHint().width(), widget.objectName()
        right = widget.mapTo(window, widget.rect().topRight()).x()
        assert right <= window.width(), widget.objectName()
    assert tab.view.horizontalScrollBar().maximum() == 0
    assert tab.view.viewport().height() > 300  # the entries keep most of the room
    out = tmp_path / "audit-tab-1366x768.png"
    window.grab().save(str(out))
    assert out.stat().st_size > 0


@pytest.mark.postgres
def test_the_filters_and_the_count_agree_on_both_stores(any_db: Database) -> None:
    """The same questions on the embedded store and a team server (ILIKE there, lower() … LIKE here; the
    timestamps compared as each store keeps them)."""
    boss = make_user(any_db, "admin", Role.ADMINISTRATOR)
    _fill_log(any_db, boss, upto=130)
    everything = audit_service.list_page(any_db, boss, audit.AuditFilter(), limit=50)
    assert len(everything.rows) == 50 and everything.total >= 130
    who = audit_service.list_page(any_db, boss, audit.AuditFilter(actor="ADM"), limit=500)
    assert {r.actor for r in who.rows} == {"admin", "admiral"} and who.total == len(who.rows)
    literal = audit_service.list_page(any_db, boss, audit.AuditFilter(actor="a_m"), limit=500)
    assert {r.actor for r in literal.rows} == {"a_min"} and literal.total == len(literal.rows)
    today = dt.date.today()
    since, until = audit_service.local_day_bounds(today - dt.timedelta(days=1), today + dt.timedelta(days=1))
    assert audit_service.list_page(any_db, boss, audit.AuditFilter(since=since, until=until),
                                   limit=500).total == everything.total
    since, until = audit_service.local_day_bounds(today - dt.timedelta(days=9), today - dt.timedelta(days=8))
    assert audit_service.list_page(any_db, boss, audit.AuditFilter(since=since, until=until)).total == 0
    older = audit_service.list_page(any_db, boss, audit.AuditFilter(), limit=50,
                                    before_seq=everything.rows[-1].seq, newest_seq=everything.newest_seq)
    assert older.total == everything.total and older.rows[0].seq < everything.rows[-1].seq


def _audit_statements(db: Database) -> tuple[list[str], Any]:
    seen: list[str] = []

    def log(_conn: Any, _cursor: Any, statement: str, *_a: Any) -> None:
        if "audit_log" in statement:
            seen.append(" ".join(statement.split()).lower())

    event.listen(db.engine, "before_cursor_execute", log)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", log)


def test_show_next_keeps_the_first_pages_count(db: Database, admin: Principal, qtbot: Any) -> None:
    """Show next recounted the whole filter every page (0.1–0.6 s at a million entries): the count of the
    first page holds for the same filter, until the list is asked for again."""
    _fill_log(db, admin, upto=2100)
    tab = _page(db, admin, qtbot).audit
    _fill_log(db, admin, upto=2150)  # colleagues at work meanwhile
    seen, stop = _audit_statements(db)
    try:
        tab.more_button.click()
    finally:
        stop()
    assert len(seen) == 1 and "limit" in seen[0], seen  # the page only: no COUNT
    rows = tab.model.rows()
    assert sorted(r.seq for r in rows) == list(range(1, 2101))  # none twice, none skipped, none of the new
    assert tab.shown_label.text() == "Showing all 2,100 entries."

    seen, stop = _audit_statements(db)
    try:
        tab.refresh()  # F5 / Apply: counted again, with the new entries
    finally:
        stop()
    assert any(s.startswith("select count(*)") for s in seen), seen
    assert tab.shown_label.text().startswith("Showing the newest 2,000 of 2,150 ")


def test_a_next_page_given_the_count_is_one_query(db: Database, admin: Principal) -> None:
    _fill_log(db, admin, upto=300)
    first = audit_service.list_page(db, admin, audit.AuditFilter(actor="admin"), limit=100)
    seen, stop = _audit_statements(db)
    try:
        more = audit_service.list_page(db, admin, audit.AuditFilter(actor="admin"), limit=100,
                                       before_seq=first.rows[-1].seq, newest_seq=first.newest_seq,
                                       total=first.total)
    finally:
        stop()
    assert len(seen) == 1 and "limit" in seen[0], seen
    assert more.total == first.total and more.newest_seq == first.newest_seq
    assert more.rows[0].seq < first.rows[-1].seq and {r.actor for r in more.rows} == {"admin"}


def _read_csv(path: Path) -> list[list[str]]:
    import csv

    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _export_entries(db: Database) -> list[str]:
    with db.session(write=False) as session:
        return list(session.scalars(text("SELECT detail FROM audit_log WHERE action = 'export' ORDER BY seq")))


def test_export_runs_in_the_background_and_writes_every_entry(db: Database, admin: Principal, qtbot: Any,
                                                                tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The export ran on the UI thread (the window froze on a big log); now in the task runner's pool
    with a progress window, and the file read back holds every entry the filter keeps."""
    import threading

    from adoption_desktop.ui import admin_page

    _fill_log(db, admin, upto=1300)
    page = AdminPage(AppContext(db, admin, TaskRunner()))  # a real pool: the work leaves the UI thread
    qtbot.addWidget(page)
    tab = page.audit
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0)
    out = tmp_path / "exports" / "audit-log.csv"
    out.parent.mkdir()
    monkeypatch.setattr(admin_page, "save_file_name", lambda *_a, **_k: str(out))
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, message, *_a: told.append(message))
    threads: set[str] = set()
    real_export = audit_service.export_csv

    def export(*args: Any, **kwargs: Any) -> int:
        threads.add(threading.current_thread().name)
        return real_export(*args, **kwargs)

    monkeypatch.setattr(audit_service, "export_csv", export)
    tab.filters["actor"].setText("Admin")
    tab.export()
    qtbot.waitUntil(lambda: bool(told), timeout=20000)
    assert threading.main_thread().name not in threads and threads
    with db.session(write=False) as session:
        expected = [str(s) for s in session.scalars(text(
            "SELECT seq FROM audit_log WHERE actor = 'admin' AND action <> 'export' ORDER BY seq DESC"))]
    lines = _read_csv(out)
    assert lines[0] == list(audit_service.EXPORT_COLUMNS)
    assert [row[0] for row in lines[1:]] == expected
    assert told == [f"{len(expected):,} entries exported."]
    assert sorted(p.name for p in out.parent.iterdir()) == ["audit-log.csv"]  # no temporary file left
    assert _export_entries(db) == [f"{len(expected)} entries exported; filter: user Admin"]


def test_a_cancelled_export_leaves_no_file(db: Database, admin: Principal, tmp_path: Path) -> None:
    _fill_log(db, admin, upto=1200)
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "audit-log.csv"
    told: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        told.append((done, total))

    with pytest.raises(audit_service.ExportCancelled):
        audit_service.export_csv(db, admin, out, progress=progress, cancelled=lambda: bool(told), chunk=500)
    assert told == [(500, 1200)]  # one chunk written, then the Cancel was seen
    assert list(folder.iterdir()) == []  # neither the file nor the temporary one it was written as
    assert _export_entries(db) == []  # nothing exported: nothing audited

    out.write_text("an earlier export\n", encoding="utf-8")
    with pytest.raises(audit_service.ExportCancelled):
        audit_service.export_csv(db, admin, out, cancelled=lambda: True)
    assert out.read_text(encoding="utf-8") == "an earlier export\n"  # left as it was
    assert list(folder.iterdir()) == [out]

    told.clear()
    assert audit_service.export_csv(db, admin, out, progress=progress, chunk=500) == 1200
    assert told == [(500, 1200), (1000, 1200), (1200, 1200)]
    assert [row[0] for row in _read_csv(out)[1:]] == [str(n) for n in range(1200, 0, -1)]


def test_cancel_in_the_progress_window_stops_the_export(db: Database, admin: Principal, qtbot: Any,
                                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tab hands the task's Cancel to the export: cancelled after its first chunk, no file, no message."""
    from adoption_desktop.ui import admin_page
    from adoption_desktop.ui.tasks import TaskHandle

    _fill_log(db, admin, upto=audit_service.EXPORT_CHUNK + 10)
    tab = _page(db, admin, qtbot).audit
    out = tmp_path / "exports" / "audit-log.csv"
    out.parent.mkdir()
    monkeypatch.setattr(admin_page, "save_file_name", lambda *_a, **_k: str(out))
    said: list[str] = []
    for kind in ("information", "critical", "warning"):
        monkeypatch.setattr(QMessageBox, kind, lambda _p, _t, message, *_a: said.append(message))
    real_progress = TaskHandle.progress

    def progress_then_cancel(handle: TaskHandle, done: int, total: int, message: str = "") -> None:
        real_progress(handle, done, total, message)
        if done:
            handle.cancel()  # as the progress window's Cancel button does

    monkeypatch.setattr(TaskHandle, "progress", progress_then_cancel)
    tab.export()
    assert said == []
    assert list(out.parent.iterdir()) == []
    assert _export_entries(db) == []


REFERENCE_TABLES = ("counselling_cases", "adm_decisions", "panel_items", "letterbox_arrangements")


@pytest.mark.postgres
def test_a_case_reference_is_one_indexed_lookup_on_both_stores(any_db: Database) -> None:
    """The case-reference filter read every row of the four tables and compared each in Python; now it asks
    each table's indexed reference_key, with the same comparison (capitals, spacing, invisible and
    full-width characters ignored)."""
    from adoption_desktop.counselling import service as counselling
    from adoption_desktop.counselling.models import CounsellingCase
    from tests.counselling.conftest import TODAY, referral

    boss = make_user(any_db, "admin", Role.ADMINISTRATOR)
    counsellor = make_user(any_db, "corey", Role.COUNSELLOR)
    mine = counselling.create_referral(any_db, counsellor, referral(), today=TODAY)
    other = counselling.create_referral(any_db, counsellor, referral(birth_name="Bea Other"), today=TODAY)
    with any_db.session(write=False) as session:
        reference = session.get(CounsellingCase, mine).reference  # type: ignore[union-attr]
    typed = "ＢＲＣ" + f"{reference[3:7]}\u200b{reference[7:]}".lower() + "  "  # full-width, a hidden space
    reads: list[str] = []

    def log(_conn: Any, _cursor: Any, statement: str, *_a: Any) -> None:
        if any(f"from {table}" in statement.lower() for table in REFERENCE_TABLES):
            reads.append(" ".join(statement.split()).lower())

    event.listen(any_db.engine, "before_cursor_execute", log)
    try:
        found = audit_service.records_for_reference(any_db, boss, typed)
    finally:
        event.remove(any_db.engine, "before_cursor_execute", log)
    assert ("counselling_cases", str(mine)) in found and ("counselling_cases", str(other)) not in found
    assert reads and all(" where " in r and "reference_key" in r for r in reads), reads  # no table read whole

    with any_db.session() as session:  # a row written around the ORM, without its key: still found
        session.execute(text("UPDATE counselling_cases SET reference_key = NULL"))
    assert audit_service.records_for_reference(any_db, boss, typed) == found

    with any_db.engine.begin() as conn:  # the lookup is answered by the index on both stores
        for table in REFERENCE_TABLES:
            if any_db.is_sqlite:
                plan = " ".join(str(r[-1]) for r in conn.execute(text(
                    f"EXPLAIN QUERY PLAN SELECT id FROM {table} WHERE reference_key = 'x'")))
            else:
                conn.execute(text("SET LOCAL enable_seqscan = off"))  # a handful of rows: a scan would be cheaper
                plan = " ".join(str(r[0]) for r in conn.execute(text(
                    f"EXPLAIN SELECT id FROM {table} WHERE reference_key = 'x'")))
            assert f"ix_{table}_reference_key" in plan, plan
