"""Reading and changing local-practice settings and closure days (changes audited, admins only)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core.concurrency import lock_row, not_removed, stale
from adoption_desktop.core.config import SETTINGS_REGISTRY, Setting
from adoption_desktop.core.errors import StaleRecord, ValidationError
from adoption_desktop.core.models import ClosureDay, SettingValue
from adoption_desktop.core.policy import current_policy
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.workdays import WorkingCalendar

T = TypeVar("T")


def _policy_value(setting: Setting[T]) -> tuple[bool, Any]:
    """IT's machine policy for this setting: ``(locked, value or None)`` (see ``core.policy``)."""
    return current_policy().setting_override(setting.key)


def get_setting(session: Session, setting: Setting[T]) -> T:
    locked, value = _policy_value(setting)
    if locked and value is not None:
        return value
    row = session.get(SettingValue, setting.key)
    try:
        return setting.parse(row.value if row else None)
    except ValueError:  # a damaged stored value: the default applies (an administrator can set it again)
        return setting.default


def all_settings(session: Session) -> dict[str, Any]:
    stored = {r.key: r.value for r in session.scalars(select(SettingValue))}
    values: dict[str, Any] = {}
    for key, setting in sorted(SETTINGS_REGISTRY.items()):
        locked, value = _policy_value(setting)
        values[key] = value if locked and value is not None else setting.parse(stored.get(key))
    return values


def locked_by_policy(setting: Setting[Any]) -> str | None:
    """The name of the IT policy value that fixes this setting on this PC, or ``None``."""
    return current_policy().locked_by(setting.key)


def setting_versions(session: Session) -> dict[str, int]:
    """Each stored setting's ``row_version`` (0: never stored, the default applies)."""
    stored = {k: v for k, v in session.execute(select(SettingValue.key, SettingValue.row_version))}
    return {k: int(stored.get(k, 0)) for k in sorted(SETTINGS_REGISTRY)}


def set_setting(db: Database, actor: Principal, setting: Setting[T], value: T, *,
                expected_version: int | None = None) -> None:
    """``expected_version``: the setting's version the form showed (0 when it was not stored); when another
    administrator changed it meanwhile nothing is saved (:class:`StaleRecord` with their value)."""
    require(actor, Permission.SETTINGS_MANAGE)
    policy_name = locked_by_policy(setting)
    if policy_name is not None:
        raise ValidationError(
            f"{setting.label}: set by your IT department for this computer (policy {policy_name}); "
            "ask IT to change it.", setting.key)
    value = setting.check(value)  # a whole number within its range; a prefix in capitals (its own rules)
    if isinstance(value, str):  # agency name, address, letter texts: what is stored is what a person sees
        from adoption_desktop.core.text_input import clean_text

        value = clean_text(value, setting.label, multiline=True, max_length=4000)  # type: ignore[assignment]
    with db.session(actor) as session:
        row = session.get(SettingValue, setting.key)
        if row is not None:
            lock_row(session, row)
        if expected_version is not None and (row.row_version if row is not None else 0) != expected_version:
            if row is None:
                raise StaleRecord(f"{setting.label}: the stored value was removed since you opened the form; "
                                  "reload it.", what=setting.label, your_version=expected_version)
            raise stale(session, row, expected_version, f"the setting {setting.label!r}",
                        lambda r: {setting.label: str(setting.parse(r.value))})
        if row is None:
            session.add(SettingValue(key=setting.key, value=json.dumps(value)))
        else:
            row.value = json.dumps(value)


def calendar(session: Session) -> WorkingCalendar:
    """Bank holidays plus this agency's closure days."""
    return WorkingCalendar(session.scalars(select(ClosureDay.day)))


def closure_reasons(session: Session, start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """The agency's closure days from ``start`` to ``end`` (both included) with their reasons: the days
    :func:`calendar` skips, said in words (e.g. a warning before a panel sits on one)."""
    rows = session.execute(select(ClosureDay.day, ClosureDay.reason).where(ClosureDay.day.between(start, end)))
    return {day: reason or "" for day, reason in rows}


def closure_day_problem(day: dt.date) -> str | None:
    """Why ``day`` need not be a closure day: a weekend or a bank holiday is never a working day already (a
    trial's administrator added Christmas Day and a Saturday, and the list then read as if they mattered).
    None for a working day."""
    from adoption_desktop.core.workdays import bank_holiday_name

    if day.weekday() >= 5:
        return (f"Closure day: {day:%A %d/%m/%Y} is a weekend day, never a working day; add only the weekdays "
                "the agency is closed.")
    if (name := bank_holiday_name(day)) is not None:
        return (f"Closure day: {day:%A %d/%m/%Y} is a bank holiday ({name}), already not a working day; add "
                "only the other days the agency is closed.")
    return None


def add_closure_day(db: Database, actor: Principal, day: dt.date, reason: str) -> None:
    """A day the agency is closed (not a working day). A day already recorded is left as it is; two
    administrators adding the same day at once leave one record, and the second is told (team mode gave
    them a raw unique-key error). The reason is printed on warnings and exported: it may not begin like a
    spreadsheet formula."""
    require(actor, Permission.SETTINGS_MANAGE)
    from sqlalchemy.exc import IntegrityError

    from adoption_desktop.core.errors import Conflict
    from adoption_desktop.core.text_input import check_date, clean_name

    check_date(day, "Closure day", "schedule", required=True)
    if (problem := closure_day_problem(day)) is not None:
        raise ValidationError(problem, "day")
    reason = clean_name(reason, "Reason", max_length=200)
    if not reason.strip():
        raise ValidationError("Reason: say why the agency is closed that day.", "reason")
    with db.session(actor) as session:
        if session.get(ClosureDay, day) is not None:
            return
        try:
            with session.begin_nested():
                session.add(ClosureDay(day=day, reason=reason.strip()))
        except IntegrityError as exc:
            raise Conflict(f"Closure day {day:%d/%m/%Y} was added by someone else a moment ago; it is recorded "
                           "once.") from exc


def remove_closure_day(db: Database, actor: Principal, day: dt.date, *, expected_reason: str | None = None
                       ) -> str | None:
    """Take ``day`` off the closure days; returns the reason it had (None: it was not one). ``expected_reason``:
    the reason the administrator's list showed — if another administrator changed the day since (removed it and
    added it back for another reason), nothing is removed and :class:`StaleRecord` says who and when. ``None``
    (scripts): the day as stored now is removed."""
    require(actor, Permission.SETTINGS_MANAGE)
    with db.session(actor) as session:
        row = session.get(ClosureDay, day)
        if row is None:
            return None
        lock_row(session, row)
        if expected_reason is not None and row.reason != expected_reason:
            from adoption_desktop.core.undo import changed_since, day_text

            what = f"the closure day {day_text(day)}"
            found = changed_since(session, "closure_days", [day.isoformat()], what, {"Reason": row.reason})
            at = found.saved_at if isinstance(found.saved_at, dt.datetime) else None
            raise StaleRecord(
                not_removed(found.saved_by, what, at, did="changed"),
                what=what, saved_by=found.saved_by, saved_at=at, saved_values=found.saved_values)
        reason = str(row.reason)
        session.delete(row)
        return reason
