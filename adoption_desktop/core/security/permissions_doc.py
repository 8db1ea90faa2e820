"""Render the permission matrix as Markdown (docs/permissions.md is this text; a test keeps them equal).

    python -m adoption_desktop.core.security.permissions_doc > docs/permissions.md
"""

from __future__ import annotations

from adoption_desktop.core.security.permissions import MATRIX, Permission, Role

MEANINGS: dict[Permission, str] = {
    Permission.USERS_MANAGE: "create users, set roles, disable (never delete), reset passwords, unlock",
    Permission.SETTINGS_MANAGE: "change local-practice settings and agency closure days",
    Permission.AUDIT_VIEW: "view, filter and export the audit log",
    Permission.DATABASE_BACKUP: "back up the database from the application",
    Permission.REPORTS_VIEW: "figures for six-monthly and annual reports (counts only, never names)",
    Permission.PANEL_VIEW: "read the central list, sittings, agendas and minutes",
    Permission.PANEL_EDIT: "maintain the central list, sittings, agendas, attendance, recommendations, draft minutes",
    Permission.PANEL_APPROVE_MINUTES: "approve minutes as chair (re-entering the password)",
    Permission.ADM_VIEW: "read the decision queue and decisions",
    Permission.ADM_DECIDE: "record and sign decisions as Agency Decision Maker (re-entering the password)",
    Permission.ADM_EDIT: "open decisions without panel, log information received, record letters sent",
    Permission.LETTERBOX_VIEW: "read letterbox arrangements and items",
    Permission.LETTERBOX_EDIT: "maintain arrangements, log, screen and forward items, send letters",
    Permission.LETTERBOX_SECOND_CHECK: "confirm an item as the second checker",
    Permission.LETTERBOX_IMPORT: "import an existing register from a spreadsheet",
    Permission.COUNSELLING_VIEW: "open birth-records counselling cases (names and records)",
    Permission.COUNSELLING_EDIT: "maintain counselling cases, requests, sessions, disclosures, letters",
}


