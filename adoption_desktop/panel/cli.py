"""Headless panel commands.

    adoption-desktop export minutes --db PATH --user NAME --sitting DATE|REFERENCE|ID --out FILE.docx [--item ID]
    adoption-desktop export panel-calendar --db PATH --user NAME --out FILE.ics [--from YYYY-MM-DD] [--to YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def _cmd_minutes(args: argparse.Namespace) -> int:
    from adoption_desktop.cli_support import signed_in
    from adoption_desktop.panel import documents, service

    out = Path(args.out)  # a .docx (out_suffixes: checked before anything is opened)
    with signed_in(args) as (db, user):
        sitting_id = service.sitting_id_for(db, user, args.sitting, label="--sitting")
        pack = service.minutes_pack(db, user, sitting_id, record_export=False)  # recorded as the file is placed
        state = "DRAFT" if (pack.only(args.item) if args.item else pack).draft else "approved"
        documents.write_minutes_docx(pack, out, item_id=args.item, before_output=lambda: (
            service.record_minutes_written(db, user, sitting_id, out.name, item_id=args.item)))
    print(f"Minutes of the sitting on {pack.sitting.sitting_date:%d/%m/%Y} ({state}) written to {out}")
    return 0


def _cmd_calendar(args: argparse.Namespace) -> int:
    from adoption_desktop.cli_support import CliError, parse_date, signed_in
    from adoption_desktop.core.config import AGENCY_NAME
    from adoption_desktop.core.files import output_file
    from adoption_desktop.core.settings_service import get_setting
    from adoption_desktop.panel import documents, service

    start = parse_date(args.from_, "--from") if args.from_ else None
    end = parse_date(args.to, "--to") if args.to else None
    if start and end and end < start:  # an empty calendar would be written without a word
        raise CliError(f"--to: {end} is before --from {start}; nothing was written.")
    with signed_in(args) as (db, user):
        rows = service.list_sittings(db, user, start, end)
        with db.session(user, write=False) as session:
            agency = get_setting(session, AGENCY_NAME)
        # the calendar gets its name only once its audit entry is committed
        with output_file(Path(args.out)) as tmp:
            documents.write_ics(tmp, sorted(rows, key=lambda r: r.sitting_date), agency)
            service.record_calendar_export(db, user, len(rows), Path(args.out).name)
    print(f"{len(rows)} sittings written to {args.out}")
    return 0


def register(registry: Any) -> None:
    from adoption_desktop.cli import add_user_option, record_number

    p = registry.export.add_parser("minutes", help="panel minutes of one sitting as a Word document")
    p.add_argument("--db", required=True)
    p.add_argument("--sitting", required=True, metavar="DATE|REFERENCE",
                   help="the sitting's date (YYYY-MM-DD), the reference of a case heard at it, or its number")
    p.add_argument("--out", required=True, help="FILE.docx")
    p.add_argument("--item", type=record_number, help="only this agenda item (extract for the case file)")
    add_user_option(p)
    p.set_defaults(handler=_cmd_minutes, out_suffixes=(".docx",))

    p = registry.export.add_parser("panel-calendar", help="panel sittings as an .ics calendar (no personal data)")
    p.add_argument("--db", required=True)
    p.add_argument("--out", required=True, help="FILE.ics")
    p.add_argument("--from", dest="from_", metavar="YYYY-MM-DD")
    p.add_argument("--to", metavar="YYYY-MM-DD")
    add_user_option(p)
    p.set_defaults(handler=_cmd_calendar, out_suffixes=(".ics",))
