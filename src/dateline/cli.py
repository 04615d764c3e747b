"""The ``dateline`` command: a thin layer over ``dateline.api``.

Output on stdout is data (JSON, CSV, tables); messages, rejects and progress go to stderr.
No traceback reaches the user: errors print their code and a hint (DATELINE_DEBUG=1 shows
the traceback for bug reports).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import click

from dateline import api
from dateline.errors import Code, DatelineError, Reject
from dateline.model import Article
from dateline.sources.reader import ReadOptions
from dateline.store import export as exporter
from dateline.store.sqlite import IngestSummary

DB_OPTION = click.option(
    "--db",
    "db_path",
    default="dateline.db",
    show_default=True,
    help="Store: a SQLite file path, or a postgresql:// URL of an existing database.",
)


def _err(message: str) -> None:
    click.echo(message, err=True)


def _report_reject(reject: Reject) -> None:
    where = f"{reject.source} {reject.position}".strip()
    _err(f"rejected [{reject.code}] {where}: {reject.message}")


def _read_options(max_bytes: int | None) -> ReadOptions:
    return ReadOptions(max_doc_bytes=max_bytes) if max_bytes else ReadOptions()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dateline")
def cli() -> None:
    """dateline: turn raw news into a structured, searchable record of what happened."""


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "json", "pretty"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one article per line; json: one array; pretty: indented.",
)
@click.option("--no-clean", is_flag=True, help="Take text verbatim: no rule removes anything.")
@click.option(
    "--no-understand", is_flag=True, help="Stop after cleaning: no entities, places, times."
)
@click.option("--published", metavar="DATE", help="Publication date for inputs that give none.")
@click.option("--max-bytes", type=int, help="Largest single document or record (bytes).")
def process(
    inputs: tuple[str, ...],
    fmt: str,
    no_clean: bool,
    no_understand: bool,
    published: str | None,
    max_bytes: int | None,
) -> None:
    """Run the pipeline on INPUTS (files, dirs, globs, URLs, - for stdin) and print JSON.

    Nothing is stored. Rejected inputs are reported on stderr with their code.
    """
    results = api.process_inputs(
        inputs,
        clean=not no_clean,
        understand=not no_understand,
        published=published,
        read_options=_read_options(max_bytes),
    )
    articles = _articles_reporting_rejects(results)
    if fmt == "json":
        click.echo(json.dumps(list(articles), ensure_ascii=False, indent=2))
        return
    for article in articles:
        indent = 2 if fmt == "pretty" else None
        click.echo(json.dumps(article, ensure_ascii=False, indent=indent))


def _articles_reporting_rejects(results: Iterator[Article | Reject]) -> Iterator[dict[str, Any]]:
    for result in results:
        if isinstance(result, Reject):
            _report_reject(result)
        else:
            yield result.to_json()


@cli.command()
@DB_OPTION
@click.argument("inputs", nargs=-1, required=True)
@click.option("--published", metavar="DATE", help="Publication date for inputs that give none.")
@click.option("--max-bytes", type=int, help="Largest single document or record (bytes).")
@click.option(
    "--no-understand", is_flag=True, help="Stop after cleaning: no entities, places, times."
)
@click.option("--quiet", "-q", is_flag=True, help="No progress and no per-reject lines.")
def ingest(
    db_path: str,
    inputs: tuple[str, ...],
    published: str | None,
    max_bytes: int | None,
    no_understand: bool,
    quiet: bool,
) -> None:
    """Read, process and store INPUTS. Idempotent: what is stored already counts as duplicate.

    Items stored by an earlier run are skipped before processing, so a rerun after an
    interruption resumes quickly.
    """
    summary = IngestSummary()

    def observe(results: Iterator[Article | Reject]) -> Iterator[Article | Reject]:
        if not quiet:
            results = _echo_rejects(results)
        if sys.stderr.isatty() and not quiet:
            results = _with_progress(results, summary)
        return results

    with api.open_store(db_path) as store:
        store.ingest_inputs(
            inputs,
            published=published,
            read_options=_read_options(max_bytes),
            understand=not no_understand,
            summary=summary,
            observe=observe,
        )
    counts = summary.to_json()
    _err(
        f"read {counts['read']}, stored {counts['stored']}, duplicate {counts['duplicate']}, "
        f"rejected {counts['rejected']}"
    )


def _echo_rejects(results: Iterator[Article | Reject]) -> Iterator[Article | Reject]:
    for result in results:
        if isinstance(result, Reject):
            _report_reject(result)
        yield result


def _with_progress(
    results: Iterator[Article | Reject], summary: IngestSummary
) -> Iterator[Article | Reject]:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task("ingesting")
        for n, result in enumerate(results, start=1):
            yield result
            description = f"{n} items, {summary.stored} stored, {summary.rejected} rejected"
            progress.update(task, description=description)


@cli.command()
@DB_OPTION
@click.argument("query")
@click.option("--limit", default=20, show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True
)
def search(db_path: str, query: str, limit: int, fmt: str) -> None:
    """Full-text search over titles and bodies (SQLite FTS5 syntax, ranked by BM25)."""
    with api.open_store(db_path) as store:
        hits = store.search(query, limit)
    if fmt == "jsonl":
        for hit in hits:
            click.echo(json.dumps(hit.__dict__, ensure_ascii=False))
        return
    rows = [
        (h.id[:12], h.published or "", h.publisher or "", h.title or "", h.snippet) for h in hits
    ]
    _table(["id", "published", "publisher", "title", "snippet"], rows)


@cli.command()
@DB_OPTION
@click.argument("article_id")
def show(db_path: str, article_id: str) -> None:
    """Print one stored article (by id or a unique prefix of 6+ characters) as JSON."""
    with api.open_store(db_path) as store:
        article = store.get(article_id)
    click.echo(json.dumps(article.to_json(), ensure_ascii=False, indent=2))


@cli.command()
@DB_OPTION
@click.option(
    "--format", "fmt", type=click.Choice(exporter.FORMATS), default="jsonl", show_default=True
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False), help="File to write (default stdout)."
)
def export(db_path: str, fmt: str, output: str | None) -> None:
    """Export every stored article: jsonl (full JSON), csv or parquet (flat columns).

    Events carry ``fused_id``, the id of the event fused across the story's articles."""
    with api.open_store(db_path) as store:
        articles = store.articles_with_fused_ids()
        if fmt == "parquet":
            if output is None and sys.stdout.isatty():
                raise DatelineError(Code.BAD_OPTION, "parquet is binary", "Give --output FILE.")
            count = exporter.write_parquet(articles, output or sys.stdout.buffer)  # type: ignore[arg-type]
        else:
            write = exporter.write_jsonl if fmt == "jsonl" else exporter.write_csv
            if output:
                with open(output, "w", encoding="utf-8", newline="") as out:
                    count = write(articles, out)
            else:
                count = write(articles, sys.stdout)
    _err(f"exported {count} articles as {fmt}")


