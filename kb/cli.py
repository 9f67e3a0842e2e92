"""`kb`: the command line for authors and operators.

    kb reindex            build a new index generation from content/ and switch to it
    kb check              validate content without touching the index
    kb status             which index generation a server would serve, and why
    kb search "…"         try a query; --json prints what GET /v1/search returns
    kb answer "…"         try a question; --json prints what GET /v1/answer returns
    kb evaluate [SET…]    search and answer quality on labelled query sets, side by side
    kb report             what customers searched for and did not find
    kb purge              delete search-log and feedback records older than the retention
    kb db upgrade         create or upgrade the database's tables (see kb.cli_db)

Library errors become messages and exit codes here: 0 ok, 1 content or usage error,
2 bad arguments (click), 3 no index generation opens and verifies, 4 another reindex is running,
5 build failed its verification, 6 `kb reindex` could not write the index (disk full, read-only)
or the server ``kb evaluate --base-url`` was given did not answer.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import click
from pydantic import BaseModel

from .cli_db import db, open_storage
from .cli_db import load_settings as _settings
from .content import ContentSet, load_content
from .errors import (
    ContentError,
    EvaluationServerError,
    IndexBuildError,
    IndexBusyError,
    IndexNotFoundError,
    IndexWriteError,
    KBError,
    LabelError,
    LocaleError,
)
from .models import INTENTS

EXIT_CODES: dict[type[KBError], int] = {
    ContentError: 1,
    LocaleError: 1,
    LabelError: 1,
    IndexNotFoundError: 3,
    IndexBusyError: 4,
    IndexBuildError: 5,
    IndexWriteError: 6,  # kb reindex
    EvaluationServerError: 6,  # kb evaluate --base-url
}
DEFAULT_EVALUATION_SET = Path("tests/golden/queries.yaml")


def _fail(exc: KBError) -> None:
    if isinstance(exc, ContentError):
        click.secho(f"error: {len(exc.problems)} problem(s) in the content:", fg="red", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
    else:
        click.secho(f"error: {exc}", fg="red", err=True)
    if isinstance(exc, IndexNotFoundError):
        click.echo("  (KB_INDEX_DIR is relative to the current folder: the project's scripts/kb runs kb with the "
                   "project's folders from anywhere)", err=True)
    sys.exit(next((code for kind, code in EXIT_CODES.items() if isinstance(exc, kind)), 1))


def _summary(content: ContentSet) -> None:
    for locale in content.locales:
        articles = content.in_locale(locale)
        chunks = sum(len(a.sections) for a in articles)
        click.echo(f"  {locale}: {len(articles)} articles, {chunks} sections")
    for warning in content.warnings:
        click.secho(f"  warning: {warning}", fg="yellow")


def _print_json(model: BaseModel) -> None:
    """What the API would return, for authors and scripts."""
    click.echo(json.dumps(model.model_dump(mode="json"), ensure_ascii=False, indent=2))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="helpcenter-kb")
def main() -> None:
    """Help-center knowledge base: index content, try queries, read reports."""


main.add_command(db)


content_option = click.option(
    "--content-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Content folder (default: $KB_CONTENT_DIR or ./content).",
)
index_option = click.option(
    "--index-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Index folder (default: $KB_INDEX_DIR or ./var/index).",
)


@main.command()
@content_option
@index_option
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and the final line.")
def reindex(content_dir: Path | None, index_dir: Path | None, quiet: bool) -> None:
    """Build a new index generation from the content and switch to it atomically."""
    from .indexing import build_index

    settings = _settings()
    content_dir = content_dir or settings.content_dir
    index_dir = index_dir or settings.index_dir
    started = time.perf_counter()

    def progress(message: str) -> None:
        if not quiet:
            click.echo(f"  … {message} ({time.perf_counter() - started:.1f}s)")

    try:
        progress(f"loading {content_dir}")
        content = load_content(content_dir)
        report = build_index(content, index_dir, progress=progress)
    except KBError as exc:
        _fail(exc)
        return
    if not quiet:
        for locale, stats in report.locales.items():
            click.echo(f"  {locale}: {stats.articles} articles, {stats.chunks} chunks, {stats.seconds:.2f}s")
        for warning in report.warnings:
            click.secho(f"  warning: {warning}", fg="yellow")
    total = sum(s.articles for s in report.locales.values())
    click.secho(f"indexed {total} articles into generation {report.generation} in {report.seconds:.2f}s", fg="green")


@main.command()
@content_option
def check(content_dir: Path | None) -> None:
    """Validate the content without touching the index."""
    content_dir = content_dir or _settings().content_dir
    try:
        content = load_content(content_dir)
    except KBError as exc:
        _fail(exc)
        return
    _summary(content)
    click.secho(f"content OK: {len(content.ids())} articles in {len(content.locales)} locales", fg="green")


def _knowledge_base(index_dir: Path | None):
    from .service import KnowledgeBase

    settings = _settings()
    return KnowledgeBase(
        index_dir or settings.index_dir,
        cache_size=0,
        default_locale=settings.default_locale,
        url_template=settings.article_url_template,
        channels_file=settings.channels_file,
    )


@main.command()
@click.argument("query")
@click.option("--locale", "-l", default=None, help="Locale of the results (fr, en, fr-CA…).")
@click.option("--limit", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--intent", type=click.Choice(INTENTS), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON the API returns.")
@index_option
def search(
    query: str, locale: str | None, limit: int, intent: str | None, as_json: bool, index_dir: Path | None
) -> None:
    """Search the index as GET /v1/search does."""
    try:
        response = _knowledge_base(index_dir).search(query, locale, limit=limit, intent=intent)
    except KBError as exc:
        _fail(exc)
        return
    if as_json:
        _print_json(response)
        return
    if response.suggestions:
        click.echo(f"did you mean: {', '.join(response.suggestions)}")
    if not response.results:
        click.echo("no results")
    for rank, hit in enumerate(response.results, 1):
        snippet = hit.snippet.replace("<mark>", "[").replace("</mark>", "]")
        flag = " (fallback)" if hit.fallback_used else ""
        click.echo(f"{rank}. {hit.title}  [{hit.article_id} · {hit.locale}{flag} · {hit.score:.2f}]")
        click.echo(f"   {snippet}")


@main.command()
@click.argument("question")
@click.option("--locale", "-l", default=None, help="Locale of the answer.")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON the API returns.")
@click.option("--explain", is_flag=True, help="Also show how the question was read (language, concepts, place…).")
@index_option
def answer(question: str, locale: str | None, as_json: bool, explain: bool, index_dir: Path | None) -> None:
    """Answer a question as GET /v1/answer does."""
    try:
        response = _knowledge_base(index_dir).answer(question, locale)
    except KBError as exc:
        _fail(exc)
        return
    if as_json:
        _print_json(response)
        return
    click.echo(f"intent: {response.intent}   confidence: {response.confidence:.2f}")
    if response.answer:
        click.echo(f"{response.answer.title}  [{response.answer.article_id} · {response.answer.locale}]")
        click.echo(f"  {response.answer.summary}")
        for number, step in enumerate(response.answer.steps, 1):
            click.echo(f"  {number}. {step}")
    if response.message:
        click.echo(response.message)
    if response.follow_up:
        click.echo(response.follow_up.question)
        for option in response.follow_up.options:
            click.echo(f"  - {option.label} → {option.article_id}")
    for related in response.related:
        click.echo(f"see also: {related.title}  [{related.article_id}]")
    if explain and response.interpretation is not None:
        from .interpret import describe

        click.echo("\n".join(describe(response.interpretation)))


@main.command()
@click.argument("sets", nargs=-1, type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--base-url", default=None, help="Run over HTTP against this running server instead of in process.")
@click.option("--failures", "show_failures", is_flag=True, help="List the failing queries, grouped by failure class.")
@click.option("--calibration", "show_calibration", is_flag=True, help="Answers given and right, by confidence.")
@click.option("--split", type=click.Choice(["tune", "holdout"]), default=None, help="Golden entries of one split only.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures (and lists asked for) as JSON.")
@click.option("--sweep", is_flag=True, help="Show the answer trade-off at each confidence threshold (in process).")
@index_option
def evaluate(
    sets: tuple[Path, ...],
    base_url: str | None,
    show_failures: bool,
    show_calibration: bool,
    split: str | None,
    as_json: bool,
    sweep: bool,
    index_dir: Path | None,
) -> None:
    """Search and answer quality on labelled query sets, side by side (default: the golden set)."""
    from .evaluation import EvaluatedSet, HttpRunner, InProcessRunner, evaluate, load_set, sweep_thresholds
    from .evaluation.tables import calibration_text, failures_text, side_by_side

    if not sets:
        if not DEFAULT_EVALUATION_SET.is_file():
            raise click.UsageError(f"no set named and no {DEFAULT_EVALUATION_SET} here (run from the project folder)")
        sets = (DEFAULT_EVALUATION_SET,)
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise click.BadParameter("an http:// or https:// URL", param_hint="--base-url")
    if sweep and base_url is not None:
        raise click.UsageError("--sweep varies the answer threshold in this process: drop --base-url")
    try:
        labelled = [load_set(path) for path in sets]
        if split:
            labelled = [replace(s, cases=[c for c in s.cases if c.split in (None, split)]) for s in labelled]
        if sweep:
            knowledge_base = _knowledge_base(index_dir)
            chosen = [c for c in labelled[0].cases if c.split in (None, split or "tune")]
            click.echo(f"{'threshold':>9} {'correct':>8} {'wrong':>6} {'unanswered':>10} {'out-of-scope answered':>22}")
            for row in sweep_thresholds(knowledge_base, chosen, [round(0.05 * i, 2) for i in range(4, 17)]):
                click.echo(
                    f"{row['threshold']:>9} {row['correct']:>8} {row['wrong']:>6} {row['unanswered']:>10} "
                    f"{row['out_of_scope_answered']:>22}"
                )
            return
        if base_url is not None:
            with HttpRunner(base_url) as http:
                evaluated = [EvaluatedSet(s, http.where, evaluate(http, s)) for s in labelled]
        else:
            local = InProcessRunner(_knowledge_base(index_dir))
            evaluated = [EvaluatedSet(s, local.where, evaluate(local, s)) for s in labelled]
    except KBError as exc:
        _fail(exc)
        return
    if as_json:
        report = {e.name: e.as_json(with_failures=show_failures, with_calibration=show_calibration) for e in evaluated}
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    click.echo(side_by_side(evaluated))
    for chosen_set in evaluated:
        if show_calibration:
            click.echo("\n" + calibration_text(chosen_set))
        if show_failures:
            click.echo("\n" + failures_text(chosen_set))


@main.command()
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(index_dir: Path | None, as_json: bool) -> None:
    """Which index generation a server would serve and why (exit code 3: none); every one checked."""
    from .cli_status import index_status

    index_dir = index_dir or _settings().index_dir
    serving = _knowledge_base(index_dir).status()
    click.echo(index_status(index_dir, serving, as_json))
    sys.exit(0 if serving.generation is not None else EXIT_CODES[IndexNotFoundError])


def _index_locales(index_dir: Path) -> tuple[str, ...]:
    """The locales of the current index generation, or () when none was built."""
    from .indexing import current_generation_path

    path = current_generation_path(index_dir)
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        return ()
    return tuple(manifest.get("locales", ()))


@main.command()
@click.option(
    "--since",
    default=None,
    metavar="WHEN",
    help="Start of the period: a duration back from now (7d, 12h, 2w) or an ISO date/time "
    "(2025-03-01, 2025-03-01T08:00Z). Default: everything kept.",
)
@click.option("--locale", "-l", default=None, help="Only this locale (fr, en, fr-CA…).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True, help="Entries per section.")
def report(since: str | None, locale: str | None, fmt: str, limit: int) -> None:
    """What customers searched for and did not find (from $KB_DATABASE_URL).

    Top queries, queries with no result, questions left unanswered, articles voted not helpful
    and translation gaps, per locale. --format json prints what GET /v1/admin/report returns.
    """
    from .report import build_report, format_table
    from .report_args import parse_since, report_locale

    settings = _settings()
    try:
        start = parse_since(since)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    try:
        chosen = report_locale(locale, _index_locales(settings.index_dir))
    except LocaleError as exc:
        raise click.BadParameter(str(exc), param_hint="--locale") from None
    storage = open_storage(settings)
    try:
        result = build_report(storage, start, chosen, limit)
    finally:
        storage.close()
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(result), nl=False)


@main.command()
@click.option(
    "--older-than-days",
    type=click.IntRange(min=0),
    default=None,
    help="Delete records older than this many days. Default: $KB_LOG_RETENTION_DAYS (90).",
)
def purge(older_than_days: int | None) -> None:
    """Delete search-log and feedback records older than the retention period."""
    settings = _settings()
    days = settings.log_retention_days if older_than_days is None else older_than_days
    storage = open_storage(settings)
    try:
        counts = storage.purge(days)
    finally:
        storage.close()
    click.echo(
        f"deleted {counts.get('search_log', 0)} search-log and {counts.get('feedback', 0)} feedback "
        f"record(s) older than {days} day(s)"
    )
