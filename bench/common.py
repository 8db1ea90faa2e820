"""Helpers shared by the benchmarks: timing, a large demo database made once, result sections."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "results"


def bench_env() -> dict[str, str]:
    OUT.mkdir(exist_ok=True)
    return dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
                PYTHON_KEYRING_BACKEND="bench_keyring.FileKeyring", ADK_BENCH_KEYRING=str(OUT / "keyring.json"),
                PYTHONPATH=os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
                ADOPTION_DESKTOP_DATA_DIR=str(OUT / "appdata"))


def use_bench_keyring() -> None:
    """In this process: the benchmark file keyring (as the subprocesses use)."""
    import keyring

    sys.path.insert(0, str(ROOT / "bench"))
    os.environ.update({k: v for k, v in bench_env().items() if k.startswith(("ADK_", "PYTHON_KEYRING"))})
    from bench_keyring import FileKeyring

    keyring.set_keyring(FileKeyring())


def large_demo_db(name: str = "large-demo.db", env_var: str = "ADK_BENCH_DB") -> Path:
    """The large demo database ``bench/out/NAME`` (made once, reused; or the file named by ``env_var``)."""
    given = os.environ.get(env_var)
    if given:
        return Path(given)
    path = OUT / name
    if not path.exists():
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "adoption_desktop", "demo", "--db", str(path), "--size", "large"],
                       env=bench_env(), check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        print(f"large demo database made in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return path


def median_time(fn: Callable[[], object], runs: int = 7, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def write_section(name: str, markdown: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.md").write_text(markdown.rstrip() + "\n", encoding="utf-8")
    print(markdown)


def clerk_database(folder: Path) -> tuple[object, object]:
    """A new encrypted database in ``folder`` (keys in an in-memory keyring, data folder inside it) with
    one panel administrator, for benchmarks that time the services: ``(Database, Principal)``."""
    import keyring
    from keyring.backend import KeyringBackend

    class _Memory(KeyringBackend):
        priority = 10  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.d: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.d.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.d[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.d.pop((service, username), None)

    os.environ["ADOPTION_DESKTOP_DATA_DIR"] = str(folder / "appdata")
    keyring.set_keyring(_Memory())
    from adoption_desktop.core.security.models import User, UserRole
    from adoption_desktop.core.security.permissions import Principal, Role
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.storage.lifecycle import create_database

    db = create_database(folder / "bench.db", SecretStore()).db
    with db.session() as session:
        user = User(username="clerk", full_name="Pat Brackenley", password_hash="x")
        user.roles = [UserRole(role=str(Role.PANEL_ADMINISTRATOR))]
        session.add(user)
        session.flush()
        clerk = Principal(user.id, "clerk", user.full_name, frozenset({Role.PANEL_ADMINISTRATOR}))
    return db, clerk


def compile_as_installed(*extra: Path) -> None:
    """Compile the program's modules to bytecode, as installing does: the program as shipped runs from
    .pyc files (a wheel install and the bundle carry them). Without this, under PYTHONDONTWRITEBYTECODE=1
    (which ``dev.py test`` sets, and a shell may inherit) every timed run compiled from source every
    module changed since the last compile (~100 after a merge, ~55 ms). The floors' libraries are
    installed, so already compiled."""
    import compileall

    for tree in (ROOT / "adoption_desktop", _installed_tree(), *extra):
        compileall.compile_dir(str(tree), quiet=1)


def _installed_tree() -> Path:
    """The ``adoption_desktop`` folder the program's own processes import (the benchmarks drop PYTHONPATH for
    them): this checkout on a fresh clone, but another checkout when this one's ``.venv`` is borrowed from it
    (an editable install elsewhere). Compiling only this checkout left that one's changed modules compiled
    from source at every timed run (~15 ms of the start-up measured on 7 December)."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    OUT.mkdir(exist_ok=True)  # a folder without the package in it: the process's own folder is first on its path
    found = subprocess.run([sys.executable, "-c", "import adoption_desktop, os; print(os.path.dirname("
                            "adoption_desktop.__file__))"], env=env, cwd=OUT, capture_output=True, text=True)
    return Path(found.stdout.strip()) if found.returncode == 0 and found.stdout.strip() else ROOT / "adoption_desktop"
