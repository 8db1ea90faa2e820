"""``adoption-desktop policy``: the machine policy IT has set and where it was read (IT command).

Also the one place where the CLI applies policy to other commands: a command given no ``--db``
uses the policy's database (``TeamServerUrl`` or ``DatabasePath``), and ``backup`` given no ``--out``
writes into the policy's ``BackupFolder`` (or the user's backups folder).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adoption_desktop.cli import CliRegistry

#: Commands whose ``--db`` names an existing database that policy may supply. ``init``, ``demo`` and
#: ``restore`` create one (their ``--db`` is a destination) and never take it from policy.
POLICY_DB_COMMANDS = frozenset({"verify", "backup", "upgrade", "export", "import", "recover", "team-setup"})


def with_policy_database(args: Sequence[str]) -> list[str]:
    """``args`` with ``--db`` added from the machine policy when the command needs one and none was
    given; unchanged otherwise (argparse then asks for ``--db`` as before)."""
    from adoption_desktop.core.policy import current_policy

    out = list(args)
    if not out or out[0] not in POLICY_DB_COMMANDS:
        return out
    if any(a == "--db" or a.startswith("--db=") for a in out) or any(a in ("-h", "--help") for a in out):
        return out
    database = current_policy().database
    if database:
        out += ["--db", database]
    return out


def _cmd_policy(args: argparse.Namespace) -> int:
    from adoption_desktop.core.policy import POLICY_VALUES, current_policy, load_install_defaults

    policy = current_policy()
    print(f"policy read from: {policy.source or '(none set on this computer)'}")
    width = max(len(v.name) for v in POLICY_VALUES)
    for spec in POLICY_VALUES:
        value = policy.get(spec.name)
        shown = "(not set)" if value is None else str(value).replace("\n", " / ")
        print(f"  {spec.name.ljust(width)}  {shown}    {spec.label}")
    defaults = load_install_defaults()
    print("installation defaults (MSI properties):")
    print(f"  {'DatabaseFolder'.ljust(width)}  {defaults.database_folder or '(not set)'}")
    print(f"  {'TeamServerUrl'.ljust(width)}  {defaults.team_server_url or '(not set)'}")
    for problem in policy.problems:
        print(f"PROBLEM: {problem}")
    return 1 if policy.problems else 0


def register(registry: CliRegistry) -> None:
    p = registry.top.add_parser("policy", help="the machine policy set by IT, and the installation defaults")
    p.set_defaults(handler=_cmd_policy)
