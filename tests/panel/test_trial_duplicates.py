"""User trial: the same case twice on one sitting's agenda, and the same declaration twice, are refused."""

from __future__ import annotations

import pytest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.panel import service as svc

from .conftest import Panel, attend


def test_the_same_case_of_the_same_type_is_refused_twice_at_one_sitting(panel: Panel) -> None:
    first = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-2026-0501", "AB"))
    with pytest.raises(ValidationError, match="AD-2026-0501 is already on this sitting's agenda as item 1") as e:
        svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "ad-2026- 0501", "AB"))
    assert e.value.field == "subject_reference"
    # another case type for the same case is a different item; other business without a number too
    review = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("review", "AD-2026-0501", "AB"))
    svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("other", "", ""))
    svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("other", "", ""))
    # editing an item into a duplicate is refused; saving an item unchanged is not
    with pytest.raises(ValidationError, match="already on this sitting's agenda"):
        svc.update_item(panel.db, panel.clerk, review, svc.ItemInput("approval", "AD-2026-0501", "AB"))
    svc.update_item(panel.db, panel.clerk, first, svc.ItemInput("approval", "AD-2026-0501", "AB", "Sam Oddie"))
    detail = svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id)
    assert len(detail.items) == 4


def test_the_same_declaration_is_refused_twice(panel: Panel) -> None:
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-2026-0502", "CD"))
    member = panel.members["pe"]
    attend(panel, "pe", "med")  # a declaration is made by someone at the meeting
    svc.declare_interest(panel.db, panel.clerk, item, member, "Knows the applicants socially.")
    with pytest.raises(ValidationError, match="Nia Larkholt has already declared this interest") as e:
        svc.declare_interest(panel.db, panel.clerk, item, member, "knows the applicants  socially.")
    assert e.value.field == "interest"
    # a different interest, or another member's, is recorded
    svc.declare_interest(panel.db, panel.clerk, item, member, "Was their neighbour until 2024.")
    svc.declare_interest(panel.db, panel.clerk, item, panel.members["med"], "Knows the applicants socially.")
    [row] = [i for i in svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id).items if i.id == item]
    assert len(row.declarations) == 3
