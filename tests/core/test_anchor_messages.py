"""The words of an audit alert, with real tampering: a log rewritten with the key (or by a server's
superuser) is named as rewritten, and "an older copy" / "behind what this PC has seen" is said only when the
log shows it (its head is before the anchor's entry, or that entry was written after the anchor was
recorded). Anchors are recorded to the microsecond; an older one, to the second, covers its whole second."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from adoption_desktop import demo
from adoption_desktop.core import audit
from adoption_desktop.core.audit import anchors
from adoption_desktop.core.audit.chain import _written_after
from adoption_desktop.core.security import service as users
from adoption_desktop.core.settings_service import add_closure_day
from adoption_desktop.core.storage.engine import open_sqlcipher
from tests.conftest import weekday_open
from tests.core import test_tamper as tamper
from tests.core import test_team_mode as team_mode
from tests.core.test_tamper import Case, _rehash_from

# the tamper suite's demo database (made once for this module) and its per-test copy, opened once
template = tamper.template
case = tamper.case
team = team_mode.team
Team = team_mode.Team

_days = itertools.count()
#: when an anchor was recorded, as an alert says it (this PC's time)
ON = r" on \d\d/\d\d/\d{4} at \d\d:\d\d"


def next_closure_day(start: dt.date) -> dt.date:
    """A day not used before in this run, from ``start``, that may be a closure day (a weekday, not a bank
    holiday)."""
    while True:
        day = start + dt.timedelta(days=next(_days))
        if weekday_open(day) == day:
            return day


def _grow(case: Case) -> None:
    """Ordinary work through the application: new entries past the anchors (which move on at close)."""
    db = case.open()
    try:
        admin = users.authenticate(db, "admin", demo.DEMO_PASSWORD)
        add_closure_day(db, admin, next_closure_day(dt.date(2032, 1, 5)), "Inset day")
    finally:
        db.dispose()


def _head(case: Case) -> int:
    return int(str(case.value("SELECT last_seq FROM audit_head")))


def _rewrite(case: Case, start: int) -> None:
    """Alter entry ``start`` with the key and recompute every hash after it (and the head)."""
    raw = open_sqlcipher(case.path, case.key())
    with raw.engine.begin() as conn:
        _rehash_from(conn, start, f"UPDATE audit_log SET detail = 'forged' WHERE seq = {start}")
    raw.checkpoint()
    raw.engine.dispose()


def _anchor(path: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


# --------------------------------------------------------------------------- defect 1: the alert's words


def test_an_anchor_is_recorded_to_the_microsecond(case: Case) -> None:
    at = str(_anchor(audit.anchor_file_for(case.path))["at"])
    assert "." in at.partition("T")[2], at
    dt.datetime.fromisoformat(at)


@pytest.mark.parametrize("where", ["the anchored entry", "an earlier entry"])
def test_a_rewritten_log_is_named_rewritten_not_an_older_copy(case: Case, where: str) -> None:
    """Red-team report: the anchored entry rewritten and the chain rehashed after it. Its time is that of the
    last entry before the close, nearly always within the anchor's second: "older copy … (the log is
    behind)" was said although nothing is behind."""
    _grow(case)  # entries written just before the close that records the anchors, as in daily use
    head = _head(case)
    _rewrite(case, head if where == "the anchored entry" else 2)
    problems = "\n".join(case.verify())
    assert re.search(rf"#{head}: entry {head} differs from the copy recorded outside the database{ON}: the log was "
                     "rewritten", problems), problems
    assert "older copy" not in problems and "behind" not in problems, problems
    assert "first broken entry" not in problems, problems


def test_an_anchor_recorded_to_the_second_covers_its_whole_second(case: Case) -> None:
    """Anchors written before (and a backup's manifest) carry a time to the second: an entry in that same
    second was written before the anchor, so its rewrite is still "rewritten"."""
    head = _head(case)
    entry_at = str(case.value(f"SELECT at FROM audit_log WHERE seq = {head}"))
    second = dt.datetime.fromisoformat(entry_at).replace(microsecond=0, tzinfo=dt.UTC).isoformat()
    assert "." not in second
    db = case.open()
    places = [path for _where, path in anchors.locations(db)]
    db.dispose(write_anchor=False)
    for path in places:
        data = _anchor(path)
        data["at"] = second  # the old format, in the very second its entry was written
        path.write_text(json.dumps(data), encoding="utf-8")
    _rewrite(case, head)
    problems = "\n".join(case.verify())
    assert "the log was rewritten" in problems and "older copy" not in problems, problems


def test_written_after_reads_both_precisions() -> None:
    entry = "2026-03-05T14:02:07.400000"
    assert not _written_after(entry, "2026-03-05T14:02:07+00:00")  # the same second: not after
    assert _written_after(entry, "2026-03-05T14:02:06+00:00")
    assert not _written_after("2026-03-05T14:02:08.000000", "2026-03-05T14:02:08+00:00")
    assert _written_after("2026-03-05T14:02:08.000000", "2026-03-05T14:02:07+00:00")
    assert _written_after(entry, "2026-03-05T14:02:07.399999+00:00")  # to the microsecond
    assert not _written_after(entry, "2026-03-05T14:02:07.400000+00:00")
    assert _written_after(entry, "2026-03-05T15:02:06+01:00")  # the zone is kept
    assert not _written_after(entry, "")


