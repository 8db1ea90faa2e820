"""``adoption-desktop access-review --db PATH|URL --user ADMIN [--out FILE.csv]``: the access review as the
Administration page shows it (every account, its roles and what they allow in each area, its state, last
sign-in, the accounts not used), the last review recorded and when the next is due, printed (audited as a view
of the list: the terminal may be a file); ``--out`` also writes it as CSV (audited as an export). Needs ``users.manage`` (administrators). Recording a review is done in the application, where
the reviewer reads the list first."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adoption_desktop.cli import CliRegistry
    from adoption_desktop.core.access_review import AccessReview


def review_lines(review: AccessReview) -> list[str]:
    """The review as plain lines: one block per account, then the last review and the next due."""
    from adoption_desktop.core.access_review import WHERE_SET
    from adoption_desktop.core.access_rules import NO_ACCESS

    lines = []
    for a in review.accounts:
        head = f"{a.username} ({a.full_name}): {a.state}; last sign-in {a.last_sign_in_text}"
        lines.append(head + (f"; {a.unused}" if a.unused else ""))
        lines.append(f"  roles: {a.roles_text}")
        lines += [f"  {area}: {allowed}" for area, allowed in a.areas.items() if allowed != NO_ACCESS]
    lines.append("")
    lines.append(f"{len(review.accounts)} accounts; {review.unused} enabled and not used for "
                 f"{review.unused_days} days or more.")
    if review.last is not None:
        lines.append(f"Last review: {review.last.text()}: {review.last.note}")
    else:
        lines.append("Last review: none recorded.")
    lines.append(f"Next review: {review.due} (every {review.months} months; set in {WHERE_SET}).")
    return lines


def _cmd_access_review(args: argparse.Namespace) -> int:
    from adoption_desktop.cli_support import signed_in
    from adoption_desktop.core import access_review

    with signed_in(args) as (db, user):
        review = access_review.access_review(db, user, printed=True)
        if args.out:
            access_review.export_csv(db, user, Path(args.out))
    print("\n".join(review_lines(review)))
    if args.out:
        print(f"Wrote {args.out}")
    return 0


def register(registry: CliRegistry) -> None:
    from adoption_desktop.cli import add_user_option

    p = registry.top.add_parser("access-review", help="every account, its roles and last sign-in, for the access "
                                                      "review (administrators)")
    p.add_argument("--db", required=True, help="database file or PostgreSQL URL")
    p.add_argument("--out", help="also write the list as FILE.csv (audited)")
    add_user_option(p)
    p.set_defaults(handler=_cmd_access_review, out_suffixes=(".csv",))
