"""The panel calendar (.ics) wrote floating times ("DTSTART:20260714T100000", no zone), so Outlook on a PC
set to another zone, or on a laptop abroad, showed a 10:00 sitting at 10:00 there: at 11:00 London time in
Paris, at 05:00 in New York. The times now carry ``TZID=Europe/London`` and the file holds its VTIMEZONE.
The test reads the file back as a calendar program does: it unfolds the lines, takes the zone's rules from
the file's own VTIMEZONE (not from this machine's zone data) and checks the instant each sitting starts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from adoption_desktop import cli
from adoption_desktop.panel import service as svc
from tests.conftest import TEST_PASSWORD

from .conftest import Panel

_DAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


def _unfold(body: str) -> list[str]:
    return body.replace("\r\n ", "").split("\r\n")


def _block(lines: list[str], start: int) -> tuple[dict[str, str], int]:
    """The properties of the component beginning at ``lines[start]`` (BEGIN:…) up to its END, and where it
    ends (sub-components left out)."""
    props: dict[str, str] = {}
    depth, i = 0, start
    while True:
        line = lines[i]
        if line.startswith("BEGIN:"):
            depth += 1
        elif line.startswith("END:"):
            depth -= 1
            if depth == 0:
                return props, i
        elif depth == 1:
            name, _, value = line.partition(":")
            props[name] = value
        i += 1


def _offset(text: str) -> dt.timedelta:
    sign = -1 if text[0] == "-" else 1
    return sign * dt.timedelta(hours=int(text[1:3]), minutes=int(text[3:5]))


def _onset(rule: str, start: str, year: int) -> dt.datetime:
    """The local time in ``year`` an RRULE of the form FREQ=YEARLY;BYMONTH=m;BYDAY=-1SU (or 1SU…) gives."""
    parts = dict(p.split("=") for p in rule.split(";"))
    assert parts["FREQ"] == "YEARLY"
    month = int(parts["BYMONTH"])
    m = re.fullmatch(r"(-?\d)([A-Z]{2})", parts["BYDAY"])
    assert m is not None
    n, weekday = int(m.group(1)), _DAYS[m.group(2)]
    if n < 0:
        last = (dt.date(year, month % 12 + 1, 1) if month < 12 else dt.date(year + 1, 1, 1)) - dt.timedelta(days=1)
        day = last - dt.timedelta(days=(last.weekday() - weekday) % 7)
    else:
        first = dt.date(year, month, 1)
        day = first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    clock = dt.datetime.strptime(start, "%Y%m%dT%H%M%S").time()
    return dt.datetime.combine(day, clock)


def _utc(lines: list[str], prop: str, value: str) -> dt.datetime:
    """A DTSTART as a UTC instant, as a calendar program works it out from the file alone."""
    if value.endswith("Z"):
        return dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    m = re.fullmatch(r"DTSTART;TZID=([^;:]+)", prop)
    assert m is not None, f"a floating time, shown at that hour wherever the PC is: {prop}:{value}"
    tzid = m.group(1)
    local = dt.datetime.strptime(value, "%Y%m%dT%H%M%S")
    zone_at = next(i for i, line in enumerate(lines) if line == "BEGIN:VTIMEZONE"
                   and _block(lines, i)[0].get("TZID") == tzid)
    _, end = _block(lines, zone_at)
    # the latest onset (standard or daylight) at or before the local time gives its offset
    best: tuple[dt.datetime, dt.timedelta] | None = None
    i = zone_at + 1
    while i < end:
        if lines[i] in ("BEGIN:STANDARD", "BEGIN:DAYLIGHT"):
            props, sub_end = _block(lines, i)
            for year in (local.year - 1, local.year):
                onset = _onset(props["RRULE"], props["DTSTART"], year)
                if onset <= local and (best is None or onset > best[0]):
                    best = (onset, _offset(props["TZOFFSETTO"]))
            i = sub_end
        i += 1
    assert best is not None
    return (local - best[1]).replace(tzinfo=dt.UTC)


def _starts(body: str) -> dict[str, dt.datetime]:
    lines = _unfold(body)
    out: dict[str, dt.datetime] = {}
    for i, line in enumerate(lines):
        if line == "BEGIN:VEVENT":
            props, _ = _block(lines, i)
            (prop, value), = ((k, v) for k, v in props.items() if k.startswith("DTSTART"))
            out[props["LOCATION"]] = _utc(lines, prop, value)
    return out


@pytest.mark.parametrize("place, day, start, instant", [
    ("Summer room", dt.date(2026, 7, 14), "10:00", dt.datetime(2026, 7, 14, 9, 0, tzinfo=dt.UTC)),  # BST
    ("Winter room", dt.date(2027, 1, 12), "10:00", dt.datetime(2027, 1, 12, 10, 0, tzinfo=dt.UTC)),  # GMT
    # the days either side of the clocks changing: spring forward on 28 March 2027, back on 31 October 2027
    ("Before spring", dt.date(2027, 3, 26), "09:30", dt.datetime(2027, 3, 26, 9, 30, tzinfo=dt.UTC)),
    ("After spring", dt.date(2027, 3, 29), "09:30", dt.datetime(2027, 3, 29, 8, 30, tzinfo=dt.UTC)),
    ("Before autumn", dt.date(2027, 10, 29), "14:00", dt.datetime(2027, 10, 29, 13, 0, tzinfo=dt.UTC)),
    ("After autumn", dt.date(2027, 11, 1), "14:00", dt.datetime(2027, 11, 1, 14, 0, tzinfo=dt.UTC)),
])
def test_each_sitting_starts_at_the_right_instant_whatever_the_pc_zone(
        panel: Panel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        place: str, day: dt.date, start: str, instant: dt.datetime) -> None:
    end = f"{int(start[:2]) + 2:02d}{start[2:]}"
    svc.schedule_sittings(panel.db, panel.clerk, svc.SittingInput(day, start, end, place))
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    out = tmp_path / "cal.ics"
    assert panel.db.path is not None
    assert cli.main(["export", "panel-calendar", "--db", str(panel.db.path), "--user", "clerk", "--out", str(out),
                     "--from", day.isoformat(), "--to", day.isoformat()]) == 0
    body = out.read_bytes().decode("utf-8")  # as written: CRLF line ends
    assert _starts(body) == {place: instant}
    # the end in the same zone as the start
    assert f"DTEND;TZID=Europe/London:{day:%Y%m%d}T{end.replace(':', '')}00" in _unfold(body)