@cli.command()
@DB_OPTION
@click.option(
    "--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True
)
def rejects(db_path: str, fmt: str) -> None:
    """List recorded rejects: source, position, reason code, message."""
    with api.open_store(db_path) as store:
        rows = store.rejects()
    if fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    _table(
        ["code", "source", "position", "message"],
        [(r["code"], r["source"], r["position"], r["message"]) for r in rows],
    )


@cli.command()
@DB_OPTION
def summary(db_path: str) -> None:
    """A readable overview of a store: counts, publishers, languages, rejects, latest titles."""
    with api.open_store(db_path) as store:
        facts = store.overview()
    click.echo(f"{facts['articles']} articles in {store.path} (schema {facts['schema']})")
    for label in ("publishers", "languages", "origins", "reject_codes"):
        pairs = ", ".join(f"{k} ({v})" for k, v in facts[label]) or "none"
        click.echo(f"  {label.replace('_', ' ')}: {pairs}")
    top = ", ".join(f"{e['canonical']} ({e['articles']})" for e in facts["top_entities"])
    click.echo(f"  entities: {facts['entities']} canonical; most mentioned: {top or 'none'}")
    click.echo(f"  stories: {facts['stories']}; copies of another article: {facts['copies']}")
    events = ", ".join(f"{t} {n}" for t, n in facts["event_types"]) or "none"
    click.echo(f"  asserted events: {events}")
    click.echo("  latest:")
    for published, publisher, title in facts["latest"]:
        click.echo(
            f"    {published or 'undated':<25} {publisher or '?':<22} {title or '(untitled)'}"
        )


@cli.command()
@DB_OPTION
@click.argument("query", required=False)
@click.option("--kind", help="person, organisation, place, group, media, ...")
@click.option("--limit", default=50, show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True
)
def entities(db_path: str, query: str | None, kind: str | None, limit: int, fmt: str) -> None:
    """List canonical entities by how many stored articles mention them; QUERY finds by name or alias."""
    with api.open_store(db_path) as store:
        rows = store.entities(query, kind, limit)
    if fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    headers = ["id", "canonical", "kind", "country", "sector", "articles", "mentions", "aliases"]
    _table(
        headers, [tuple(str(row[h] if row[h] is not None else "") for h in headers) for row in rows]
    )


@cli.command()
@DB_OPTION
@click.option("--limit", default=50, show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True
)
def stories(db_path: str, limit: int, fmt: str) -> None:
    """List stories (articles about one happening) by size, with outlets and copies."""
    with api.open_store(db_path) as store:
        rows = store.stories(limit)
    if fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    headers = ["story_id", "articles", "outlets", "copies", "first", "last", "title"]
    _table(
        headers, [tuple(str(row[h] if row[h] is not None else "") for h in headers) for row in rows]
    )


@cli.command()
@DB_OPTION
@click.option("--fused", is_flag=True, help="One row per event fused across a story's articles.")
@click.option("--type", "event_type", help="PLOVER type: PROTEST, ASSAULT, REQUEST, ...")
@click.option("--aux", help="asserted, negated, hypothetical, future or historical.")
@click.option("--limit", default=100, show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True
)
def events(
    db_path: str, fused: bool, event_type: str | None, aux: str | None, limit: int, fmt: str
) -> None:
    """List stored events, per article or (--fused) once per happening with its source count."""
    with api.open_store(db_path) as store:
        rows = _fused_rows(store) if fused else _event_rows(store)
    keep = [
        r
        for r in rows
        if (not event_type or r["type"] == event_type) and (not aux or r["aux"] == aux)
    ][:limit]
    if fmt == "jsonl":
        for row in keep:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    headers = ["type", "mode", "aux", "actors", "recipients", "place", "day"]
    headers += ["independent_sources", "reports"] if fused else ["article_id"]
    _table(headers, [tuple(_cell(row[h]) for h in headers) for row in keep])


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


def _event_rows(store: api.AnyStore) -> list[dict[str, Any]]:
    rows = []
    for article_id, event in store.stored_events():  # the event rows: no article is parsed
        when, place = event.get("when") or {}, event.get("place") or {}
        rows.append(
            {
                **event,
                "article_id": article_id,
                "actors": [p["canonical"] for p in event.get("actors") or []],
                "recipients": [p["canonical"] for p in event.get("recipients") or []],
                "place": place.get("name"),
                "day": when.get("value"),
            }
        )
    return rows


def _fused_rows(store: api.AnyStore) -> list[dict[str, Any]]:
    return [event.to_json() for event in store.fused_events()]


@cli.group(name="eval")
def evaluate() -> None:
    """Measure accuracy on the evaluation corpora (read from ../shared/eval; never copied)."""


def _eval_options(func: Any) -> Any:
    func = click.option("--data", type=click.Path(file_okay=False), help="Corpus folder.")(func)
    return click.option("--limit", type=int, help="Only the first N documents.")(func)


