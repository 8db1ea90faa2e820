"""Headless ADM commands.

``adoption-desktop export decision-letter --db PATH --user NAME --decision REFERENCE --out FILE.pdf|FILE.docx``
    writes the letter filed against a signed decision (the latest one filed against that version);
    ``--decision`` takes the case reference (e.g. AD-2026-0142) or the decision number.
``adoption-desktop export adm-letters-day --db PATH --user NAME --date YYYY-MM-DD --out FILE.pdf|FILE.docx``
    all ADM letters dated that day in one PDF (batch print).

Neither command changes a decision: there is no headless path that edits or signs one.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

#: ``--out``: the suffix chooses the format (``core.documents.letter_docx``); nothing else is accepted
OUT_SUFFIXES = (".pdf", ".docx")
OUT_HELP = ("file to write: FILE.pdf (the letters as sent) or FILE.docx (a Word copy of the same letters, "
            "for a last edit)")

if TYPE_CHECKING:
    from adoption_desktop.cli import CliRegistry


def _cmd_decision_letter(args: argparse.Namespace) -> int:
    from adoption_desktop.adm import service
    from adoption_desktop.cli_support import signed_in

    with signed_in(args) as (db, user):
        decision_id = service.decision_id_for(db, user, args.decision, label="--decision")
        view = service.export_decision_letter(db, user, decision_id, Path(args.out))
    from adoption_desktop.adm.rules import LETTER_KINDS

    print(f"Wrote the {LETTER_KINDS.get(view.kind, view.kind).lower()} letter dated {view.letter_date:%d/%m/%Y} "
          f"for {view.subject_reference} (decision {decision_id}) to {args.out}")
    return 0


def _cmd_day_letters(args: argparse.Namespace) -> int:
    from adoption_desktop.adm import service
    from adoption_desktop.cli_support import parse_date, signed_in

    day = parse_date(args.date, "--date")
    left_out: list[str] = []
    with signed_in(args) as (db, user):
        n = service.print_day(db, user, day, Path(args.out), left_out=left_out)
    from adoption_desktop.core.wording import plural

    print(f"Wrote {plural(n, 'letter')} dated {day:%d/%m/%Y} to {args.out}")
    if left_out:
        # said as a count first: a trial's batch held a letter beside its correction's, which posting would
        # have sent as two letters that disagree; whoever posts the batch sees at once that some are missing
        print(f"Left out {plural(len(left_out), 'letter')} dated {day:%d/%m/%Y} replaced since (not to be "
              "posted):")
    for line in left_out:
        print(f"  {line[:1].upper()}{line[1:]}")
    return 0


def register(registry: CliRegistry) -> None:
    from adoption_desktop.cli import add_user_option

    p = registry.export.add_parser("decision-letter", help="the PDF letter filed against a signed ADM decision")
    p.add_argument("--db", required=True, help="database file or PostgreSQL URL")
    p.add_argument("--decision", required=True, metavar="REFERENCE",
                   help="the case reference the decision is about (e.g. AD-2026-0142, as in the ADM queue) or "
                        "the decision number")
    p.add_argument("--out", required=True, help=OUT_HELP)
    add_user_option(p)
    p.set_defaults(handler=_cmd_decision_letter, out_suffixes=OUT_SUFFIXES)
    p = registry.export.add_parser("adm-letters-day", help="all ADM letters dated one day in one PDF")
    p.add_argument("--db", required=True, help="database file or PostgreSQL URL")
    p.add_argument("--date", required=True, help="YYYY-MM-DD")
    p.add_argument("--out", required=True, help=OUT_HELP)
    add_user_option(p)
    p.set_defaults(handler=_cmd_day_letters, out_suffixes=OUT_SUFFIXES)
