"""A refused action is audited under the signed-in user's name (``core.security.refusals``): the use case
and the permissions it needed, in a transaction of its own, never rolled back with the refused work and
never waiting on the write lock the same thread holds."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from adoption_desktop.core import audit_service
from adoption_desktop.core.audit import AuditEntry, verify_chain
from adoption_desktop.core.errors import PermissionDenied
from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Permission, Principal, Role, require
from adoption_desktop.core.storage.engine import Database
from tests.conftest import TEST_PASSWORD, make_user


def _refused(db: Database) -> list[AuditEntry]:
    with db.session(write=False) as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == "refused").order_by(AuditEntry.seq)))


def _sign_in(db: Database, username: str, *roles: Role) -> Principal:
    make_user(db, username, *roles)
    return security.authenticate(db, username, TEST_PASSWORD)


def test_a_refused_use_case_is_audited_under_the_user_with_what_it_needed(any_db: Database) -> None:
    coordinator = _sign_in(any_db, "coordinator", Role.LETTERBOX_COORDINATOR)
    with pytest.raises(PermissionDenied):
        audit_service.list_entries(any_db, coordinator)
    [entry] = _refused(any_db)
    assert (entry.actor_id, entry.entity, entry.entity_id) == (coordinator.user_id, "users", str(coordinator.user_id))
    assert entry.detail == "adoption_desktop.core.audit_service.list_entries needs audit.view"
    with any_db.session(write=False) as s:
        assert verify_chain(s) is None  # chained and sealed like every other entry


def test_a_refusal_inside_a_session_is_written_after_it_and_survives_its_rollback(db: Database) -> None:
    coordinator = _sign_in(db, "coordinator", Role.LETTERBOX_COORDINATOR)
    finished = threading.Event()

    def refused_inside_a_write() -> None:  # on SQLite the outer session holds the write lock
        with pytest.raises(RuntimeError), db.session(coordinator) as s:
            with pytest.raises(PermissionDenied):
                require(coordinator, Permission.ADM_DECIDE)
            assert _count_in(s) == 0  # not yet: it waits for this session to end
            raise RuntimeError("the use case fails and rolls back")
        finished.set()

    worker = threading.Thread(target=refused_inside_a_write)
    worker.start()
    worker.join(timeout=20)
    assert finished.is_set(), "the use case did not end as it should (or waited on its own write lock)"
    [entry] = _refused(db)
    assert entry.detail.endswith("refused_inside_a_write needs adm.decide")


def _count_in(session: object) -> int:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    return len(session.scalars(select(AuditEntry.seq).where(AuditEntry.action == "refused")).all())


def test_a_principal_that_did_not_sign_in_here_is_not_recorded(db: Database) -> None:
    made = make_user(db, "made", Role.MANAGER)  # never signed in: nobody proved who this is
    with pytest.raises(PermissionDenied):
        audit_service.list_entries(db, made)
    assert _refused(db) == []


def test_after_signing_out_a_refusal_is_not_recorded(db: Database) -> None:
    manager = _sign_in(db, "manager", Role.MANAGER)
    security.sign_out(db, manager)
    with pytest.raises(PermissionDenied):
        audit_service.list_entries(db, manager)
    assert _refused(db) == []


def test_refusals_while_the_password_is_checked_are_written_only_if_it_was_right(db: Database) -> None:
    make_user(db, "manager", Role.MANAGER)
    wrong = security.begin_sign_in(db, "manager", "not the password")
    assert wrong.principal is not None
    with pytest.raises(PermissionDenied):
        audit_service.list_entries(db, wrong.principal)
    with pytest.raises(security.SignInError):
        wrong.confirm()
    assert _refused(db) == []

    right = security.begin_sign_in(db, "manager", TEST_PASSWORD)
    assert right.principal is not None
    with pytest.raises(PermissionDenied):
        audit_service.list_entries(db, right.principal)
    assert _refused(db) == []  # not before the password is known to be right
    right.confirm()
    [entry] = _refused(db)
    assert entry.actor_id == right.principal.user_id and entry.detail.endswith("list_entries needs audit.view")


def test_an_account_disabled_or_changed_since_signing_in_is_audited_once_per_thing_tried(any_db: Database) -> None:
    """The session's re-check refuses a user an administrator disabled, or whose roles changed, while they
    were signed in: the first try of each use case is recorded, naming it; trying it again adds nothing."""
    admin = _sign_in(any_db, "admin", Role.ADMINISTRATOR)
    manager = _sign_in(any_db, "manager", Role.MANAGER)
    security.set_roles(any_db, admin, manager.user_id, [Role.MANAGER, Role.COUNSELLOR])
    for _ in range(3):
        with pytest.raises(PermissionDenied, match="roles were changed"):
            security.change_own_password(any_db, manager, TEST_PASSWORD, "a new passphrase 123")
    security.set_disabled(any_db, admin, manager.user_id, True)
    from adoption_desktop.counselling.service import case_counts

    for _ in range(2):
        with pytest.raises(PermissionDenied, match="disabled"):
            case_counts.counts(any_db, manager)
    security.sign_out(any_db, manager)  # never refused: a refused account must be able to make way
    assert [(e.actor_id, e.detail) for e in _refused(any_db)] == [
        (manager.user_id, "adoption_desktop.core.security.service.change_own_password: "
                          "the roles changed since signing in"),
        (manager.user_id, "adoption_desktop.counselling.service.case_counts.counts: "
                          "the account is disabled or no longer exists")]
    with any_db.session(write=False) as s:
        assert verify_chain(s) is None


def test_a_register_search_refused_on_its_read_cursor_names_the_use_case(db: Database) -> None:
    """A keystroke search on the embedded store checks the account on a raw read cursor, not a session:
    the entry names the register's use case (not its private query) and is written once the cursor is
    closed (the write must not wait on this thread's own read transaction)."""
    from adoption_desktop.core.storage import engine
    from adoption_desktop.letterbox.service import ItemFilter, item_page

    admin = _sign_in(db, "admin", Role.ADMINISTRATOR)
    coordinator = _sign_in(db, "coordinator", Role.LETTERBOX_COORDINATOR)
    assert item_page(db, coordinator, ItemFilter(query="Ab"))[0] == 0  # the keystroke path works
    security.set_disabled(db, admin, coordinator.user_id, True)
    written_inside: list[bool] = []
    original = engine._refuse_if_changed

    def _watching(rows: object, actor: Principal) -> None:  # is the entry written while the cursor is open?
        try:
            original(rows, actor)  # type: ignore[arg-type]
        finally:
            written_inside.append(len(_refused(db)) > 0)

    engine._refuse_if_changed = _watching  # type: ignore[assignment]
    try:
        with pytest.raises(PermissionDenied, match="disabled"):
            item_page(db, coordinator, ItemFilter(query="Ab"))
    finally:
        engine._refuse_if_changed = original  # type: ignore[assignment]
    assert written_inside == [False]  # not while the cursor's transaction was open
    [entry] = _refused(db)
    assert entry.detail == ("adoption_desktop.letterbox.service.item_register.item_page: "
                            "the account is disabled or no longer exists")
