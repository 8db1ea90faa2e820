"""Words for numbers: percentages as people read them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_percent_rounds_a_half_up_as_a_spreadsheet_does(part: int, whole: int) -> None:
    """User trial: 21 of 200 (10.5%) was shown as "10%" (a half rounded to even); a spreadsheet says 11%."""
    from adoption_desktop.core.wording import percent

    assert percent(part, whole) == f"{(200 * part + whole) // (2 * whole)}%"  # exact, in whole numbers
    assert percent(21, 200) == "11%" and percent(94.5) == "95%"
