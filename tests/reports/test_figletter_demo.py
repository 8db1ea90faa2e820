"""The small demo gives every new figure (e-mail facility use, direct contact, support for birth parents,
the adopters' journey) a value above zero in its last complete half year and the same figures over the
year, and the audit chain stays intact."""

from __future__ import annotations

import datetime as dt

from adoption_desktop import demo
from adoption_desktop.core.audit import verify_chain
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import adopter_figures
from adoption_desktop.letterbox import contact_figures, support_figures

TODAY = dt.date(2026, 11, 23)


def test_every_new_figure_is_above_zero_in_the_demo(db: Database) -> None:
    ctx = demo.populate(db, "small", today=TODAY)
    manager = ctx.users[Role.MANAGER]
    with db.session(write=False) as s:
        assert verify_chain(s) is None
    for start, end in ((dt.date(2026, 4, 1), dt.date(2026, 9, 30)), (dt.date(2025, 11, 23), TODAY)):
        sections = (contact_figures.figures(db, manager, start, end) + support_figures.figures(db, manager, start, end)
                    + adopter_figures.figures(db, manager, start, end))
        zero = [(s.title, label) for s in sections for label, value in s.rows
                if value in ("0", "–", "0%") and "not recorded" not in label and "handed in" not in label]
        assert not zero, zero
