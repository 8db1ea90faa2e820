"""Edit member → conflict → Re-apply (review): the linked user account, which the ADM's conflict rule and the
hand-off read, was not among the fields the conflict window compares, so Re-apply undid a colleague's link
while the window said only the name differed. Now it is shown, and named in what Re-apply replaces."""
from __future__ import annotations

import dataclasses

import pytest

from adoption_desktop.core.errors import StaleRecord
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views import dialogs
from adoption_desktop.ui.conflict import differing_fields, replaces_text
from tests.conftest import make_user
from tests.panel.conftest import TODAY, Panel


def test_reapply_over_a_colleagues_account_link_shows_it(panel: Panel) -> None:
    adm_user = make_user(panel.db, "adm1", Role.PANEL_ADMINISTRATOR)
    mid = panel.members["sw"]
    m = next(x for x in svc.list_members(panel.db, panel.clerk, today=TODAY) if x.id == mid)
    base = svc.MemberInput(m.full_name, m.role_type, m.joined_on, m.pqe_years, m.independent, user_id=m.user_id,
                           appraisal_due=m.appraisal_due, dbs_checked_on=m.dbs_checked_on, training_on=m.training_on,
                           gender=m.gender, ethnicity=m.ethnicity)
    # colleague links the member to their user account (the ADM conflict rule relies on it)
    svc.update_member(panel.db, panel.clerk, mid, dataclasses.replace(base, user_id=adm_user.user_id),
                      today=TODAY, expected_version=m.row_version)
    mine = dataclasses.replace(base, full_name=m.full_name + "-Smith")
    with pytest.raises(StaleRecord) as err:
        svc.update_member(panel.db, panel.clerk, mid, mine, today=TODAY, expected_version=m.row_version)
    shown = differing_fields(dialogs.member_values(mine), err.value.saved_values)
    assert "User account" in shown and "User account" in replaces_text(err.value.saved_by, shown)
    # what the window compares is the same on both sides when nothing differs
    assert differing_fields(dialogs.member_values(dataclasses.replace(base, user_id=adm_user.user_id)),
                            err.value.saved_values) == []
