"""Every name a benchmark imports from the program exists. The benchmarks live outside the test suite and run
only with ``python3 dev.py bench``, so one that imports a name the program no longer has breaks unseen:
``bench_import.py`` imported the all-roles command-line principal for two days after it was removed, and the
whole-benchmark run of 5 December found it failing. Read with ``ast`` (nothing in bench/ is run), each
``from adoption_desktop… import name`` is resolved, inside functions too."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _program_imports() -> list[tuple[str, int, str, str | None]]:
    found = []
    for script in sorted(BENCH.glob("*.py")):
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("adoption_desktop"):
                found += [(script.name, node.lineno, node.module, a.name) for a in node.names]
            elif isinstance(node, ast.Import):
                found += [(script.name, node.lineno, a.name, None) for a in node.names
                          if a.name.startswith("adoption_desktop")]
    return found


def test_the_benchmarks_import_something_from_the_program() -> None:
    assert len(_program_imports()) > 50  # the check below is not vacuous


@pytest.mark.parametrize("script, line, module, name", _program_imports(),
                         ids=lambda v: str(v) if not isinstance(v, int) else "")
def test_a_benchmark_imports_only_what_the_program_has(script: str, line: int, module: str,
                                                       name: str | None) -> None:
    loaded = importlib.import_module(module)
    if name is not None and name != "*" and not hasattr(loaded, name):
        importlib.import_module(f"{module}.{name}")  # a submodule, imported by name (raises if there is none)
