"""Headless reports commands.

    adoption-desktop export report --db PATH --user NAME --kind six-monthly|annual
        [--period 2026-04-01..2026-09-30] --out FILE.docx
    adoption-desktop export ofsted-pack --db PATH --user NAME [--as-of YYYY-MM-DD] --out FILE.pdf

Without ``--period`` the report covers the last complete half year (six-monthly) or financial year
(annual). Without ``--as-of`` the pack is as of today.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adoption_desktop.cli import CliRegistry


def _export_report(args: argparse.Namespace) -> int:
    import datetime as dt

    from adoption_desktop.cli_support import CliError, signed_in
    from adoption_desktop.reports import periods
    from adoption_desktop.reports.report_data import build_report
    from adoption_desktop.reports.report_docx import export_report

    try:
        period = periods.parse_period(args.period) if args.period else periods.default_period(args.kind,
                                                                                                dt.date.today())
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    today = dt.date.today()
    problem = (periods.period_problem(period, today) or periods.future_end_problem(period, today)
               or periods.kind_problem(args.kind, period, today, command_line=True))
    if problem:  # the --period named is one that would be accepted today
        raise CliError(problem)
    with signed_in(args) as (db, user):
        data = build_report(db, user, period, args.kind)
        out = export_report(db, user, data, Path(args.out))
    print(f"Wrote the {args.kind} report for {period.start}..{period.end} to {out}")
    return 0


def _export_pack(args: argparse.Namespace) -> int:
    from adoption_desktop.cli_support import CliError, parse_date, signed_in
    from adoption_desktop.reports.ofsted import as_of_problem, write_ofsted_pack

    as_of = parse_date(args.as_of, "--as-of") if args.as_of else None
    if as_of is not None and (problem := as_of_problem(as_of)):  # refused before signing in, as export report
        raise CliError(problem)
    with signed_in(args) as (db, user):
        result = write_ofsted_pack(db, user, Path(args.out), as_of=as_of)
    pages = sum(s.pages for s in result.sections)
    print(f"Wrote the Ofsted pack ({pages} pages, minutes of {len(result.sittings)} sittings) to {result.path}")
    return 0


def register(registry: CliRegistry) -> None:
    from adoption_desktop.cli import add_user_option

    p = registry.export.add_parser(
        "report", help="the six-monthly or annual report as Word (.docx)",
        description="Write the agency's six-monthly or annual report: every area's figures for the period "
                    "beside the previous period and the same period last year, with charts.")
    p.add_argument("--db", required=True, help="database file or PostgreSQL URL")
    p.add_argument("--kind", required=True, choices=("six-monthly", "annual"))
    p.add_argument("--period", metavar="START..END",
                   help="e.g. 2026-04-01..2026-09-30 (default: the last complete half year or financial year)")
    p.add_argument("--out", required=True, help="Word file to write (.docx)")
    add_user_option(p)
    p.set_defaults(handler=_export_report, out_suffixes=(".docx",))

    q = registry.export.add_parser(
        "ofsted-pack", help="the Ofsted inspection pack as one PDF",
        description="One bookmarked PDF: index, the last three sets of approved panel minutes, the central "
                    "list of panel members, ADM timeliness and the year's figures.")
    q.add_argument("--db", required=True, help="database file or PostgreSQL URL")
    q.add_argument("--as-of", metavar="YYYY-MM-DD", help="the pack's date (default: today)")
    q.add_argument("--out", required=True, help="PDF file to write (.pdf)")
    add_user_option(q)
    q.set_defaults(handler=_export_pack, out_suffixes=(".pdf",))
