"""``schema.TABLE_NAMES`` (read at every open to find tables dropped outside the application) names exactly
the tables of the models: a table added to a model and not to the list would never be missed when dropped."""

from adoption_desktop.schema import TABLE_NAMES, load_all_models


def test_the_written_out_table_names_are_the_models_tables() -> None:
    assert set(load_all_models().tables) == set(TABLE_NAMES)
