from sqlalchemy import text

from adoption_desktop.core.storage.engine import Database


def test_any_db_has_schema(any_db: Database) -> None:
    with any_db.session() as session:
        assert session.execute(text("SELECT count(*) FROM audit_head")).scalar_one() == 1