def _forward(main: Any, data: str | None, limit: int | None, *extra: str) -> None:
    argv = [
        *(["--data", data] if data else []),
        *(["--limit", str(limit)] if limit else []),
        *extra,
    ]
    code = main(argv)
    if code:
        raise SystemExit(code)


@evaluate.command(name="geo")
@_eval_options
@click.option("--no-spacy", is_flag=True, help="Gazetteer matching only, no NER candidates.")
@click.option("--no-demonyms", is_flag=True, help="Do not geocode adjectives (Syrian -> SY).")
def eval_geo(data: str | None, limit: int | None, no_spacy: bool, no_demonyms: bool) -> None:
    """GeoWebNews: accuracy@161km, toponym recall and precision."""
    from dateline.evaluate import geowebnews

    flags = [*(["--no-spacy"] if no_spacy else []), *(["--no-demonyms"] if no_demonyms else [])]
    _forward(geowebnews.main, data, limit, *flags)


@evaluate.command(name="time")
@_eval_options
def eval_time(data: str | None, limit: int | None) -> None:
    """TimeBank + AQUAINT: TempEval-3 value F1 with relaxed span match."""
    from dateline.evaluate import timebank

    _forward(timebank.main, data, limit)


@evaluate.command(name="quotes")
@_eval_options
@click.option(
    "--split", type=click.Choice(["train", "dev", "all"]), default="all", show_default=True
)
def eval_quotes(data: str | None, limit: int | None, split: str) -> None:
    """PolNeAR: span-overlap P/R/F1 and speaker accuracy, direct quotes and all attributions."""
    from dateline.evaluate import polnear

    _forward(polnear.main, data, limit, "--split", split)


@evaluate.command(name="events")
@_eval_options
def eval_events(data: str | None, limit: int | None) -> None:
    """PLOVER GSR type/mode accuracy and actor match; ConfliBERT CAMEO quad-class macro F1."""
    from dateline.evaluate import events

    _forward(events.main, data, limit)


@evaluate.command(name="stories")
@_eval_options
@click.option("--copies", is_flag=True, help="Copy detection on edited Wikinews copies instead.")
@click.option("--no-understand", is_flag=True, help="Cluster on text only.")
def eval_stories(data: str | None, limit: int | None, copies: bool, no_understand: bool) -> None:
    """ECB+: B-cubed and pairwise F1 of story clusters; --copies: copy-detection P/R."""
    from dateline.evaluate import stories as stories_eval

    flags = [*(["--copies"] if copies else []), *(["--no-understand"] if no_understand else [])]
    _forward(stories_eval.main, data, limit, *flags)


def _table(headers: list[str], rows: Sequence[tuple[str, ...]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*headers, show_lines=False)
    for row in rows:
        table.add_row(*row)
    # piped output has no terminal width; 80 columns would fold every cell
    Console(width=None if sys.stdout.isatty() else 200).print(table)


from dateline.watch import command as watch_command  # noqa: E402

cli.add_command(watch_command.watch)
cli.add_command(watch_command.feeds)

from dateline.batch import command as batch_command  # noqa: E402

cli.add_command(batch_command.batch)
cli.add_command(batch_command.load)

from dateline.web import command as web_command  # noqa: E402

cli.add_command(web_command.serve)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        _err("aborted")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except DatelineError as exc:
        _err(f"error [{exc.code.value}]: {exc.message}\n  hint: {exc.hint}")
        sys.exit(1)
    except BrokenPipeError:
        sys.stderr.close()  # `dateline export | head` is normal use, not an error
        sys.exit(0)
    except Exception as exc:
        if os.environ.get("DATELINE_DEBUG"):
            raise
        error = DatelineError(Code.INTERNAL, f"{type(exc).__name__}: {exc}")
        _err(f"error [{error.code.value}]: {error.message}\n  hint: {error.hint}")
        sys.exit(1)


if __name__ == "__main__":
    main()
