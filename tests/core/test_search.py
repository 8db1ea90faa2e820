"""The one full-text search interface, on SQLCipher (FTS5) and PostgreSQL (tsvector + GIN) alike."""

from __future__ import annotations

import pytest

from adoption_desktop.core.storage import search
from adoption_desktop.core.storage.engine import Database

INDEX = search.SearchIndex("test_docs")
DOCS = [(1, "Hazelmere Avenue ZZ99 1AB Quinn"), (2, "Hazelford Road ZZ98 2CD"), (3, "Quarry Lane Hazel"),
        (4, "Café Élan ZZ99 9ZZ")]


def _ids(db: Database, query: str) -> set[int]:
    with db.engine.begin() as conn:
        sub = search.matching_ids(conn, INDEX, query)
        assert sub is not None
        return {r[0] for r in conn.execute(sub)}


@pytest.fixture
def indexed(any_db: Database) -> Database:
    search.forget_ensured()
    with any_db.engine.begin() as conn:
        search.index_documents(conn, INDEX, DOCS)
    return any_db


def test_every_word_as_a_prefix(indexed: Database) -> None:
    assert _ids(indexed, "hazel") == {1, 2, 3}
    assert _ids(indexed, "Hazel zz99") == {1}
    assert _ids(indexed, "quinn haz") == {1}
    assert _ids(indexed, "zz9") == {1, 2, 4}
    assert _ids(indexed, "elmere") == set()  # a prefix of words, not any substring
    with indexed.engine.begin() as conn:
        assert search.count_matches(conn, INDEX, "hazel") == 3
        assert search.matching_ids(conn, INDEX, " ,. ") is None


def test_a_reference_typed_without_its_hyphen_or_in_full_width_is_found(any_db: Database) -> None:
    """People type ``LB00019`` for ``LB-00019`` (the index holds ``lb`` and ``00019``), or paste it in
    full-width characters from a scanned letter's text; a word of letters and digits still matches itself."""
    search.forget_ensured()
    with any_db.engine.begin() as conn:
        search.index_documents(conn, INDEX, [(1, "LB-00019 Hazel"), (2, "LB-00190 Quinn"), (3, "flat 2b SW1A 1AA"),
                                             (4, "LB-01900 Rowan")])
    assert _ids(any_db, "LB00019") == {1}
    assert _ids(any_db, "lb0001") == {1}
    assert _ids(any_db, "lb001") == {2}  # the digits as a prefix, as every word
    assert _ids(any_db, "ＬＢ－０００１９") == {1}
    assert _ids(any_db, "ＬＢ０００１９ hazel") == {1}
    assert _ids(any_db, "sw1a") == {3}
    assert _ids(any_db, "2b") == {3}
    assert _ids(any_db, "lb00019 quinn") == set()


def test_a_reference_number_typed_without_its_leading_zeros_is_found(any_db: Database) -> None:
    """People type the number they read on a letter or hear on the phone: ``19`` or ``0019`` for
    ``LB-00019``. The digits are still a prefix of every word as typed, and never match with fewer zeros
    than typed (``00019`` is not ``19`` elsewhere), on SQLCipher and PostgreSQL alike."""
    search.forget_ensured()
    with any_db.engine.begin() as conn:
        search.index_documents(conn, INDEX, [(1, "LB-00019 Hazel"), (2, "LB-00190 Quinn"), (3, "PB/2024/017 Rowan"),
                                             (4, "LB-01900 Birch"), (5, "visit on 19 May"), (6, "LB-00004")])
    assert _ids(any_db, "19") == {1, 5}
    assert _ids(any_db, "0019") == {1, 2}  # "00019" padded, and "00190" by prefix as before
    assert _ids(any_db, "LB19") == {1}
    assert _ids(any_db, "lb-19 hazel") == {1}
    assert _ids(any_db, "190") == {2}
    assert _ids(any_db, "1900") == {4}
    assert _ids(any_db, "17 rowan") == {3}
    assert _ids(any_db, "0004") == {6}
    assert _ids(any_db, "4") == {6}
    assert _ids(any_db, "00019") == {1}  # as typed: not the "19" of another document
    assert _ids(any_db, "lb 000") == {1, 6}  # zeros alone stay a prefix
    assert _ids(any_db, "19 quinn") == set()


def test_padded_forms_of_a_number() -> None:
    assert search._padded("19") == ["019", "0019", "00019", "000019", "0000019", "00000019"]
    assert search._padded("0004") == ["00004", "000004", "0000004", "00000004"]
    assert search._padded("12345678") == []
    assert search._padded("000") == [] and search._padded("lb") == [] and search._padded("١٩") == []
    # a pasted word of many runs is no reference: its numbers are not padded (a query of megabytes otherwise)
    assert '"01"' not in search.fts5_query("1a" * 3000) and "'01'" not in search.tsquery("1a" * 3000)
    assert '"01"' in search.fts5_query("1a" * 4) and "'01'" in search.tsquery("1a" * 4)


def test_replace_and_remove(indexed: Database) -> None:
    with indexed.engine.begin() as conn:
        search.index_documents(conn, INDEX, [(3, "Quarry Lane Birchwood")])
        search.remove_documents(conn, INDEX, [2])
    assert _ids(indexed, "hazel") == {1}
    assert _ids(indexed, "birch") == {3}


def test_postgresql_search_uses_the_gin_index(any_db: Database) -> None:
    if any_db.is_sqlite:
        pytest.skip("PostgreSQL only")
    search.forget_ensured()
    with any_db.engine.begin() as conn:
        search.index_documents(conn, INDEX, DOCS)
    with any_db.engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        sub = search.matching_ids(conn, INDEX, "hazel zz99")
        assert sub is not None
        compiled = sub.compile(conn)
        plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params))
    assert f"{INDEX.table}_gin" in plan, plan


def test_an_index_table_created_in_a_rolled_back_transaction_is_created_again(any_db: Database) -> None:
    """A failed import rolls back the index table it created: the next write creates it again instead
    of failing with "no such table"."""
    search.forget_ensured()
    index = search.SearchIndex("test_rollback")
    with pytest.raises(RuntimeError), any_db.engine.begin() as conn:
        search.index_documents(conn, index, [(1, "first")])
        raise RuntimeError("the import failed")
    with any_db.engine.begin() as conn:
        search.index_documents(conn, index, [(1, "second")])
    with any_db.engine.begin() as conn:
        sub = search.matching_ids(conn, index, "second")
        assert sub is not None
        assert [r[0] for r in conn.execute(sub)] == [1]
