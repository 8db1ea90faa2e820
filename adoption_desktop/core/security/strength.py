"""How strong a new database passphrase must be (zxcvbn).

Where no keyring exists the passphrase alone protects the database key, so a new one must resist an
offline guessing attack on a stolen laptop: zxcvbn's score at least :data:`MIN_SCORE` ("safely
unguessable: moderate protection from offline slow-hash scenario", with argon2id as the slow hash) and at
least :data:`MIN_LENGTH` characters. Passphrases already in use are never re-checked: only new ones.
"""

from __future__ import annotations

from collections.abc import Iterable

from adoption_desktop.core.errors import ValidationError

MIN_SCORE = 3
MIN_LENGTH = 12
#: zxcvbn's own limit (longer input raises); the rest of a long passphrase only adds strength.
_ZXCVBN_MAX = 72


def passphrase_problem(passphrase: str, user_inputs: Iterable[str] = (), *, label: str = "Passphrase") -> str | None:
    """A message naming the field (``label``: on the command line, where the passphrase was read from) and the
    fix (with zxcvbn's advice), or None when strong enough."""
    if len(passphrase) < MIN_LENGTH:
        return (f"{label}: use at least {MIN_LENGTH} characters (this one has {len(passphrase)}); "
                "a few unrelated words are easy to remember and hard to guess.")
    return guessable_problem(passphrase, user_inputs, label=label)


def guessable_problem(secret: str, user_inputs: Iterable[str] = (), *, label: str) -> str | None:
    """zxcvbn's verdict on ``secret`` (a passphrase, or a user's password): a message beginning with
    ``label`` with zxcvbn's advice when its score is below :data:`MIN_SCORE`, else None. ``user_inputs``:
    words a guesser would try first (the person's names)."""
    from zxcvbn import zxcvbn

    result = zxcvbn(secret[:_ZXCVBN_MAX], user_inputs=[w for w in user_inputs if w])
    score = int(result["score"])
    if score >= MIN_SCORE:
        return None
    feedback = result.get("feedback") or {}
    advice = " ".join(part for part in [str(feedback.get("warning") or "").strip(),
                                        *(str(s).strip() for s in feedback.get("suggestions") or [])] if part)
    return (f"{label}: too easy to guess (strength {score} of 4; at least {MIN_SCORE} is needed). "
            + (advice or "Add another word or two; uncommon words are better."))


def check_passphrase(passphrase: str, user_inputs: Iterable[str] = ()) -> None:
    """Raise :class:`ValidationError` (field ``passphrase``) unless a new passphrase is strong enough."""
    problem = passphrase_problem(passphrase, user_inputs)
    if problem:
        raise ValidationError(problem, "passphrase")
