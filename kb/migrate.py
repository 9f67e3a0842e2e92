"""Schema migrations of the feedback and search-log database, with Alembic.

The revisions ship inside the package (``kb/migrations/versions``), so an installed copy can
upgrade its database without the source tree or an ``alembic.ini``: the Alembic configuration
is built here, and the migrations run on a connection of :class:`kb.storage.Storage` (SQLite
pragmas included). ``kb db upgrade | current | downgrade`` calls these functions.

A database created before migrations existed has the tables of the first revision
(:data:`BASELINE`) and no ``alembic_version`` table: :func:`upgrade` stamps it at the baseline,
then upgrades it, keeping every row. Servers never change the schema; they read
:func:`schema_state` and refuse to store anything while the schema is behind.

Adding a revision: copy the newest file of ``kb/migrations/versions``, give it the next
``revision`` and the previous one as ``down_revision``, and change ``kb.storage`` to match;
``tests/test_migrations.py`` fails while the two disagree. Keep revisions additive (new nullable
columns, new tables) so that the previous release keeps working on an upgraded database
during a rolling deploy.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import ResolutionError
from alembic.util import CommandError

from .storage import Storage, metadata

__all__ = ["BASELINE", "SchemaError", "SchemaState", "downgrade", "head", "schema_state", "upgrade"]

BASELINE = "0001_initial"
SCRIPT_LOCATION = "kb:migrations"
# Any constant: the key of the PostgreSQL advisory lock that serializes concurrent upgrades
# (replicas whose start-up scripts all run `kb db upgrade` at once).
UPGRADE_LOCK_KEY = 7_145_620_211

SchemaStatus = Literal["current", "behind", "newer"]


class SchemaError(Exception):
    """The database holds tables that no revision explains, or a revision name is unknown."""


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config(stdout=io.StringIO())  # the CLI says what happened in its own words
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    """The newest revision this release knows."""
    revision = _scripts().get_current_head()
    assert revision is not None, "kb/migrations/versions holds no revision"
    return revision


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Where a database stands: its ``revision`` (None: no migration history) and ``status``.

    ``behind``: older than this release (or never migrated, ``legacy`` when it has the tables
    an earlier release created); ``current``: at :func:`head`; ``newer``: a revision this
    release does not know, written by a newer release (usable: revisions are additive).
    """

    revision: str | None
    head: str
    status: SchemaStatus
    legacy: bool = False

    @property
    def usable(self) -> bool:
        """True when a server of this release can read and write the tables."""
        return self.status != "behind"


def _our_tables(connection: sa.Connection) -> set[str]:
    return set(sa.inspect(connection).get_table_names()) & set(metadata.tables)


def _state(connection: sa.Connection) -> SchemaState:
    revision = MigrationContext.configure(connection).get_current_revision()
    newest = head()
    if revision is None:
        tables = _our_tables(connection)
        if tables and tables != set(metadata.tables):
            missing = ", ".join(sorted(set(metadata.tables) - tables))
            raise SchemaError(f"the database has some of the tables but not {missing}, and no migration history")
        return SchemaState(None, newest, "behind", legacy=bool(tables))
    if revision == newest:
        return SchemaState(revision, newest, "current")
    try:
        known = _scripts().get_revision(revision) is not None
    except (ResolutionError, CommandError):  # an id no revision of this release has
        known = False
    return SchemaState(revision, newest, "behind" if known else "newer")


def schema_state(storage: Storage) -> SchemaState:
    """Where ``storage``'s database stands (reads only; raises SQLAlchemyError when it is down)."""
    with storage.engine.connect() as connection:
        return _state(connection)


def _serialized(connection: sa.Connection) -> None:
    """Wait for any other upgrade of the same PostgreSQL database to commit (held until ours
    does). SQLite has no such lock: run one upgrade at a time there."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK_KEY})


def upgrade(storage: Storage, revision: str = "head") -> tuple[SchemaState, SchemaState]:
    """Upgrade to ``revision`` (default: the newest), stamping a pre-migration database at
    :data:`BASELINE` first; return the states before and after."""
    with storage.engine.begin() as connection:
        _serialized(connection)
        before = _state(connection)
        if before.status == "newer":
            raise SchemaError(f"the database is at {before.revision}, which this release does not know")
        config = _config(connection)
        if before.legacy:
            command.stamp(config, BASELINE)
        _run(command.upgrade, config, revision)
        after = _state(connection)
    return before, after


def downgrade(storage: Storage, revision: str) -> tuple[SchemaState, SchemaState]:
    """Downgrade to ``revision`` (``base`` removes the tables); return the states before and after."""
    with storage.engine.begin() as connection:
        _serialized(connection)
        before = _state(connection)
        if before.revision is None:
            raise SchemaError("the database has no migration history: run `kb db upgrade` first")
        config = _config(connection)
        _run(command.downgrade, config, revision)
        after = _state(connection)
    return before, after


def _run(step: Callable[[Config, str], None], config: Config, revision: str) -> None:
    try:
        step(config, revision)
    except CommandError as exc:  # an unknown revision, a downgrade target above the current one
        raise SchemaError(str(exc)) from None
