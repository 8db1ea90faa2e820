"""Two PCs on one PostgreSQL server whose clocks disagree, for the team-mode clock tests (the record's times,
sign-in and lock-out, the audit log, presence): a second engine on the same database, and this PC's clock put
``off_by`` from the server's wherever a module reads it as ``dt`` (``datetime``)."""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable
from typing import Any

import pytest

from adoption_desktop.core.storage.engine import Database, open_postgresql


def another_pc(db: Database) -> Database:
    """A second engine on ``db``'s PostgreSQL database: another PC's program (dispose it after)."""
    return open_postgresql(db.engine.url.render_as_string(hide_password=False))


def shift_pc_clock(monkeypatch: pytest.MonkeyPatch, off_by: dt.timedelta, *modules: types.ModuleType,
                   ) -> Callable[[], dt.datetime]:
    """This PC's clock ``off_by`` from everyone else's, in each of ``modules`` (their ``dt``: ``utcnow``, the
    columns' defaults, ``datetime.now``). Returns this PC's clock (naive UTC)."""
    class Shifted(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Any:
            return dt.datetime.now(tz) + off_by

    clock = types.ModuleType("datetime")
    clock.__dict__.update(vars(dt))
    clock.datetime = Shifted  # type: ignore[attr-defined]
    for module in modules:
        monkeypatch.setattr(module, "dt", clock)
    return lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None) + off_by
