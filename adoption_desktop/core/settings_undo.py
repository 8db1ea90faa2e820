"""Reversible settings changes (no Qt): a local-practice setting, a closure day, the agency profile's
text fields. Each is done through ``settings_service`` / ``agency_profile`` and returns an
:class:`~adoption_desktop.core.undo.UndoEntry`; the reverse is a new audited change with the version this
change made, refused (``StaleRecord``) when another administrator changed it since. A setting that was
never stored (the default applied) goes back to not stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

from adoption_desktop.core.agency_profile import (
    AgencyProfile,
    agency_profile,
    profile_versions,
    save_agency_profile,
)
from adoption_desktop.core.concurrency import lock_row, stale
from adoption_desktop.core.config import Setting
from adoption_desktop.core.errors import StaleRecord, ValidationError
from adoption_desktop.core.models import ClosureDay, SettingValue
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.settings_service import (
    add_closure_day,
    locked_by_policy,
    remove_closure_day,
    set_setting,
)
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.undo import UndoEntry, changed_since, day_text

AREA = "admin"


def _stored(db: Database, actor: Principal, key: str) -> tuple[str | None, int]:
    with db.session(actor, write=False) as session:
        row = session.get(SettingValue, key)
        return (row.value, row.row_version) if row is not None else (None, 0)


def change_setting(db: Database, actor: Principal, setting: Setting[Any], value: Any, *,
                   expected_version: int | None = None) -> UndoEntry | None:
    """``set_setting``, and the entry that gives the setting its previous value (or none stored) back."""
    require(actor, Permission.SETTINGS_MANAGE)
    before, version = _stored(db, actor, setting.key)
    set_setting(db, actor, setting, value, expected_version=expected_version)
    after, new_version = _stored(db, actor, setting.key)
    if after == before and new_version == version:
        return None
    label = f"Changed the setting {setting.label!r} to {setting.display(setting.parse(after))}"
    return _setting_entry(db, actor, setting, before, after, new_version, label)


def _setting_entry(db: Database, actor: Principal, setting: Setting[Any], before: str | None, after: str | None,
                   version: int, label: str) -> UndoEntry:
    def reverse() -> UndoEntry:
        back = restore_setting(db, actor, setting, before, expected_version=version, expected_raw=after)
        return _setting_entry(db, actor, setting, after, before, back, label)

    return UndoEntry(label, reverse, actor.user_id, AREA, f"the setting {setting.label!r}")


def restore_setting(db: Database, actor: Principal, setting: Setting[Any], raw: str | None, *,
                    expected_version: int, expected_raw: str | None = None) -> int:
    """Store ``raw`` (the JSON a setting had) again, or remove the stored value (``None``: the default
    applies again). Refused unless the setting is still at ``expected_version`` — or still holds
    ``expected_raw``, the value the change left (this user's own undo and redo of a later change moved the
    version on, not anyone else's). Returns the version now stored (0: none)."""
    require(actor, Permission.SETTINGS_MANAGE)
    policy_name = locked_by_policy(setting)
    if policy_name is not None:
        raise ValidationError(f"{setting.label}: set by your IT department for this computer (policy "
                              f"{policy_name}); ask IT to change it.", setting.key)
    with db.session(actor) as session:
        row = session.get(SettingValue, setting.key)
        if row is not None:
            lock_row(session, row)
        unchanged = (row.value if row is not None else None) == expected_raw
        if (row.row_version if row is not None else 0) != expected_version and not unchanged:
            if row is None:
                raise StaleRecord(f"{setting.label}: another administrator removed the stored value since; "
                                  "it was not undone.", what=setting.label, your_version=expected_version)
            raise stale(session, row, expected_version, f"the setting {setting.label!r}",
                        lambda r: {setting.label: setting.display(setting.parse(r.value))})
        if raw is None:
            if row is not None:
                session.delete(row)
            return 0
        if row is None:
            row = SettingValue(key=setting.key, value=raw)
            session.add(row)
        else:
            row.value = raw
        session.flush()
        return int(row.row_version)


# --- closure days ----------------------------------------------------------------------------------
def add_closure(db: Database, actor: Principal, day: dt.date, reason: str) -> UndoEntry | None:
    require(actor, Permission.SETTINGS_MANAGE)
    with db.session(actor, write=False) as session:
        existed = session.get(ClosureDay, day) is not None
    add_closure_day(db, actor, day, reason)
    if existed:
        return None
    with db.session(actor, write=False) as session:
        row = session.get(ClosureDay, day)
        stored = row.reason if row is not None else reason
    return _closure_entry(db, actor, day, stored, present=True, label=f"Added the closure day {day_text(day)}")


def remove_closure(db: Database, actor: Principal, day: dt.date, *, expected_reason: str | None = None
                   ) -> UndoEntry | None:
    """``remove_closure_day`` (``expected_reason``: the reason the list showed), and the entry that puts the day
    back with the reason it had; None when the day was not a closure day (a colleague removed it)."""
    require(actor, Permission.SETTINGS_MANAGE)
    reason = remove_closure_day(db, actor, day, expected_reason=expected_reason)
    if reason is None:
        return None
    return _closure_entry(db, actor, day, reason, present=False, label=f"Removed the closure day {day_text(day)}")


def _closure_entry(db: Database, actor: Principal, day: dt.date, reason: str, *, present: bool, label: str
                   ) -> UndoEntry:
    """``present``: the day is a closure day now with ``reason`` (reversing removes it); otherwise it was
    removed (reversing adds it back)."""
    def reverse() -> UndoEntry:
        restore_closure(db, actor, day, reason, present=not present)
        return _closure_entry(db, actor, day, reason, present=not present, label=label)

    return UndoEntry(label, reverse, actor.user_id, AREA, f"the closure day {day_text(day)}")


def restore_closure(db: Database, actor: Principal, day: dt.date, reason: str, *, present: bool) -> None:
    """Make ``day`` a closure day with ``reason`` (``present``) or not, refused when someone else added,
    changed or removed it since."""
    require(actor, Permission.SETTINGS_MANAGE)
    with db.session(actor) as session:
        row = session.get(ClosureDay, day)
        what = f"the closure day {day_text(day)}"
        if present:
            if row is not None:
                raise changed_since(session, "closure_days", [day.isoformat()], what, {"Reason": row.reason})
            session.add(ClosureDay(day=day, reason=reason))
        else:
            if row is None or row.reason != reason:
                raise changed_since(session, "closure_days", [day.isoformat()], what,
                                    {"Reason": row.reason if row is not None else ""})
            session.delete(row)


# --- the agency profile ----------------------------------------------------------------------------
def save_profile(db: Database, actor: Principal, profile: AgencyProfile, *,
                 expected_versions: dict[str, int] | None = None) -> UndoEntry | None:
    """``save_agency_profile``, and the entry that puts the previous text fields back."""
    require(actor, Permission.SETTINGS_MANAGE)
    with db.session(actor, write=False) as session:
        before = agency_profile(session)
    save_agency_profile(db, actor, profile, expected_versions=expected_versions)
    with db.session(actor, write=False) as session:
        after, versions = agency_profile(session), profile_versions(session)
    if after == before:
        return None
    return _profile_entry(db, actor, before, after, versions, "Changed the agency profile")


def _profile_entry(db: Database, actor: Principal, before: AgencyProfile, after: AgencyProfile,
                   versions: dict[str, int], label: str) -> UndoEntry:
    def reverse() -> UndoEntry:
        try:
            save_agency_profile(db, actor, before, expected_versions=versions)
        except StaleRecord as exc:
            with db.session(actor, write=False) as session:
                now, now_versions = agency_profile(session), profile_versions(session)
            if now != after:  # someone else's change: never overwritten
                raise StaleRecord(str(exc).replace("nothing was saved", "it was not undone"), what=exc.what,
                                  your_version=exc.your_version) from exc
            # only this user's own undo/redo of a later change moved the versions on
            save_agency_profile(db, actor, before, expected_versions=now_versions)
        with db.session(actor, write=False) as session:
            versions_now = profile_versions(session)
        return _profile_entry(db, actor, after, before, versions_now, label)

    return UndoEntry(label, reverse, actor.user_id, AREA, "the agency profile")
