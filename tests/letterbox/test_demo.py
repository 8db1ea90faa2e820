"""The small letterbox demo: the advertised size, synthetic ZZ99 postcodes, searchable, audit chain intact."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from adoption_desktop import demo
from adoption_desktop.core.audit import verify_chain
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.models import Arrangement, Item, Participant
from adoption_desktop.letterbox.service import ItemFilter


def test_small_demo(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "DEMO_STEPS", ("adoption_desktop.letterbox.demo",))
    ctx = demo.populate(db, "small", today=dt.date(2026, 11, 23))
    who = ctx.users[Role.LETTERBOX_COORDINATOR]
    with db.session(write=False) as s:
        assert s.scalar(select(func.count(Arrangement.id))) == 60
        assert s.scalar(select(func.count(Item.id))) == 2000
        addresses = list(s.scalars(select(Participant.address))) + list(s.scalars(select(Arrangement.adopters_address)))
        assert verify_chain(s) is None
    for a in addresses:
        for pc in re.findall(r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}", a):
            assert pc.startswith("ZZ99")
    some = service.list_items(db, who, ItemFilter(), 0, 1)[0]
    assert service.count_items(db, who, ItemFilter(query=some.reference)) >= 1
    assert service.work_list(db, who, dt.date(2026, 11, 23))
