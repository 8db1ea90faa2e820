"""A demo database made by the command line is encrypted: no demo name appears in its bytes."""

from __future__ import annotations

import itertools
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from adoption_desktop import demo

ROOT = Path(__file__).resolve().parents[2]


def test_demo_database_is_encrypted_and_verifies(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    env = dict(os.environ, ADOPTION_DESKTOP_PASSPHRASE="demo passphrase",
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
               ADOPTION_DESKTOP_DATA_DIR=str(tmp_path / "data"))
    made = subprocess.run([sys.executable, "-m", "adoption_desktop", "demo", "--db", str(path)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=600, check=False)
    assert made.returncode == 0, made.stderr
    raw = path.read_bytes() + (path.with_name(path.name + "-wal").read_bytes()
                               if path.with_name(path.name + "-wal").exists() else b"")
    assert not raw.startswith(b"SQLite format 3")
    names = {n for _u, full, _r in demo.DEMO_USERS for n in full.split()}
    names |= {head + tail for head, tail in itertools.product(demo._SURNAME_HEADS, demo._SURNAME_TAILS)}
    names |= set(demo.FICTIONAL_TOWNS)
    leaked = sorted(n for n in names if len(n) >= 5 and n.encode() in raw)
    assert leaked == []
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
    verified = subprocess.run([sys.executable, "-m", "adoption_desktop", "verify", "--db", str(path)],
                              capture_output=True, text=True, env=env, cwd=ROOT, timeout=600, check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr
