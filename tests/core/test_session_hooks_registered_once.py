"""A model module imported by a Session hook in the middle of a statement must not register a Session hook of its
own then: SQLAlchemy iterates its listeners in a deque, and a listener added during the iteration stopped the
statement with "RuntimeError: deque mutated during iteration". It stopped `adoption-desktop export report` at
the audit anchors' check: the journey's bulk-delete guard imported ``adm.models``, which registered the final
rows' hooks (``core.final_rows``) as the first statement of the process ran. Run in a fresh process: the modules
a test process has imported already would hide it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

import adoption_desktop.journey.models as journey

assert "adoption_desktop.adm.models" not in sys.modules, "the test needs adm.models not yet imported"
engine = create_engine("sqlite://")
journey.JourneyChild.__table__.create(engine)
with Session(engine) as session:
    session.execute(select(journey.JourneyChild)).all()  # the first statement: every do_orm_execute hook runs
    session.add(journey.JourneyChild(reference="J-1", reference_key="j-1"))
    session.flush()  # the first flush: every before_flush hook runs
print("ok")
"""


def test_the_first_statement_and_flush_run_whatever_a_hook_imports() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.split() == ["ok"], done.stderr[-2000:]
