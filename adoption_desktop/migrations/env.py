"""Alembic environment: always run programmatically with a connection in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from adoption_desktop.schema import load_all_models

target_metadata = load_all_models()
config = context.config
connection = config.attributes["connection"]

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=config.attributes.get("transaction_per_migration", True),
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
