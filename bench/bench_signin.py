"""Sign-in timing: an unknown user name, a disabled account, a known user with a wrong password and a
correct sign-in, with the application's real argon2id parameters. Goal (issue 12 item 6): an unknown
name takes as long as a known one, so user names cannot be enumerated by timing.

    .venv/bin/python bench/bench_signin.py      -> bench/results/signin.md
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import use_bench_keyring, write_section

RUNS = 15


def main() -> None:
    use_bench_keyring()
    from adoption_desktop.core.errors import AppError
    from adoption_desktop.core.security import service as users
    from adoption_desktop.core.security.permissions import SYSTEM, Role
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.storage.lifecycle import create_database

    with tempfile.TemporaryDirectory() as tmp:
        created = create_database(Path(tmp) / "signin.db", SecretStore())
        db = created.db
        users.create_first_administrator(db, "admin", "Bench Admin", "bench-password-1")
        # synthetic accounts: no password change due (a correct sign-in is the floor measured)
        users.create_user(db, SYSTEM, "known", "Known User", "bench-password-2", [Role.COUNSELLOR], must_change=False)
        gone = users.create_user(db, SYSTEM, "gone", "Gone User", "bench-password-3", [Role.COUNSELLOR],
                                 must_change=False)
        users.set_disabled(db, SYSTEM, gone.id, True)
        cases = {
            "unknown user name": ("nobody-here", "bench-password-2"),
            "disabled account": ("gone", "bench-password-3"),
            "known user, wrong password": ("known", "wrong-password"),
            "known user, right password (floor)": ("known", "bench-password-2"),
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(RUNS):  # interleaved, so load on the machine affects every case alike
            for name, (user, password) in cases.items():
                if name.startswith("known user, wrong"):
                    with contextlib.suppress(users.AlreadyUnlocked):  # nothing to clear the first time
                        users.unlock_account(db, SYSTEM, 2)  # stay below the lock-out
                t0 = time.perf_counter()
                with contextlib.suppress(AppError):
                    users.authenticate(db, user, password)
                times[name].append((time.perf_counter() - t0) * 1000)
        db.dispose()
    floor = statistics.median(times["known user, right password (floor)"])
    lines = ["## Sign-in timing", "",
             f"Medians of {RUNS} interleaved sign-ins each (min–max), argon2id at argon2-cffi's defaults, "
             "one SQLCipher database; ratio against a correct sign-in in the same run.", "",
             "| case | median ms | min–max ms | ratio to a correct sign-in |", "|---|---|---|---|"]
    for name, values in times.items():
        med = statistics.median(values)
        lines.append(f"| {name} | {med:.1f} | {min(values):.1f}–{max(values):.1f} | {med / floor:.2f} |")
    unknown = statistics.median(times["unknown user name"])
    wrong = statistics.median(times["known user, wrong password"])
    met = 0.8 <= unknown / wrong <= 1.25
    lines += ["", f"Goal: an unknown name within ±20–25 % of a known name with a wrong password: "
              f"{unknown / wrong:.2f} — {'met' if met else 'NOT met'}. (Before the fix: 0.9 ms against 331 ms.)"]
    write_section("signin", "\n".join(lines))


if __name__ == "__main__":
    main()
