from hypothesis import given, settings
from hypothesis import strategies as st

from adoption_desktop.core.security import keys

CHEAP = keys.KdfParams(1, 1024, 1)


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=32, max_size=32), st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_wrap_round_trip_and_wrong_secret(key: bytes, secret: str, other: str) -> None:
    blob = keys.wrap(key, secret, CHEAP)
    assert keys.unwrap(blob, secret) == key
    if other != secret:
        assert keys.unwrap(blob, other) is None
    assert key.hex() not in str(blob)


def test_recovery_keys_are_random_and_normalised() -> None:
    a, b = keys.generate_recovery_key(), keys.generate_recovery_key()
    assert a != b and len(a) == 35 and a.count("-") == 5
    assert keys.normalise_recovery_key(a.lower().replace("-", "  ")) == a
