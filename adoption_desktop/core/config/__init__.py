"""Paths (platformdirs) and local-practice settings.

Local practice (deadlines an agency may set differently) is configuration stored in the database
(table ``settings``) with an audit entry when changed; each :class:`Setting` carries its default so the
rules never hard-code a local-practice number. Statute is code, with a citation, not a setting.

The package's modules, each importing only those above it:

* ``paths``: the per-user folders (:func:`app_paths`, ``ADOPTION_DESKTOP_DATA_DIR``);
* ``local_practice``: :class:`Setting`, the registry and the foundation settings;
* ``settings_values``: the typed readers of hand-edited values (:func:`text_of`, :func:`text_list_of`,
  :func:`mapping_of`);
* ``notices``: what the user is told about the settings file, and :data:`LOCAL_PREFERENCES` in words;
* ``settings_locks``: this program's one writer at a time, the waits for another program's write
  (``SETTINGS_LOCK_WAIT``, ``SETTINGS_READ_WAIT``), the window's waits for a read (``SETTINGS_WINDOW_READ_WAIT``,
  ``SETTINGS_START_WAIT``), the lock file, :class:`SettingsBusy`;
* ``write_behind``: changes made on the window's thread written behind it (:func:`defer_writes_on`,
  :func:`pending_preferences`, :func:`flush_settings`, the ``settings-writer`` thread, the flush at exit);
* ``settings_file``: :class:`LocalConfig` (read-merge-write under both locks) and a damaged file kept aside.

Every name the module had is re-exported here (the private ones too), so ``config.X`` and
``from adoption_desktop.core.config import X`` work as before the split; except the values the code rebinds or
reads afresh at each use (the two waits, the writer's slice, the notice listener, the writer and the window's
thread): change those in their own module (``monkeypatch.setattr(settings_locks, "SETTINGS_LOCK_WAIT", …)``),
where the code reads them. Not being here, a change made here fails at once instead of doing nothing.
"""

from __future__ import annotations

from adoption_desktop.core.config import settings_locks
from adoption_desktop.core.config.local_practice import (
    _UNIT_SUFFIXES,
    ACCESS_REVIEW_MONTHS,
    ACCESS_UNUSED_DAYS,
    AGENCY_ADDRESS,
    AGENCY_NAME,
    IDLE_LOCK_MINUTES,
    LETTER_REPLY_WORKING_DAYS,
    LOCKOUT_ATTEMPTS,
    LOCKOUT_MINUTES,
    SETTINGS_REGISTRY,
    Setting,
    T,
    register,
)
from adoption_desktop.core.config.notices import (
    _NOTICE_LOCK,
    LOCAL_PREFERENCES,
    _flush,
    _Notice,
    _notices,
    _notify,
    log_notices,
    set_notice_listener,
    take_notices,
)
from adoption_desktop.core.config.paths import APP_NAME, ENV_DATA_DIR, AppPaths, app_paths
from adoption_desktop.core.config.settings_file import (
    _UNMOVABLE,
    _WRONG_SHAPE,
    DAMAGED_INFIX,
    LocalConfig,
    _log,
    damaged_names,
)
from adoption_desktop.core.config.settings_locks import _WRITE_LOCK, SettingsBusy, lock_file_for_settings
from adoption_desktop.core.config.settings_values import mapping_of, text_list_of, text_of
from adoption_desktop.core.config.write_behind import (
    _APPLYING,
    _QUEUE,
    _apply_first,
    _defer,
    _flush_at_exit,
    _on_window_thread,
    _Pending,
    _pending,
    _same_file,
    _with_pending,
    _write_behind,
    defer_writes_on,
    flush_settings,
    pending_preferences,
)

__all__ = [
    "ACCESS_REVIEW_MONTHS", "ACCESS_UNUSED_DAYS", "AGENCY_ADDRESS", "AGENCY_NAME", "APP_NAME", "DAMAGED_INFIX",
    "ENV_DATA_DIR", "IDLE_LOCK_MINUTES", "LETTER_REPLY_WORKING_DAYS", "LOCAL_PREFERENCES", "LOCKOUT_ATTEMPTS",
    "LOCKOUT_MINUTES", "SETTINGS_REGISTRY", "_APPLYING", "_NOTICE_LOCK", "_QUEUE", "_UNIT_SUFFIXES", "_UNMOVABLE",
    "_WRITE_LOCK", "_WRONG_SHAPE", "AppPaths", "LocalConfig", "Setting", "SettingsBusy", "T", "_Notice",
    "_Pending", "_apply_first", "_defer", "_flush", "_flush_at_exit", "_log", "_notices", "_notify",
    "_on_window_thread", "_pending", "_same_file", "_with_pending", "_write_behind", "app_paths",
    "damaged_names", "defer_writes_on", "flush_settings", "lock_file_for_settings", "log_notices", "mapping_of",
    "pending_preferences", "register", "set_notice_listener", "settings_locks", "take_notices", "text_list_of",
    "text_of",
]
