"""Machine-wide policy set by IT, and installation defaults (no Qt).

Three layers decide a value, highest first:

1. **Policy** — set by IT for every user of a PC and not changeable in the application.
   Windows: registry values under ``HKLM\\Software\\Policies\\AdoptionDesktop`` (Group Policy, Intune;
   ``installer/windows/AdoptionDesktop.admx``), then ``HKCU\\Software\\Policies\\AdoptionDesktop``.
   Elsewhere: the JSON file ``/etc/adoption-desktop/policy.json``.
2. **The user's or agency's own choice** — settings in the database, the last database opened.
3. **Installation defaults** — what the MSI's properties wrote (``DATABASEFOLDER``, ``TEAMSERVERURL``):
   ``HKLM\\Software\\AdoptionDesktop`` (per machine) or ``HKCU\\Software\\AdoptionDesktop`` (per user);
   elsewhere ``/etc/adoption-desktop/defaults.json``.

``ADOPTION_DESKTOP_POLICY_FILE`` and ``ADOPTION_DESKTOP_DEFAULTS_FILE`` point at other JSON files (tests,
and IT trying a policy before pushing it). The names below are the registry value names and the JSON
keys alike; they are documented in ``docs/it-guide.md``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_POLICY_FILE = "ADOPTION_DESKTOP_POLICY_FILE"
ENV_DEFAULTS_FILE = "ADOPTION_DESKTOP_DEFAULTS_FILE"
POLICY_KEY = r"Software\Policies\AdoptionDesktop"
DEFAULTS_KEY = r"Software\AdoptionDesktop"
SYSTEM_POLICY_FILE = Path("/etc/adoption-desktop/policy.json")
SYSTEM_DEFAULTS_FILE = Path("/etc/adoption-desktop/defaults.json")

BACKUP_SCHEDULES = ("off", "daily", "weekly")


@dataclass(frozen=True)
class PolicyValue:
    """One value IT may set: its name (registry value and JSON key), type and what it means."""

    name: str
    kind: type
    label: str
    #: The database setting it overrides, if any (see ``core.settings_service``).
    setting_key: str | None = None


POLICY_VALUES: tuple[PolicyValue, ...] = (
    PolicyValue("DatabasePath", str, "Database file every user opens"),
    PolicyValue("TeamServerUrl", str, "Team-mode server (PostgreSQL URL) every user opens"),
    PolicyValue("IdleLockMinutes", int, "Minutes of inactivity before the window locks",
                "security.idle_lock_minutes"),
    PolicyValue("BackupFolder", str, "Folder for backups"),
    PolicyValue("BackupSchedule", str, "Automatic backup while the application is open and when it closes: off, daily or weekly"),
    PolicyValue("AgencyName", str, "Agency name on letters", "agency.name"),
    PolicyValue("AgencyAddress", str, "Agency address on letterhead (lines separated by \\n)",
                "agency.address"),
    PolicyValue("AgencyProfileLocked", bool,
                "Administrators may not change the agency profile (name, address, contact details, team "
                "names, logo)"),
)
_BY_NAME = {v.name: v for v in POLICY_VALUES}
#: Settings that ``AgencyProfileLocked`` locks even where IT gives no value of its own.
AGENCY_PROFILE_SETTINGS = ("agency.name", "agency.address", "agency.legal_name", "agency.telephone",
                           "agency.email", "agency.website", "agency.data_protection", "agency.team.panel",
                           "agency.team.adm", "agency.team.letterbox", "agency.team.counselling", "agency.logo")


@dataclass(frozen=True)
class MachinePolicy:
    """The values IT set (``values``) and where they came from (``source``, for the About box and
    ``adoption-desktop policy``). Invalid values are left out and described in ``problems``."""

    values: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    problems: tuple[str, ...] = ()

    def get(self, name: str) -> Any:
        return self.values.get(name)

    @property
    def database(self) -> str | None:
        """The database every user opens (a team-mode URL wins over a file path)."""
        return self.values.get("TeamServerUrl") or self.values.get("DatabasePath")

    @property
    def backup_folder(self) -> Path | None:
        folder = self.values.get("BackupFolder")
        return Path(os.path.expandvars(folder)) if folder else None

    @property
    def backup_schedule(self) -> str | None:
        return self.values.get("BackupSchedule")

    def setting_override(self, key: str) -> tuple[bool, Any]:
        """``(locked, value)`` for a database setting: locked when IT set it (or locked the agency
        profile); ``value`` is IT's value, or ``None`` where the stored one still applies."""
        for spec in POLICY_VALUES:
            if spec.setting_key == key and spec.name in self.values:
                return True, self.values[spec.name]
        if key in AGENCY_PROFILE_SETTINGS and self.values.get("AgencyProfileLocked"):
            return True, None
        return False, None

    def locked_by(self, key: str) -> str | None:
        """The policy value name that locks setting ``key`` (for messages), or ``None``."""
        for spec in POLICY_VALUES:
            if spec.setting_key == key and spec.name in self.values:
                return spec.name
        if key in AGENCY_PROFILE_SETTINGS and self.values.get("AgencyProfileLocked"):
            return "AgencyProfileLocked"
        return None