def render() -> str:
    roles = list(Role)
    lines = [
        "# Permission matrix",
        "",
        "Generated from `adoption_desktop/core/security/permissions.py` "
        "(`python -m adoption_desktop.core.security.permissions_doc > docs/permissions.md`); a test fails "
        "when this file and the code differ. The services enforce it: every service call checks the "
        "signed-in user's permission before it reads case records or writes anything, so hiding a button "
        "is never the only protection.",
        "",
        "| permission | meaning | " + " | ".join(r.label for r in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for perm in Permission:
        marks = " | ".join("✔" if perm in MATRIX[r] else "" for r in roles)
        lines.append(f"| `{perm.value}` | {MEANINGS[perm]} | {marks} |")
    lines += [
        "",
        "A user may hold several roles; their permissions add up. Special rules enforced in the services "
        "besides the matrix:",
        "",
        "- The Agency Decision Maker cannot sign a decision on an item for which they were a member of the "
        "panel sitting.",
        "- Signed ADM decisions and approved minutes are never changed; corrections are new versions.",
        "- Counselling records are visible to counsellors and administrators only; other roles see counts.",
        "- The six-monthly/annual report needs `reports.view` (counts only); the Ofsted pack names panel members and "
        "holds approved minutes, so it needs `panel.view`, `adm.view` and `reports.view` together.",
        "- The child's journey (docs/reports.md): children on an ADM plan decision are added and linked with "
        "`adm.edit`, on a panel match item with `panel.edit`; either lets a person edit a child's dates; they "
        "are listed with `adm.view` / `panel.view`. Adopter stages need `panel.edit`. The timeliness measures "
        "and the Reports page's figures need `reports.view` (counts only); the children or adopter households "
        "behind a figure (`reports.measures`, `reports.behind`: references, initials, dates) are listed, like "
        "their own records, only with `adm.view` or `panel.view` as well, so the Manager sees the count. The "
        "cases behind another area's figure need that area's permission (`adm.view`, `letterbox.view`, "
        "`counselling.view`, `panel.view`).",
        "- An administrator cannot disable their own account.",
        "- A user disabled, whose roles change or whose password changes while signed in (an administrator's "
        "reset, or their own change in another window or on another PC) is refused at their next action "
        "(\"Your password was changed since you signed in …; sign in again.\"); that refusal is audited too, "
        "naming what they tried (once for each thing tried). The window where they changed their own "
        "password stays signed in. Signing out is never refused.",
        "- **A role is given only through the application.** A role row on an account that the application "
        "did not write (inserted or changed in SQL by someone holding the database key or the server login: "
        "it has no seal of the application's, does not match it, or its seal record has no intact audit "
        "entry behind it) is **not in effect**: the account signs in without it, the sign-in's audit entry names it (\"roles not in effect: …\"), the person is told in "
        "the status bar and on hover over their name (a command says it on stderr), and Administration → "
        "Users lists it as \"NOT IN EFFECT (added outside the application)\", unticked. `verify` names the row "
        "as before. Nor does it put the account on the lists a role is chosen from (the counsellors a case is "
        "allocated to, an arrangement's coordinators). If the role is meant, an administrator ticks it and saves: the old row is removed and a "
        "new one is written, sealed and audited as that administrator's grant. Saving the account's roles "
        "without ticking it removes the row. A role row added while someone is signed in ends their session "
        "at the next step (\"roles were changed\"), as any change of roles does. Not caught: someone holding "
        "the application login who also writes a well-formed seal and audit entry, as the application would "
        "(see the IT guide, \"What verify catches in team mode\").",
        "- **An account changed outside the application does not sign in.** When an account's own row is not as "
        "the application last wrote it (a password hash replaced or a disabled account enabled again in SQL, "
        "by someone holding the key or the server login), its sign-in and its password confirmations are "
        "refused: \"This account was changed outside the application, so it cannot sign in. Ask an "
        "administrator to reset its password.\" `verify` names the change. Each such change is audited at "
        "its first refusal. An "
        "administrator's password reset is the way back: it seals the row again under that administrator's "
        "name, and its audit entry says what had been changed. Keep two administrator accounts: an "
        "administrator's own account changed this way needs another administrator to reset it. While the "
        "database is held for an audit alert (its log does not match the record kept outside it), this check "
        "and the one of role rows are set aside: the seals may be what is missing, and an administrator must "
        "be able to sign in to acknowledge the alert.",
        "- A reset is refused when the password was set again after the administrator's list of users was "
        "read (by another administrator, or by the user): two administrators answering one call would "
        "otherwise both reset it, and the first would give out a password that no longer works. Reload the "
        "list and check with the user first.",
        "- A password an administrator set (a new account's first password, a reset) must be changed by its "
        "user at their next sign-in: the window asks for a password of their own before anything else, and "
        "every other step is refused until then (a headless command stops with that message, recorded as a "
        "refused sign-in). Changing one's own password needs the current one, and is allowed during an audit "
        "alert (audited), so that an administrator whose password was reset can then acknowledge it.",
        "- A new password (a new user, a reset, a change, the first administrator) must have at least 10 "
        "characters and be rated 3 of 4 or better by zxcvbn, with the person's names as first guesses, and may "
        "not be made of those names (\"jadmin-jadmin\", which zxcvbn rates 3, is refused: nothing but the "
        "names, whole, joined by digits, spaces or signs, or with a letter or two added to a name of four "
        "letters or more, \"jadmin-jadminx\"; a short name inside another word does not count, so \"Medal "
        "pedal 4731\" is Ed Al's to choose); a password typed to sign in is never re-checked.",
        "- A new user name uses only the letters A to Z, digits, dots, dashes and underscores (no accented or "
        "look-alike letters), and may not differ from another only in case. Sign-in ignores case.",
        "- A sign-in refused for an unknown user name, a disabled or a locked account is audited "
        "(`sign_in_refused`, with the reason and, for an existing account, the user name as typed, cut to 60 characters; a name that is no account's is not kept, as it may be a password typed in the wrong box), as a wrong "
        "password is (`sign_in_failed`).",
        "- Every refusal of a signed-in user for want of a permission (a headless command run by the wrong "
        "role, say) is audited: a `refused` entry under the user's name, naming the use case and the "
        "permissions it needed (Administration → Audit log, action \"Refused\"). A headless command with a wrong "
        "password records the failed sign-in only.",
        "- The audit log viewer (Administration → Audit log) shows each entry in words: the action (\"Signed in\", "
        "\"Changed\", \"Qualifying determination: notice sent\"), the record (\"ADM qualifying determination 7\", "
        "\"Letterbox items (many)\" for a bulk entry) and the changes (\"full name: “Ann Example” → “Ann Sample”; "
        "disabled: no → yes\"; a password is never shown). The entry as logged — the codes and the JSON that the "
        "hash chain covers — is in each cell's tooltip, and unchanged in the CSV export and in `verify`'s report. "
        "The Action and Record type filters take the words or the codes (`adoption_desktop.core.audit.readable`).",
        "- File → Back up database is enabled only for people with `database.backup` (administrators); for others "
        "it is greyed, its tooltip saying who can.",
        "- A new recovery key (Administration → Users → New recovery key…, or `adoption-desktop new-recovery-key "
        "--db PATH --user ADMIN`) needs `users.manage` (administrators); anyone else is refused and nothing "
        "changes. It is audited as \"Recovery key replaced\", with no key in the entry.",
        "- A new database key (`adoption-desktop new-database-key --db PATH --user ADMIN`: the file re-encrypted, the "
        "recovery sheet kept) needs `users.manage` (administrators) and the recovery key; anyone else is refused and "
        "nothing changes. It is audited as \"Database key replaced\", with no key in the entry.",
        "- Moving a database file onto a team server (`adoption-desktop move-to-server --db FILE --to URL --user "
        "ADMIN`) needs an account with the Administrator role in the file, signed in and audited there; anyone "
        "else is refused and nothing is written on the server.",
        "- Headless commands that read or write case data (`adoption-desktop export …`, `import …`) sign in "
        "as a named user (`--user NAME`, password from `ADOPTION_DESKTOP_PASSWORD` or a prompt) through the "
        "same sign-in as the window (lock-out, disabled accounts), act with that user's roles only and are "
        "audited under that name. IT commands (`verify`, `backup`, `restore`, `recover`, `paths`, `upgrade`, "
        "`move-database`, `init`, `demo`) need the database key but no user and read no case records.",
        "- Undo (Edit → Undo, Ctrl+Z) is a new change through the same use cases: it needs the permission the "
        "action needed (`panel.edit`, `adm.decide`, `letterbox.edit`, `settings.manage`), checked again when it "
        "runs, and each signed-in session has its own stack, emptied at sign-out, so nobody undoes another "
        "person's action (docs/architecture.md, \"Undo\").",
        "- **The access review** (Administration → Access review, or `adoption-desktop access-review --db PATH "
        "--user ADMIN [--out FILE.csv]`) needs `users.manage` (administrators): every account, its roles and what "
        "they allow in each area (this matrix, in words), enabled, disabled or locked, its last sign-in, and the "
        "enabled accounts not used for 90 days (a setting) marked NOT USED in words. Recording that the review was "
        "done (who, when, a note, and the accounts as they were) needs `users.manage` too; it is audited and sealed "
        "(`access_reviews`), and refused when another review was recorded, or an account's roles or state "
        "changed, after the reviewer's list was read. The command's printed list is audited as a view of it (the "
        "terminal may be a file), its `--out` CSV as an export; the page's tabs are not audited (accounts, not "
        "case records, read inside the application). The next review is due 6 months (a setting) after the last. "
        "No new permission: the review lists staff accounts, not case records, and the Manager stays figures only.",
        "- **Who has seen this record** (a letterbox arrangement, a counselling case, an ADM decision, a panel "
        "agenda item: *Who has seen this…*, Ctrl+Shift+H) needs `audit.view` (administrators): every opening and "
        "change of the record and of the records belonging to it (down to a letter's scanned file), from the audit log; each look is "
        "audited as a view of the audit log naming the record.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
