"""``core.audit.append_entry``: the public name of the chain's low-level append (the seals, the column-seal
upgrade and ``move-to-server`` write the log with it), and no module outside ``core/audit`` reaches for a
private name of the chain any more."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import text

from adoption_desktop.core import audit
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database

PACKAGE = Path(__file__).resolve().parents[2] / "adoption_desktop"
AUDIT = PACKAGE / "core" / "audit"


def test_an_appended_entry_is_stored_as_hashed_and_verifies(db: Database, admin: Principal) -> None:
    with db.session(admin) as session:
        plain = audit.append_entry(session, admin, "synthetic_check", "database", "*", {"n": 1}, "plain entry")
        sealed = audit.append_entry(session.connection(), admin, "synthetic_check", "database", 7, None,
                                    "sealed entry", "ab" * 32)
    assert sealed == plain + 1
    with db.session(write=False) as session:
        assert audit.verify_chain(session) is None
        rows = session.execute(text(
            "SELECT seq, at, actor_id, actor, action, entity, entity_id, changes, detail, prev_hash, hash, seal "
            "FROM audit_log WHERE seq IN (:a, :b) ORDER BY seq"), {"a": plain, "b": sealed}).all()
        head = session.execute(text("SELECT last_seq, last_hash FROM audit_head")).one()
    first, second = rows
    assert (first.changes, first.detail, first.seal, first.actor) == ('{"n": 1}', "plain entry", "", "admin")
    assert (second.entity_id, second.changes, second.seal) == ("7", "", "ab" * 32)
    assert second.prev_hash == first.hash
    for r in rows:
        assert r.hash == audit.entry_hash(r.prev_hash, r.seq, r.at, r.actor_id, r.actor, r.action, r.entity,
                                          r.entity_id, r.changes, r.detail, r.seal)
    assert (head.last_seq, head.last_hash) == (sealed, second.hash)


def _private_chain_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "adoption_desktop.core.audit.chain":
            found += [f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {a.name}"
                      for a in node.names if a.name.startswith("_")]
    return found


def test_no_module_outside_the_audit_package_imports_a_private_name_of_the_chain() -> None:
    outside = [p for p in PACKAGE.rglob("*.py") if p.parent != AUDIT]
    assert outside
    assert [hit for p in outside for hit in _private_chain_imports(p)] == []
