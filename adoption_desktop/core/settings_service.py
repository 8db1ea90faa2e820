"""Reading and changing local-practice settings and closure days (changes audited, admins only)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core.concurrency import lock_row, stale
from adoption_desktop.core.config import SETTINGS_REGISTRY, Setting
from adoption_desktop.core.errors import StaleRecord, ValidationError
from adoption_desktop.core.models import ClosureDay, SettingValue
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.workdays import WorkingCalendar

T = TypeVar("T")


def get_setting(session: Session, setting: Setting[T]) -> T:
    row = session.get(SettingValue, setting.key)
    try:
        return setting.parse(row.value if row else None)
    except ValueError:  # a damaged stored value: the default applies (an administrator can set it again)
        return setting.default


def all_settings(session: Session) -> dict[str, Any]:
    stored = {r.key: r.value for r in session.scalars(select(SettingValue))}
    return {k: s.parse(stored.get(k)) for k, s in sorted(SETTINGS_REGISTRY.items())}


def setting_versions(session: Session) -> dict[str, int]:
    """Each stored setting's ``row_version`` (0: never stored, the default applies)."""
    stored = {k: v for k, v in session.execute(select(SettingValue.key, SettingValue.row_version))}
    return {k: int(stored.get(k, 0)) for k in sorted(SETTINGS_REGISTRY)}


def set_setting(db: Database, actor: Principal, setting: Setting[T], value: T, *,
                expected_version: int | None = None) -> None:
    """``expected_version``: the setting's version the form showed (0 when it was not stored); when another
    administrator changed it meanwhile nothing is saved (:class:`StaleRecord` with their value)."""
    require(actor, Permission.SETTINGS_MANAGE)
    is_count = isinstance(setting.default, int) and not isinstance(setting.default, bool)
    if is_count and (not isinstance(value, int) or isinstance(value, bool) or value < setting.minimum):
        raise ValidationError(f"{setting.label}: enter a whole number of {setting.minimum} or more.", setting.key)
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


def add_closure_day(db: Database, actor: Principal, day: dt.date, reason: str) -> None:
    require(actor, Permission.SETTINGS_MANAGE)
    if not reason.strip():
        raise ValidationError("Reason: say why the agency is closed that day.", "reason")
    with db.session(actor) as session:
        if session.get(ClosureDay, day) is None:
            session.add(ClosureDay(day=day, reason=reason.strip()))


def remove_closure_day(db: Database, actor: Principal, day: dt.date) -> None:
    require(actor, Permission.SETTINGS_MANAGE)
    with db.session(actor) as session:
        row = session.get(ClosureDay, day)
        if row is not None:
            session.delete(row)
