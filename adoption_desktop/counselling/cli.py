"""Headless counselling commands.

    adoption-desktop export counselling-letter --db PATH --user NAME --case ID --kind KIND --out FILE.pdf|FILE.docx
        [--request ID] [--session ID] [--date YYYY-MM-DD] [--no-chase]

``--case`` takes the case number or its reference (e.g. BRC-2024-0007). KIND is one of acknowledgement,
appointment, records-request, chaser, records-ready. A chaser letter records the chase of its request on the
letter's date (the next chase falls due from it) and says so; ``--no-chase`` writes the letter only (a copy of
a chaser already recorded). A chase already recorded on that day is not recorded twice.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

#: ``--out``: the suffix chooses the format (``core.documents.letter_docx``); nothing else is accepted
OUT_SUFFIXES = (".pdf", ".docx")
OUT_HELP = ("file to write: FILE.pdf (the letters as sent) or FILE.docx (a Word copy of the same letters, "
            "for a last edit)")

if TYPE_CHECKING:
    from adoption_desktop.cli import CliRegistry
    from adoption_desktop.core.security.permissions import Principal
    from adoption_desktop.core.storage.engine import Database

KINDS = ("acknowledgement", "appointment", "records-request", "chaser", "records-ready")


def _export_letter(args: argparse.Namespace) -> int:
    from adoption_desktop.cli_support import CliError, parse_date, signed_in
    from adoption_desktop.core.errors import ValidationError
    from adoption_desktop.core.text_input import row_number
    from adoption_desktop.counselling import documents, service

    day = parse_date(args.date, "--date") if args.date else None
    with signed_in(args) as (db, user):
        case = str(args.case).strip()
        if case.isdigit():
            case_id = row_number(case)
            if case_id is None:  # UT1: 23 digits were reported as "Counselling case 0 does not exist"
                raise CliError(f"--case: no counselling case {case[:30]!r}; give the case number or its reference "
                               "(e.g. BRC-2024-0007).")
        else:
            case_id = service.case_id_for_reference(db, user, case, label="--case")
        request_id = args.request
        try:  # --date is the letter's date: never ahead, nor before the referral (the service checks it)
            if args.kind == "chaser" and request_id is None:  # the request the letter is about, to chase it
                found = service.letter_data(db, user, case_id, args.kind, on=day, check_only=True).request
                request_id = found.id if found is not None else None
            out = documents.write_case_letter(db, user, case_id, args.kind, Path(args.out),
                                              request_id=request_id, session_id=args.session, on=day)
        except ValidationError as exc:
            if exc.field != "date":
                raise
            raise CliError(f"--date: {str(exc).split(': ', 1)[-1]} Nothing was written.") from exc
        print(f"Wrote {args.kind} letter for case {case} to {out}")
        if args.kind == "chaser" and request_id is not None:
            print(_chase(db, user, request_id, day or dt.date.today(), record=not args.no_chase))
    return 0


def _chase(db: Database, user: Principal, request_id: int, day: dt.date, *, record: bool) -> str:
    """Record the chase a chaser letter makes (UT1: the letter went out and the request still showed it
    unchased, falling due again), or say why not; the letter is written either way."""
    from adoption_desktop.core.errors import AppError
    from adoption_desktop.counselling import service

    if not record:
        return "Chase not recorded (--no-chase): record it in the case window (Record chase…) if the letter is sent."
    state = service.chase_state(db, user, request_id)
    if state.last_chased_on == day:
        return f"The chase of {day:%d/%m/%Y} was already recorded; it is not recorded twice."
    try:
        done = service.record_chase(db, user, request_id, day, expected_version=state.row_version)
    except AppError as exc:
        return (f"The chase was not recorded: {exc} The letter was written; record the chase in the case window "
                "(Record chase…) if it is sent.")
    return (f"Recorded the chase of the request to {done.after.holder_name} on {day:%d/%m/%Y}; the next chase is "
            f"due {done.due:%d/%m/%Y}.")


def register(registry: CliRegistry) -> None:
    from adoption_desktop.cli import add_user_option, record_number

    p = registry.export.add_parser(
        "counselling-letter", help="a birth-records counselling letter as PDF",
        description="Write one counselling letter (PDF) for a case from its editable template.")
    p.add_argument("--db", required=True, help="database file or PostgreSQL URL")
    p.add_argument("--case", required=True, help="case number or reference (e.g. BRC-2024-0007)")
    p.add_argument("--kind", required=True, choices=KINDS)
    p.add_argument("--out", required=True, help=OUT_HELP)
    p.add_argument("--request", type=record_number, help="records request number (default: the case's latest fitting one)")
    p.add_argument("--session", type=record_number, help="session number for an appointment (default: the latest)")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="letter date (default: today)")
    p.add_argument("--no-chase", action="store_true",
                   help="a chaser letter only: do not record the chase (by default it is recorded on the letter's date)")
    add_user_option(p)
    p.set_defaults(handler=_export_letter, out_suffixes=OUT_SUFFIXES)
