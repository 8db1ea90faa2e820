"""Headless letterbox commands.

    adoption-desktop export reminders --db PATH --user NAME --month YYYY-MM [--month YYYY-MM …] --out FILE.pdf|FILE.docx
                                      [--signed-by USER]
    adoption-desktop import letterbox --db PATH --user NAME --file FILE.xlsx [--dry-run]
    adoption-desktop letterbox void-batch --db PATH --user NAME --batch ID --reason TEXT
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

#: ``--out``: the suffix chooses the format (``core.documents.letter_docx``); nothing else is accepted
OUT_SUFFIXES = (".pdf", ".docx")
OUT_HELP = ("file to write: FILE.pdf (the letters as sent) or FILE.docx (a Word copy of the same letters, "
            "for a last edit)")


def _reminders(args: argparse.Namespace) -> int:
    from adoption_desktop.cli_support import CliError, confirmed, signing_in
    from adoption_desktop.core.errors import AppError
    from adoption_desktop.letterbox.documents import CannotSign, write_batch
    from adoption_desktop.letterbox.rules import check_reminder_months, month_bounds

    months: list[str] = list(dict.fromkeys(args.month))  # in order, each once
    for month in months:
        try:
            month_bounds(month, label="--month")
        except AppError as exc:
            raise CliError(str(exc)) from exc
    try:  # a month too far ahead, before the sign-in: checked with the longest reminder time the setting
        import datetime as dt  # allows, never stricter; write_batch checks again with the agency's own

        from adoption_desktop.letterbox.settings import REMINDER_DAYS_BEFORE

        check_reminder_months(months, dt.date.today(), REMINDER_DAYS_BEFORE.maximum or 0)
    except AppError as exc:
        raise CliError(str(exc)) from exc
    # The password is checked on a second thread while the letters are read and drawn in memory with the
    # account's permissions; nothing is written or printed before the sign-in is confirmed (docs/letters.md).
    # The page check (~0.3 s on the large demo, the longest step) starts at once, beside the reads: reads
    # are not held back by it on a WAL file (measured: 0.1 ms a query beside it, as alone), and the
    # whole export waits for it before anything is written.
    with signing_in(args, reads_first=False) as (db, pending):
        from adoption_desktop.core.security.permissions import Permission
        from adoption_desktop.core.security.service import signatory

        user = pending.principal or confirmed(pending, args.user)  # no such enabled account: reads nothing
        signer = signatory(db, user, args.signed_by, Permission.LETTERBOX_EDIT,
                           actor_needs=Permission.LETTERBOX_VIEW, label="--signed-by") if args.signed_by else None
        try:  # the letters are signed by someone who holds letterbox.edit: --signed-by, or else --user
            result = write_batch(db, user, "reminder", Path(args.out), months=months, signed_by=signer,
                                 cancelled=pending.failed, before_output=lambda: confirmed(pending, args.user))
        except CannotSign as exc:
            if signer is not None:
                raise
            raise CliError(f"--user: {exc.who} does not hold letterbox.edit, so cannot sign these letters; "
                           "nothing was written. Name a coordinator who signs them with --signed-by USER.") from exc
    if result.path is None:
        print(f"No reminder letter was written for {', '.join(months)}; no file written." if result.held
              else f"No exchanges are due in {', '.join(months)}; no file written.")
        if result.held:
            print(result.held_text)
        _say_past_months(months)
        return 0
    print(f"{result.letters:,} reminder letter{'' if result.letters == 1 else 's'} written to {result.path}.")
    if not result.not_recorded_by and result.recorded:  # its name, for voiding it if it is never posted
        print(f"Recorded as sent in batch {', '.join(result.recorded)}.")
    if result.not_recorded_by:  # a copy only: said plainly (the first, or an extra of a month already
        print(result.not_recorded_text)  # recorded), so it is not posted as well as a coordinator's
    if result.printed_before:  # this month's first recorded print, after a copy that was not recorded
        print(result.printed_before_text)
    if result.reprinted:  # a month printed again: said, and not counted again as sent
        print(result.reprint_text)
        # its name, as a refusal to void the first batch gives it (user trial: a name never seen before)
        names = [b for b in result.reprint_batches if b not in result.recorded]
        if names:
            print(f"Printed again as batch {', '.join(names)} (a reprint: not recorded as sent again).")
    if result.printed_since:  # copies printed, not recorded, after the month was recorded: extras
        print(result.printed_since_text)
    if result.held:
        print(result.held_text)
    _say_past_months(months, result.recorded)
    return 0


def _say_past_months(months: list[str], recorded: tuple[str, ...] = ()) -> None:
    """A month that began before this one is written (a lost batch may be printed again) but said plainly,
    with the result, on standard output (user trial: a note on standard error was not seen, and a month
    typed wrong went out): such reminders arrive after the exchanges they announce fell due, and a batch
    printed by mistake is voided, not posted."""
    import datetime as dt

    from adoption_desktop.letterbox.rules import next_reminder_month, past_reminder_months

    past = past_reminder_months(months, dt.date.today())
    if not past:
        return
    print(f"Warning: the exchanges of {', '.join(past)} fell due before this month, so these reminders arrive "
          f"late. The next month whose reminders are on time is {next_reminder_month(dt.date.today()):%Y-%m}.")
    if recorded:
        print("If this month was typed by mistake, do not post these letters: void the batch with "
              f"adoption-desktop letterbox void-batch --batch {recorded[0]} --reason \"...\" (docs/it-guide.md).")


def _void_batch(args: argparse.Namespace) -> int:
    from adoption_desktop.cli_support import CliError, signed_in
    from adoption_desktop.core.errors import AppError
    from adoption_desktop.letterbox.sent_list import void_batch

    if not args.reason.strip():
        raise CliError("--reason: say why the batch was not posted (for example \"printed for the wrong month, "
                       "shredded\"). Nothing was changed.")
    with signed_in(args) as (db, user):
        try:
            voided = void_batch(db, user, args.batch, args.reason)
        except AppError as exc:
            raise CliError(f"--batch {args.batch.strip()}: {exc}") from exc
    print(f"Batch {voided.batch} is {voided.said()}. Its {voided.letters} letters stay in the sent-list, marked "
          f"voided, and are no longer counted as sent; {voided.what_next()}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from adoption_desktop.cli_support import CliError, signed_in
    from adoption_desktop.letterbox.importing import import_file

    path = Path(args.file)
    if not path.exists():
        raise CliError(f"--file: no file at {path}; give the path of an .xlsx or .csv register.")
    with signed_in(args) as (db, user):
        report = import_file(db, user, path, dry_run=args.dry_run, file_label="--file")
    if report.problems:
        print(f"{len(report.problems)} problem(s); nothing was written:", file=sys.stderr)
        for p in report.problems:
            print(f"  row {p.row}, column {p.column}: {p.problem}", file=sys.stderr)
    if report.warnings:
        print(f"{len(report.warnings)} warning(s) (imported as they are; please look at them):", file=sys.stderr)
        for p in report.warnings:
            print(f"  row {p.row}, column {p.column}: {p.problem}", file=sys.stderr)
    if report.problems:
        return 1
    verb = "Would import" if report.dry_run else "Imported"
    print(f"{verb}: {report.creates} new, {report.updates} updated, {report.unchanged} unchanged arrangement(s)."
          + (f" {len(report.warnings)} warning(s)." if report.warnings else ""))
    if report.kept:
        print(report.kept_text)
    return 0


def register(registry: Any) -> None:
    from adoption_desktop.cli import add_user_option

    p = registry.export.add_parser("reminders", help="letterbox reminder letters for a month (or several), one PDF")
    p.add_argument("--db", required=True)
    p.add_argument("--month", required=True, action="append", help="YYYY-MM; repeat for several months")
    p.add_argument("--out", required=True, help=OUT_HELP)
    p.add_argument("--signed-by", metavar="USER", help="the user who signs the letters (a letterbox "
                   "coordinator, with letterbox.edit; default: the --user, who then needs letterbox.edit)")
    add_user_option(p)
    p.set_defaults(handler=_reminders, out_suffixes=OUT_SUFFIXES)
    top = registry.top.add_parser("letterbox", help="letterbox records").add_subparsers(dest="action",
                                                                                       required=True)
    p = top.add_parser("void-batch", help="void a batch of letters printed by mistake and not posted: kept in "
                       "the sent-list, marked voided, no longer counted as sent (letterbox.edit)")
    p.add_argument("--db", required=True)
    p.add_argument("--batch", required=True, metavar="ID", help="the batch's name, e.g. "
                   "reminder-202702-20261206-ab12cd, as export reminders printed it")
    p.add_argument("--reason", required=True, metavar="TEXT", help="why it was not posted")
    add_user_option(p)
    p.set_defaults(handler=_void_batch)
    p = registry.import_.add_parser("letterbox", help="import a letterbox register (.xlsx or .csv)")
    p.add_argument("--db", required=True)
    p.add_argument("--file", required=True)
    p.add_argument("--dry-run", action="store_true", help="validate and report; write nothing")
    add_user_option(p)
    p.set_defaults(handler=_import)
