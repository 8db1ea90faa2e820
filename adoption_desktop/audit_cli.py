"""Headless commands for the audit evidence: team mode's roles, acknowledging an audit alert.

``adoption-desktop team-setup --db URL [--owner-role NAME] [--app-role NAME]``
    on a PostgreSQL database, as a login that may create roles: a schema-owner role (upgrades only) and
    an application role that can only append to the audit tables; prints both URLs (and new passwords,
    once). Run it again after every upgrade.
``adoption-desktop audit-acknowledge --db PATH --user NAME --note TEXT``
    an administrator acknowledges an audit alert (the anchors kept outside the database disagreed with
    its log), so work can be saved again; the acknowledgement and what was found are audited.
``adoption-desktop rebuild-search --db PATH --user NAME``
    an administrator has the letterbox's search indexes made again from the records, when ``verify``
    reports records a search would not find (an index row deleted or changed outside the application);
    audited.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adoption_desktop.cli import CliRegistry

ENV_PASSWORD = "ADOPTION_DESKTOP_PASSWORD"


def _cmd_team_setup(args: argparse.Namespace) -> int:
    from adoption_desktop.cli_support import report_wait
    from adoption_desktop.core.storage.team_setup import team_setup

    result = team_setup(args.db, owner_role=args.owner_role, app_role=args.app_role, on_wait=report_wait)
    print(f"Team mode set up: {result.tables} tables; the audit tables accept only new entries.")
    for what, role, password, url in (
            ("schema owner (upgrades only; keep it with IT)", result.owner_role, result.owner_password,
             result.owner_url),
            ("application role (every PC signs in with this)", result.app_role, result.app_password, result.app_url)):
        print(f"{what}: {role}")
        print(f"  URL: {url}" + ("" if password else "   (the role existed: its password was not changed)"))
    if result.owner_password or result.app_password:
        print("The passwords above are shown once. Add ?sslmode=verify-full to the URLs when the server has a "
              "certificate (see docs/it-guide.md, Team mode).")
    return 0


def _cmd_acknowledge(args: argparse.Namespace) -> int:
    from adoption_desktop.cli_support import CliError, ask_secret, cli_database, told_withheld
    from adoption_desktop.core.audit import anchors
    from adoption_desktop.core.security import service as users

    note = anchors.clean_note(args.note, "--note")  # before the password is asked for or anything opened
    no_password = f"No password: set {ENV_PASSWORD} or run in a terminal."
    password = os.environ.get(ENV_PASSWORD) or ask_secret(f"Password for {args.user}: ", no_password)
    if not password:
        raise CliError(no_password)
    with cli_database(args.db) as db:
        if db.audit_hold is None:
            print("There is no audit alert on this database: nothing to acknowledge.")
            return 0
        print(f"Audit alert: {db.audit_hold}")
        principal = told_withheld(users.authenticate(db, args.user, password, can_choose_password=False))
        anchors.acknowledge(db, principal, note, label="--note")
    print("Acknowledged and recorded in the audit log; work can be saved again.")
    return 0


def _cmd_rebuild_search(args: argparse.Namespace) -> int:
    from adoption_desktop.cli_support import CliError, ask_secret, cli_database, told_withheld
    from adoption_desktop.core.security import service as users
    from adoption_desktop.letterbox.search_check import rebuild_search

    no_password = f"No password: set {ENV_PASSWORD} or run in a terminal."
    password = os.environ.get(ENV_PASSWORD) or ask_secret(f"Password for {args.user}: ", no_password)
    if not password:
        raise CliError(no_password)
    with cli_database(args.db) as db:
        principal = told_withheld(users.authenticate(db, args.user, password, can_choose_password=False))
        made = rebuild_search(db, principal)
    print("Search indexes rebuilt from the records: "
          + ", ".join(f"{n} {what}" for what, n in made.items()) + ". Recorded in the audit log.")
    return 0


def register(registry: CliRegistry) -> None:
    p = registry.top.add_parser("team-setup", help="PostgreSQL team mode: schema-owner and application roles, "
                                                   "audit tables append-only")
    p.add_argument("--db", required=True, help="postgresql+psycopg://ADMIN@HOST/DBNAME (a login that may create "
                                               "roles)")
    p.add_argument("--owner-role", default="adoption_owner")
    p.add_argument("--app-role", default="adoption_app")
    p.set_defaults(handler=_cmd_team_setup)

    p = registry.top.add_parser("audit-acknowledge", help="an administrator acknowledges an audit alert so work "
                                                          "can be saved again (audited)")
    p.add_argument("--db", required=True)
    p.add_argument("--user", required=True, help="an administrator's user name (password from "
                                                 f"{ENV_PASSWORD} or a prompt)")
    p.add_argument("--note", required=True, help="what was checked and why work may resume")
    p.set_defaults(handler=_cmd_acknowledge)

    p = registry.top.add_parser("rebuild-search", help="an administrator rebuilds the letterbox's search indexes "
                                                       "from the records (audited)")
    p.add_argument("--db", required=True)
    p.add_argument("--user", required=True, help="an administrator's user name (password from "
                                                 f"{ENV_PASSWORD} or a prompt)")
    p.set_defaults(handler=_cmd_rebuild_search)
