"""Alembic's environment for the feedback and search-log tables.

Run by :mod:`kb.migrate` (``kb db upgrade | current | downgrade``), which hands over an open
connection in ``config.attributes["connection"]``: the engine's SQLite pragmas apply, and no
``alembic.ini`` is needed. ``render_as_batch`` lets the same scripts alter tables on SQLite,
whose ``ALTER TABLE`` is limited.
"""

from __future__ import annotations

from alembic import context

from kb.storage import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the migrations through `kb db` (kb.migrate), which passes a connection")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