def test_an_older_copy_put_back_is_named_an_older_copy(case: Case, tmp_path: Path) -> None:
    older = tmp_path / "older.db"
    shutil.copy2(case.path, older)
    _grow(case)
    shutil.copy2(older, case.path)  # the log now ends before the anchors' entry
    problems = "\n".join(case.verify())
    assert "is missing: the log was cut short, or the file was replaced by an older copy" in problems, problems


def test_an_older_copy_written_to_since_is_still_an_older_copy(case: Case, tmp_path: Path) -> None:
    """The older copy put back, then entries written under the numbers the anchors remember (refused
    sign-ins are audited even while the database is held): those entries are newer than the anchors."""
    older = tmp_path / "older.db"
    shutil.copy2(case.path, older)
    start = _head(case)
    _grow(case)
    anchored = _head(case)
    shutil.copy2(older, case.path)
    db = case.open()
    try:
        for _ in range(anchored - start):
            with pytest.raises(users.SignInError):
                users.authenticate(db, "counsellor", "not-the-password")
    finally:
        db.dispose()
    assert _head(case) >= anchored
    problems = "\n".join(case.verify())
    assert re.search(rf"entry {anchored} differs from the copy recorded outside the database{ON} and was written "
                     "after that copy was recorded: the file was replaced by an older copy", problems), problems


def test_an_anchored_entry_deleted_from_a_log_that_goes_on_is_not_called_behind(case: Case) -> None:
    head = _head(case)
    case.sql(f"DELETE FROM audit_seal WHERE seq = {head}", f"DELETE FROM audit_log WHERE seq = {head}")
    problems = "\n".join(case.verify())
    assert re.search(rf"entry {head}, recorded outside the database{ON}, is missing although the log goes on past it",
                     problems), problems
    assert "older copy" not in problems, problems


# --------------------------------------------------------------------------- team mode (a PostgreSQL server)


def _team_rewrite(team: Team, start: int) -> None:
    engine = create_engine(team.admin_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("SET session_replication_role = replica")  # triggers off
            _rehash_from(conn, start, f"UPDATE audit_log SET detail = 'forged' WHERE seq = {start}")
    finally:
        engine.dispose()


def _team_head(team: Team) -> int:
    return int(str(team.value("SELECT last_seq FROM audit_head")))


def test_a_server_log_rewritten_before_the_witness_is_not_called_behind(team: Team) -> None:
    head = _team_head(team)
    _team_rewrite(team, 2)
    problems = "\n".join(team.verify())
    assert re.search(rf"entry {head} differs from the copy recorded outside the database{ON}: the log was rewritten",
                     problems)
    assert "behind" not in problems and "older copy" not in problems, problems


def test_a_server_log_cut_back_is_still_behind(team: Team) -> None:
    keep = _team_head(team) - 2
    team.as_superuser(f"DELETE FROM audit_seal WHERE seq > {keep}", f"DELETE FROM audit_log WHERE seq > {keep}",
                      f"UPDATE audit_head SET last_seq = {keep}, "
                      f"last_hash = (SELECT hash FROM audit_log WHERE seq = {keep})")
    problems = "\n".join(team.verify())
    assert "the server's database was restored from an older copy (the server's log is behind what this PC " \
           "has seen)" in problems, problems


def test_an_alert_says_when_the_anchor_was_recorded_as_the_ok_lines_do(case: Case) -> None:
    """An IT officer's trial: the FAULT line said "recorded 2026-12-06T06:32:30.315798+00:00" while verify's
    OK lines say "recorded 06/12/2026 06:32": the same local day and time now. Evidence trial (6 December
    2026): it said "recorded outside the database when it was last closed" of an anchor recorded at a
    signature, and said the same fault once per anchor: now once, with when the anchor was recorded and
    every anchor that shows it."""
    beside = audit.anchor_file_for(case.path)
    at = str(_anchor(beside)["at"])
    _grow(case)
    _rewrite(case, _head(case))
    problems = [p for p in case.verify() if str(beside) in p]
    assert len(problems) == 1, case.verify()
    line = problems[0]
    recorded = str(_anchor(beside)["at"])  # the anchor a close moved on to the head
    assert recorded not in line and at not in line and "when it was last closed" not in line, line
    assert f"recorded outside the database {audit.chain.recorded_on(recorded)}" in line, line
    user = anchors._user_anchor_path(anchors.file_identity(case.path))
    assert str(user) in line, line  # the other anchor, in the same line


def test_a_rewrite_names_the_first_entry_that_differs_when_an_earlier_anchor_shows_it(case: Case) -> None:
    """A consistent rewrite said only "entry N differs … the log was rewritten": an earlier anchor (a
    backup's) that the log still agrees with bounds where the rewrite begins."""
    db = case.open()
    try:
        with db.engine.connect() as conn:
            before = int(conn.exec_driver_sql("SELECT last_seq FROM audit_head").scalar_one())
    finally:
        db.dispose()
    _grow(case)
    head = _head(case)
    _rewrite(case, before + 1)
    user = anchors._user_anchor_path(anchors.file_identity(case.path))
    earlier = json.loads(user.read_text(encoding="utf-8"))
    earlier.update(seq=before, hash=str(case.value(f"SELECT hash FROM audit_log WHERE seq = {before}")))
    user.write_text(json.dumps(earlier), encoding="utf-8")  # this PC's record from before the growth
    problems = "\n".join(case.verify())
    assert f"#{head}: entry {head} differs" in problems, problems
    assert (f"the first entry that differs is between entry {before + 1} and entry {head} (entry {before} is as "
            "recorded)") in problems, problems
