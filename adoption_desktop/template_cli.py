"""Headless template commands (administrators: settings.manage), so IT can script what the Templates tab
does. The agency's templates live in the database; these move one in or out as a file.

    adoption-desktop export template --db PATH --user NAME --name TEMPLATE --out FILE
    adoption-desktop import template --db PATH --user NAME --name TEMPLATE (--file FILE | --restore-shipped)
        [--note TEXT]

TEMPLATE is a letter template name (e.g. ``adm_approval``, ``letterbox_reminder``; ``.txt`` files) or
``minutes`` (a Word ``.docx``). ``export template --list`` prints every template, the version in use and
the placeholders it may use.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adoption_desktop.cli import CliRegistry


def _export(args: argparse.Namespace) -> int:
    from adoption_desktop import template_admin as ta
    from adoption_desktop.cli_support import CliError, signed_in

    if not args.list and not (args.name and args.out):
        raise CliError("export template: give --name and --out (or --list).")
    with signed_in(args) as (db, user):
        if args.list:
            for t in ta.list_templates(db, user):
                print(f"{t.name}\t{t.label}\t{', '.join(t.placeholders)}")
            return 0
        out = ta.export_template(db, user, args.name, Path(args.out))
    print(f"Wrote template {args.name} to {out}")
    return 0


def _template_suffixes(args: argparse.Namespace) -> tuple[str, ...]:
    """A letter template is written as text, the minutes template as the Word file it is."""
    from adoption_desktop.template_admin import MINUTES

    return (".docx",) if args.name == MINUTES else (".txt",)


def _import(args: argparse.Namespace) -> int:
    from adoption_desktop import template_admin as ta
    from adoption_desktop.cli_support import CliError, signed_in

    if bool(args.file) == bool(args.restore_shipped):
        raise CliError("import template: give either --file FILE or --restore-shipped.")
    note = ta.clean_note(args.note, "--note")  # checked before anything is opened
    with signed_in(args) as (db, user):
        if args.restore_shipped:
            version = ta.restore_shipped(db, user, args.name, note=note)
        else:
            version = ta.import_template(db, user, args.name, Path(args.file), note=note, file_label="--file")
        warning = ta.long_letter_warning(db, user, args.name)
    print(f"Template {args.name}: version {version} is now in use")
    if warning:
        print(f"adoption-desktop: note: {warning}", file=sys.stderr)
    return 0


def register(registry: CliRegistry) -> None:
    from adoption_desktop.cli import add_user_option

    p = registry.export.add_parser(
        "template", help="a letter or minutes template as a file (administrators)",
        description="Write the template in use (the agency's own version, or the shipped one) to a file: "
                    ".txt for a letter, .docx for the minutes.")
    p.add_argument("--db", required=True, help="database file or PostgreSQL URL")
    p.add_argument("--name", help="template name, e.g. letterbox_reminder or minutes")
    p.add_argument("--out", help="file to write: FILE.txt for a letter template, FILE.docx for the minutes")
    p.add_argument("--list", action="store_true", help="list the templates, versions and placeholders instead")
    add_user_option(p)
    p.set_defaults(handler=_export, out_suffixes=_template_suffixes)

    p = registry.import_.add_parser(
        "template", help="an edited letter or minutes template (administrators)",
        description="Save an edited template file as the newest version (checked first: an unknown "
                    "placeholder is refused, naming it), or go back to the shipped version.")
    p.add_argument("--db", required=True, help="database file or PostgreSQL URL")
    p.add_argument("--name", required=True, help="template name, e.g. letterbox_reminder or minutes")
    p.add_argument("--file", help="the edited .txt (letter) or .docx (minutes)")
    p.add_argument("--restore-shipped", action="store_true", help="use the program's own version again")
    p.add_argument("--note", help="why it changed (kept in the version history)")
    add_user_option(p)
    p.set_defaults(handler=_import)
