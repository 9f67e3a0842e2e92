"""`kb db`: the database schema's migrations, and how every command opens the configuration and
the database (``kb report`` and ``kb purge`` refuse a schema that is behind, like the server).

    kb db upgrade [REVISION]     create or upgrade the tables (default: the newest revision)
    kb db current                the database's revision, and whether it is behind
    kb db downgrade REVISION     go back to REVISION (``base`` drops the tables)
"""

from __future__ import annotations

import click

from .config import Settings
from .redaction import redact_text, redact_url


def load_settings() -> Settings:
    """The ``KB_*`` configuration, or a clear error naming the bad variable."""
    try:
        return Settings()
    except Exception as exc:  # pydantic ValidationError: a bad KB_* variable
        raise click.ClickException(f"invalid configuration: {exc}") from exc


def _open(url: str):  # -> Storage (imported lazily: SQLAlchemy is slow to import)
    from sqlalchemy.exc import ArgumentError

    from .storage import Storage

    try:
        return Storage(url)
    except (ArgumentError, OSError, ImportError) as exc:
        reason = redact_text(str(exc), url)
        raise click.ClickException(f"cannot open the database {redact_url(url)!r}: {reason}") from exc


def _state(storage):  # -> SchemaState
    from sqlalchemy.exc import SQLAlchemyError

    from .migrate import SchemaError, schema_state

    try:
        return schema_state(storage)
    except (SQLAlchemyError, SchemaError) as exc:
        reason = redact_text(str(exc), storage.url)
        raise click.ClickException(f"cannot open the database {redact_url(storage.url)!r}: {reason}") from exc


def open_storage(settings: Settings):  # -> Storage
    """``KB_DATABASE_URL``'s storage, once its schema is usable by this release."""
    storage = _open(settings.database_url)
    state = _state(storage)
    if not state.usable:
        storage.close()
        found = f"revision {state.revision}" if state.revision else _describe(state)
        raise click.ClickException(
            f"the database {redact_url(storage.url)} has {found}, this release needs {state.head}: "
            "run `kb db upgrade` first"
        )
    return storage


def _describe(state) -> str:  # state: SchemaState
    if state.revision is None:
        return "tables of a release before migrations (no revision)" if state.legacy else "no tables"
    notes = {"current": "the newest", "behind": f"behind {state.head}", "newer": "newer than this release knows"}
    return f"revision {state.revision} ({notes[state.status]})"


def _migrate(step_name: str, revision: str) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from . import migrate

    storage = _open(load_settings().database_url)
    try:
        step = migrate.upgrade if step_name == "upgrade" else migrate.downgrade
        before, after = step(storage, revision)
    except (SQLAlchemyError, migrate.SchemaError) as exc:
        reason = redact_text(str(exc), storage.url)
        raise click.ClickException(f"{step_name} failed on {redact_url(storage.url)}: {reason}") from exc
    finally:
        storage.close()
    if before.legacy:
        click.echo(f"stamped the tables of a release before migrations at {migrate.BASELINE}")
    if before.revision == after.revision and not before.legacy:
        click.secho(f"{redact_url(storage.url)}: nothing to do, {_describe(after)}", fg="green")
    else:
        click.secho(f"{redact_url(storage.url)}: {_describe(before)} → {_describe(after)}", fg="green")


@click.group()
def db() -> None:
    """The feedback and search-log database: create, upgrade, inspect its schema."""


@db.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Create the tables or upgrade them to REVISION (default: head, the newest); rows are kept.

    Run it once per deploy, before starting the new release's servers (scripts/serve does).
    """
    _migrate("upgrade", revision)


@db.command()
def current() -> None:
    """Print the database's revision and whether this release needs an upgrade (exit 1 if so)."""
    storage = _open(load_settings().database_url)
    try:
        state = _state(storage)
    finally:
        storage.close()
    click.echo(f"{redact_url(storage.url)}: {_describe(state)}")
    if not state.usable:
        click.echo("run `kb db upgrade`")
        raise SystemExit(1)


@db.command()
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Go back to REVISION (a revision id; base drops every table).

    Columns and tables added after REVISION are dropped with their data.
    """
    _migrate("downgrade", revision)
