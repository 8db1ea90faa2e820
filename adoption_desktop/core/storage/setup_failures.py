"""Plain words for the PostgreSQL server's refusals of IT's ``team-setup``.

A team-mode trial read the driver's own text ("connection failed: connection to server at …, port …
failed: FATAL: database "adk" does not exist"), followed by advice to use a login that can create roles,
which was wrong for a missing database, a wrong password and a stopped server alike. Each common failure
now has its own sentence saying what to put right; the driver's text follows on a line of its own, for IT.
"""

from __future__ import annotations

import re

from sqlalchemy import URL, exc

from adoption_desktop.core.errors import AppError
from adoption_desktop.core.storage.engine import _NO_SLOT_WORDS, _SECURE_WORDS, _UNREACHED_WORDS

#: the server was not reached: :data:`engine._UNREACHED_WORDS` and a host name that does not resolve
UNREACHED_WORDS = (*_UNREACHED_WORDS, "failed to resolve host", "could not translate host name",
                   "name or service not known", "nodename nor servname", "no such host is known")

NOTHING_CHANGED = "Nothing was changed."
#: said instead once the roles were made: the schema, grants or triggers failed after them
PART_DONE = ("The roles were made or brought into line before this; run team-setup again once this is put "
             "right: it carries on from there.")


class TeamSetupFailed(AppError):
    """team-setup stopped: the plain message, then ``Detail for IT:`` and the server's own words."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(f"{message}\nDetail for IT (the server's words): {detail}" if detail else message)
        self.plain, self.detail = message, detail


def _detail(err: BaseException, url: URL) -> str:
    orig = getattr(err, "orig", None) or err
    said = " ".join(str(orig).split())
    if url.password:
        said = said.replace(str(url.password), "***")
    return said


def setup_failure(err: exc.DBAPIError, url: URL, *, started: bool = False,
                  new_roles: list[str] | None = None) -> TeamSetupFailed:
    """The plain error for ``err``, raised by the server (or the driver) while team-setup ran with ``url``'s
    login; ``started``: after the roles were committed (the schema, search indexes, grants or triggers), of
    which ``new_roles`` were made by this run, their passwords never shown (a run again keeps them)."""
    detail = _detail(err, url)
    # the cause is read from the server's own words, the password not yet hidden in them: a password that is a
    # word of the message ("password") made "password authentication failed" unrecognisable
    said = " ".join(str(getattr(err, "orig", None) or err).split()).lower()
    host, port = url.host or "localhost", url.port or 5432
    user, db = url.username or "(none given)", url.database or "(none given)"
    end = PART_DONE if started else NOTHING_CHANGED
    if new_roles:
        end += (f" The new role{'s' if len(new_roles) > 1 else ''} {' and '.join(new_roles)} got a password "
                "that was not shown: give each one (ALTER ROLE NAME PASSWORD '…') before using its URL.")
    where = f"the PostgreSQL server at {host}:{port}"
    if not started and any(w in said for w in UNREACHED_WORDS[len(_UNREACHED_WORDS):]):
        return TeamSetupFailed(
            f"The server's name {host} is not known on this computer's network: check the host name in --db "
            f"(or use the server's address). {end}", detail)
    if any(w in said for w in UNREACHED_WORDS) or str(getattr(err.orig, "sqlstate", "") or "").startswith(
            ("08", "57P")):
        if started:
            return TeamSetupFailed(f"The connection to {where} was lost during team-setup. {end}", detail)
        return TeamSetupFailed(
            f"Could not reach {where}: it is not running, or the host name or port in --db is wrong, or a "
            f"firewall is in the way. {end}", detail)
    if any(w in said for w in _NO_SLOT_WORDS):
        return TeamSetupFailed(
            f"{where[0].upper()}{where[1:]} is taking no more connections just now (too many are open). Try "
            f"again in a moment; if it goes on, check the server's max_connections. {end}", detail)
    if any(w in said for w in _SECURE_WORDS):
        return TeamSetupFailed(
            f"{where[0].upper()}{where[1:]} refused a secure connection: its certificate could not be checked, "
            f"or the sslmode in --db asks for encryption the server does not offer. {end}", detail)
    if "password authentication failed" in said:
        return TeamSetupFailed(
            f"The server did not accept the password for the login {user} (the password in --db, or in the "
            f".pgpass file). Check it and run team-setup again. {end}", detail)
    if "no password supplied" in said:
        return TeamSetupFailed(
            f"The server asks for a password for the login {user}, and none was given: put it in --db "
            f"(postgresql+psycopg://{user}:PASSWORD@{host}:{port}/{db}) or in the .pgpass file. {end}", detail)
    if "no pg_hba.conf entry" in said:
        return TeamSetupFailed(
            f"The server's pg_hba.conf does not let the login {user} connect to the database {db} from this "
            f"computer: add a line for it there and reload the server. {end}", detail)
    if re.search(r'role ".*" does not exist', said) and "connection" in said:
        return TeamSetupFailed(
            f"The server has no login named {user}. Give in --db a login that exists there: a superuser, or a "
            f"login with the CREATEROLE right that owns the database. {end}", detail)
    if re.search(r'database ".*" does not exist', said):
        return TeamSetupFailed(
            f"The server has no database named {db}. Create it first (createdb -h {host} -p {port} -U {user} "
            f"{db}, or CREATE DATABASE {db} OWNER {user}), or give the right database name at the end of "
            f"--db. {end}", detail)
    if "permission denied for database" in said:
        return TeamSetupFailed(
            f"The login {user} may not connect to the database {db}: it lacks the CONNECT right on it. Run "
            f"team-setup as the database's owner or as a superuser. {end}", detail)
    if "permission denied to create role" in said or "permission denied to alter role" in said:
        return TeamSetupFailed(
            f"The login {user} may not create or change roles: team-setup needs the CREATEROLE right (or a "
            f"superuser). {end}", detail)
    if "must be owner of" in said:
        what = detail.lower().partition("must be owner of")[2].strip().split(" ")  # shown: the password hidden
        named = " ".join(what[:2]) if len(what) >= 2 else "it"
        return TeamSetupFailed(
            f"The login {user} does not own {named}: team-setup is run as the database's owner (with the "
            f"CREATEROLE right) or as a superuser. {end}", detail)
    if "permission denied" in said or str(getattr(err.orig, "sqlstate", "") or "") == "42501":
        return TeamSetupFailed(
            f"The login {user} lacks a right team-setup needs: run it as a superuser, or as a login with the "
            f"CREATEROLE right that owns the database. {end}", detail)
    return TeamSetupFailed(f"team-setup could not finish: the server refused a step. {end}", detail)