def _ceiling(spec: PolicyValue) -> int | None:
    from adoption_desktop.core.config import SETTINGS_REGISTRY

    setting = SETTINGS_REGISTRY.get(spec.setting_key or "")
    return setting.maximum if setting is not None else None


def _coerce(raw: Mapping[str, Any], origin: str) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in raw.items():
        spec = _BY_NAME.get(name)
        if spec is None:
            problems.append(f"{origin}: unknown value {name!r} ignored")
            continue
        if spec.kind is bool:
            if isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
                values[name] = bool(value)
            else:
                problems.append(f"{origin}: {name} must be 0 or 1")
        elif spec.kind is int:
            ceiling = _ceiling(spec)  # the setting's own (the idle lock: an hour), for IT as in the application
            if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= (ceiling or value):
                values[name] = value
            else:
                problems.append(f"{origin}: {name} must be a whole number "
                                + (f"from 1 to {ceiling}" if ceiling else "of 1 or more"))
        else:
            text = str(value).strip() if isinstance(value, str) else None
            if not text:
                continue  # blank means not set (the MSI writes a blank for an unset property)
            if name == "BackupSchedule" and text.lower() not in BACKUP_SCHEDULES:
                problems.append(f"{origin}: BackupSchedule must be one of {', '.join(BACKUP_SCHEDULES)}")
                continue
            values[name] = text.lower() if name == "BackupSchedule" else text.replace("\\n", "\n")
    return values, problems


def _read_json(path: Path) -> tuple[dict[str, Any], list[str]]:
    if not path.is_file():
        return {}, []
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, [f"{path}: not readable as JSON; ignored"]
    if not isinstance(raw, dict):
        return {}, [f"{path}: expected an object of names and values; ignored"]
    return _coerce(raw, str(path))


RegistryReader = Callable[[str, str], dict[str, Any]]


def read_windows_registry(hive: str, key: str) -> dict[str, Any]:
    """All values of ``hive\\key`` (``"HKLM"`` or ``"HKCU"``) as a dict; empty if the key is absent."""
    if sys.platform != "win32":
        return {}
    import winreg

    root = winreg.HKEY_LOCAL_MACHINE if hive == "HKLM" else winreg.HKEY_CURRENT_USER
    values: dict[str, Any] = {}
    try:
        handle = winreg.OpenKey(root, key, 0, winreg.KEY_READ)
    except OSError:
        return values
    with handle:
        index = 0
        while True:
            try:
                name, value, _kind = winreg.EnumValue(handle, index)
            except OSError:
                break
            values[name] = value
            index += 1
    return values


def _from_registry(reader: RegistryReader, key: str) -> tuple[dict[str, Any], list[str], str]:
    values: dict[str, Any] = {}
    problems: list[str] = []
    sources: list[str] = []
    for hive in ("HKCU", "HKLM"):  # HKLM last: the machine's value wins over the user's
        raw = reader(hive, key)
        if raw:
            got, bad = _coerce(raw, f"{hive}\\{key}")
            values.update(got)
            problems.extend(bad)
            sources.append(f"{hive}\\{key}")
    return values, problems, " + ".join(reversed(sources))


def load_policy(*, reader: RegistryReader | None = None, platform: str | None = None) -> MachinePolicy:
    """The policy in force on this machine (see the module's docstring for where it is read)."""
    override = os.environ.get(ENV_POLICY_FILE)
    if override:
        values, problems = _read_json(Path(override))
        return MachinePolicy(values, override if values else "", tuple(problems))
    if (platform or sys.platform) == "win32" or reader is not None:
        values, problems, source = _from_registry(reader or read_windows_registry, POLICY_KEY)
        return MachinePolicy(values, source, tuple(problems))
    values, problems = _read_json(SYSTEM_POLICY_FILE)
    return MachinePolicy(values, str(SYSTEM_POLICY_FILE) if values else "", tuple(problems))


@dataclass(frozen=True)
class InstallDefaults:
    """What the installer was told (MSI properties): the lowest layer."""

    database_folder: Path | None = None
    team_server_url: str | None = None


def load_install_defaults(*, reader: RegistryReader | None = None, platform: str | None = None) -> InstallDefaults:
    override = os.environ.get(ENV_DEFAULTS_FILE)
    raw: dict[str, Any] = {}
    if override:
        raw = _read_json_raw(Path(override))
    elif (platform or sys.platform) == "win32" or reader is not None:
        read = reader or read_windows_registry
        raw = {**read("HKCU", DEFAULTS_KEY), **read("HKLM", DEFAULTS_KEY)}
    else:
        raw = _read_json_raw(SYSTEM_DEFAULTS_FILE)
    folder = str(raw.get("DatabaseFolder") or "").strip()
    url = str(raw.get("TeamServerUrl") or "").strip()
    return InstallDefaults(Path(os.path.expandvars(folder)) if folder else None, url or None)


def _read_json_raw(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, ValueError):
        return {}
    return raw if isinstance(raw, dict) else {}


_cached: MachinePolicy | None = None


def current_policy() -> MachinePolicy:
    """The policy, read once per process (IT's changes apply at the next start)."""
    global _cached
    if _cached is None:
        _cached = load_policy()
    return _cached


def reset_cache() -> None:
    """Forget the policy read so far (tests; the CLI reads it afresh per process anyway)."""
    global _cached
    _cached = None
