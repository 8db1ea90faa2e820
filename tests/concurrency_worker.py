"""Runs in a separate process (multiprocessing, forked from a fork server: see :func:`context`): opens the
same database with its own engine and performs one use case per round, every round starting together with
the other process (a barrier)."""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import multiprocessing.process
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from adoption_desktop.core.errors import AppError
from adoption_desktop.core.storage.engine import Database, open_postgresql, open_sqlcipher


def _sign(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.adm import service

    service.sign_decision(db, p["user"], p["id"], p["password"], p["day"], expected_version=p.get("version"))


def _minutes(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.panel import service

    service.save_minutes(db, p["user"], p["id"], service.MinutesDraft(discussion=p["text"]),
                         expected_version=p.get("version"))


def _outcome(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.letterbox import service

    service.record_outcome(db, p["user"], p["id"], p["outcome"], p["day"], reason=p.get("reason", ""),
                           expected_version=p.get("version"))


def _outcome_confirmed(db: Database, p: dict[str, Any]) -> None:
    """As the item dialog does: every check first (``check_only``), the user confirms, then the record."""
    from adoption_desktop.letterbox import service

    kw = {"reason": p.get("reason", ""), "expected_version": p.get("version")}
    service.record_outcome(db, p["user"], p["id"], p["outcome"], p["day"], check_only=True, **kw)
    service.record_outcome(db, p["user"], p["id"], p["outcome"], p["day"], **kw)


def _reword_reason(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.letterbox import service

    service.reword_return_reason(db, p["user"], p["id"], p["reason"], expected_version=p.get("version"))


def _reminders(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.letterbox.documents import write_batch

    write_batch(db, p["user"], "reminder", Path(p["out"]), month=p["month"], today=p["day"])


def _arrangement(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.letterbox import service

    service.update_arrangement(db, p["user"], p["id"], p["data"], expected_version=p.get("version"))


def _referral(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.letterbox import support

    support.update_referral(db, p["user"], p["id"], p["data"], expected_version=p.get("version"))


def _counselling_referral(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.counselling import service

    service.update_referral(db, p["user"], p["id"], p["data"], p["day"], expected_version=p.get("version"))


def _counselling_checks(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.counselling import service

    service.record_checks(db, p["user"], p["id"], acr_checked_on=p["day"], acr_note=p["note"], today=p["day"],
                          expected_version=p.get("version"))


def _counselling_receipt(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.counselling import service

    service.record_receipt(db, p["user"], p["id"], p["day"], p["format"], p["pages"], today=p["day"])


def _admin_change(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.core.security import service
    from adoption_desktop.core.security.permissions import Role

    if p["action"] == "take_admin_role":
        service.set_roles(db, p["user"], p["id"], [Role.MANAGER])
    else:
        service.set_disabled(db, p["user"], p["id"], True)


def _item_absence(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.panel import service

    service.record_item_absence(db, p["user"], p["id"], p["member"], p["reason"])


def _attendance(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.panel import service

    service.set_attendance(db, p["user"], p["sitting"], p["member"], p["status"], expected=p.get("expected"))


def _rest_present(db: Database, p: dict[str, Any]) -> None:
    """"All not recorded → present" from a screen showing ``seen`` as not recorded; the people skipped
    (someone else marked them meanwhile) are reported as a Conflict naming them (the marks made stand)."""
    from adoption_desktop.core.errors import Conflict
    from adoption_desktop.panel import service

    done = service.mark_rest_present(db, p["user"], p["sitting"], p["seen"])
    if done.skipped:
        raise Conflict("; ".join(done.skipped))


def _household(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.journey import adopters

    adopters.update_household(db, p["user"], p["id"], p["data"], expected_version=p.get("version"))


def _wrong_password(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.core.security.service import authenticate

    authenticate(db, p["username"], "not-the-password", now=p.get("now"))


def _oral_told(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.adm import service

    service.record_oral_notification(db, p["user"], p["id"], p["day"])


def _sign_in(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.core.security.service import authenticate

    authenticate(db, p["username"], p["password"])


OPS: dict[str, Callable[[Database, dict[str, Any]], None]] = {
    "sign": _sign, "minutes": _minutes, "outcome": _outcome, "outcome_confirmed": _outcome_confirmed,
    "reminders": _reminders, "arrangement": _arrangement,
    "referral": _referral, "counselling_referral": _counselling_referral,
    "counselling_checks": _counselling_checks, "counselling_receipt": _counselling_receipt, "household": _household, "admin_change": _admin_change, "wrong_password": _wrong_password,
    "sign_in": _sign_in, "oral_told": _oral_told,
    "item_absence": _item_absence, "reword_reason": _reword_reason, "attendance": _attendance,
    "rest_present": _rest_present}


def _screen_item(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.letterbox import service

    service.screen_item(db, p["user"], p["id"], p["text"], expected_version=p.get("version"))


OPS["screen_item"] = _screen_item

#: one window's hold on a form's draft per key, kept from round to round in this process
_DRAFT_COPIES: dict[str, Any] = {}


def _draft(db: Database, p: dict[str, Any]) -> None:
    """This process is a window with the form open: it keeps its draft (``core.drafts.DraftCopy``)."""
    from adoption_desktop.core.drafts import DraftCopy
    from adoption_desktop.core.security.service import authenticate

    if p["key"] not in _DRAFT_COPIES:
        _DRAFT_COPIES[p["key"]] = DraftCopy(db, authenticate(db, p["username"], p["password"]), p["key"])
    _DRAFT_COPIES[p["key"]].save(p["text"])


OPS["draft"] = _draft


def open_target(target: str, key_hex: str | None) -> Database:
    return open_sqlcipher(Path(target), bytes.fromhex(key_hex)) if key_hex else open_postgresql(target)


#: what the processes use, imported once by the fork server rather than again by every process (a spawned
#: process spent about 1 s of CPU importing them: some 70 processes in tests/core/test_concurrency.py)
PRELOAD = ["tests.concurrency_worker", "adoption_desktop.adm.service", "adoption_desktop.panel.service",
           "adoption_desktop.letterbox.service", "adoption_desktop.letterbox.support",
           "adoption_desktop.letterbox.documents", "adoption_desktop.counselling.service",
           "adoption_desktop.core.security.service", "adoption_desktop.core.settings_service",
           "adoption_desktop.core.drafts", "adoption_desktop.journey.adopters"]


def context() -> multiprocessing.context.ForkServerContext:
    """Processes forked from a fork server that has imported :data:`PRELOAD`: each one a real process with
    its own engine and connections, opened after the fork, as a spawned one was (the server itself never
    opens a database), without each importing the program again. Start them with :func:`process`."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def process(ctx: multiprocessing.context.ForkServerContext, *args: Any) -> multiprocessing.process.BaseProcess:
    """A process of ``ctx`` running :func:`run` with ``args`` in this process's environment as it is now
    (a spawned process's; a forked one would have the fork server's, as it was when the server started)."""
    return ctx.Process(target=_run_in, args=(dict(os.environ), *args))


def _run_in(environ: dict[str, str], *args: Any) -> None:
    os.environ.clear()
    os.environ.update(environ)
    run(*args)


def run(target: str, key_hex: str | None, op: str, rounds: list[dict[str, Any]], barrier: Any,
        results: Any, who: str) -> None:
    db = open_target(target, key_hex)
    try:
        for i, payload in enumerate(rounds):
            barrier.wait(timeout=120)
            try:
                OPS[op](db, payload)
                results.put((who, i, "ok", ""))
            except AppError as exc:
                results.put((who, i, type(exc).__name__, str(exc)))
            except threading.BrokenBarrierError:
                raise
            except Exception as exc:  # reported to the test, which fails on it
                results.put((who, i, "crash:" + type(exc).__name__, str(exc)))
    finally:
        db.engine.dispose()



def _reissue_notice(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.adm import service

    service.reissue_notice(db, p["user"], p["id"], p["day"])


def _notice_sent(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.adm import service

    service.mark_letter_sent(db, p["user"], p["id"], p["day"])


def _move_sitting(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.panel import service

    service.move_sitting(db, p["user"], p["id"], p["day"], "Room double-booked", today=p["today"])


def _approve_minutes(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.panel import service

    service.approve_minutes(db, p["user"], p["id"], p["password"], today=p["today"])


OPS.update(reissue_notice=_reissue_notice, notice_sent=_notice_sent, move_sitting=_move_sitting,
           approve_minutes=_approve_minutes)


def _create_user(db: Database, p: dict[str, Any]) -> None:
    """A new account; ``pause``: seconds to wait after the name was found free (both processes past the
    check before either inserts, as two administrators clicking OK at once)."""
    import time

    from adoption_desktop.core.security import service
    from adoption_desktop.core.security.permissions import Role

    if p.get("pause"):
        checked = service._validate_new

        def slow(*args: Any, **kw: Any) -> tuple[str, str]:
            out = checked(*args, **kw)
            time.sleep(p["pause"])
            return out

        service._validate_new = slow  # type: ignore[assignment]
    service.create_user(db, p["user"], p["username"], p["full_name"], p["password"], [Role.COUNSELLOR])


OPS.update(create_user=_create_user)


def _closure_day(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.core.settings_service import add_closure_day

    add_closure_day(db, p["user"], p["day"], p["reason"])


OPS.update(closure_day=_closure_day)


def _unlock(db: Database, p: dict[str, Any]) -> None:
    from adoption_desktop.core.security import service

    service.unlock_account(db, p["user"], p["id"])


OPS.update(unlock=_unlock)
