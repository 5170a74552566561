"""`movieagg batch FILE|-`: rate a whole list, politely, resumably, streaming the results.

Thin: parsing, rating and writing live in the :mod:`movieagg.batch` package (inputs, engine,
outputs, resume); this module adds the progress display, the streamed table and the summary.
Heavy imports stay inside the command.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from movieagg.batch.results import BatchResult
    from movieagg.batch.summary import BatchSummary

HELP = (
    "Rate every film in a list: a text file, a CSV (Letterboxd and IMDb exports as they are) or stdin.\n\n"
    "FILE is a text file (one title a line, `Title (1999)` or an IMDb id), a CSV with "
    "title/year/imdb_id columns (or the Letterboxd/IMDb export names, Letterboxd lists included), "
    "Letterboxd's export zip (`--from` picks the table), or `-` for stdin. UTF-8, UTF-16 and the "
    "Windows-1252 of older IMDb exports are told apart by themselves.\n\n"
    "Series and episodes: IMDb exports' Title Type (`TV Series`, `TV Mini Series`, `TV Episode`) is "
    "honoured; a `type` column (movie, series, episode or any) says it per row; `--type` says it for "
    "the rows that do not. Letterboxd rows are always films.\n\n"
    "Results stream out as they finish (`--format table|csv|json|ndjson`, to stdout or `--output`). "
    "Run it again with the same `--output` after an interruption and it skips what is done (failed "
    "titles are retried). Requests respect each source's rate limit (TMDB 40/s, Trakt 500 per 5 "
    "minutes, OMDb's daily quota; see the README) and wait for their turn, so a long list goes at "
    "the pace of its slowest source (leave one out with `-s`); a spent OMDb quota is reported, "
    "never fatal.\n\n"
    "Exit codes: 0 the list was rated (per-title outcomes are in the output and the summary); "
    "2 unreadable input or bad options; 3 no usable source; 130 interrupted (re-run to resume)."
)

EPILOG = (
    "Examples:\n\n"
    "  movieagg batch watchlist.txt\n\n"
    "  movieagg batch letterboxd-watchlist.csv -o rated.csv\n\n"
    "  movieagg batch letterboxd-me-2026-01-01-utc.zip --from lists/favourites\n\n"
    "  movieagg batch shows.txt --type series\n\n"
    "  cat titles.txt | movieagg batch - --format ndjson --concurrency 16 > rated.ndjson"
)


class _Plain:
    """Progress lines for logs and pipes: one every ``every`` seconds."""

    def __init__(self, total: int | None, every: float = 5.0) -> None:
        self.total = total
        self.every = every
        self.last = time.monotonic()

    def update(self, summary: BatchSummary, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.every:
            return
        self.last = now
        done = summary.done - summary.resumed
        rate = done / summary.elapsed if summary.elapsed > 0 else 0.0
        of = f"/{self.total:,}" if self.total is not None else ""
        eta = ""
        if self.total is not None and rate > 0:
            eta = f", ETA {max(self.total - summary.done, 0) / rate:.0f}s"
        sys.stderr.write(
            f"batch: {summary.done:,}{of} done ({rate:.1f}/s{eta}), {summary.failures:,} errors\n"
        )
        sys.stderr.flush()


def _table_header(console: Any) -> None:
    console.print(
        f"[bold]{'#':>6}  {'Score':>5}  {'Film':<44} {'IMDb id':<11} Status[/bold]",
        highlight=False,
        soft_wrap=True,
    )


def _table_row(console: Any, res: BatchResult) -> None:
    from rich.markup import escape

    from movieagg._render import score_style
    from movieagg.core.untrusted import printable

    r = res.result
    if r is not None:
        film = f"{r.movie.title} ({r.movie.year})" if r.movie.year else r.movie.title
        score = f"{r.score:5.0f}" if r.score is not None else "    —"
        style = score_style(r.score)
    else:
        film, score, style = res.item.label(), "    —", "dim"
    film = printable(film)
    film = film if len(film) <= 44 else film[:43] + "…"
    status = {
        "found": "",
        "ambiguous": "[yellow]ambiguous[/]",
        "uncertain": "[bold yellow]uncertain[/]",
        "not_found": "[dim]not found[/]",
    }.get(res.status, f"[red]{escape(res.status)}[/]")
    note = f" [dim]{escape(printable(res.message))}[/]" if res.message and res.status != "found" else ""
    if res.cached and res.status == "found":
        status = "[dim]cached[/]"
    imdb = escape(printable((r.movie.imdb_id if r else res.item.imdb_id) or ""))
    console.print(
        f"{res.item.index:>6}  [{style}]{score}[/]  {escape(film):<44} {imdb:<11} {status}{note}",
        highlight=False,
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    @app.command(help=HELP, epilog=EPILOG)
    def batch(
        file: Annotated[
            str, typer.Argument(help="The list: a text or CSV file, a Letterboxd export zip, or - for stdin.")
        ],
        member: Annotated[
            str | None,
            typer.Option(
                "--from",
                help="Which table of an export zip: watched (the default), ratings, diary, watchlist, "
                "reviews or lists/NAME.",
                show_default=False,
            ),
        ] = None,
        fmt: Annotated[
            str | None,
            typer.Option(
                "--format",
                "-f",
                help="table, csv, json or ndjson. Default: from --output's extension, else table.",
            ),
        ] = None,
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="Write results here; the same file again resumes the run."),
        ] = None,
        concurrency: Annotated[
            int | None,
            typer.Option(
                "--concurrency",
                "-c",
                min=1,
                max=256,
                help="Titles in flight at once (rate limits still apply per source). "
                "Default: MOVIEAGG_BATCH_CONCURRENCY (environment or config file), else 8.",
                show_default=False,
            ),
        ] = None,
        source: Annotated[
            list[str] | None,
            typer.Option("--source", "-s", help="Use only this source (repeatable)."),
        ] = None,
        refresh: Annotated[
            bool, typer.Option("--refresh", help="Ignore cached ratings and fetch again.")
        ] = False,
        no_cache: Annotated[
            bool, typer.Option("--no-cache", help="Neither read nor write the cache.")
        ] = False,
        restart: Annotated[
            bool, typer.Option("--restart", help="Start over: overwrite --output instead of resuming it.")
        ] = False,
        weights: Annotated[
            str | None,
            typer.Option(
                "--weights",
                help="Your weights by rating or family for every score, e.g. imdb=2,critics=0.5 "
                "(0 leaves one out; over MOVIEAGG_WEIGHTS, name by name).",
                show_default=False,
            ),
        ] = None,
        kind: Annotated[
            str,
            typer.Option(
                "--type",
                help="What the titles are where a row does not say (a type column or IMDb's Title Type "
                "does): movie, series, episode or any. Letterboxd rows are films whatever this is.",
            ),
        ] = "movie",
        progress: Annotated[
            str,
            typer.Option(
                "--progress",
                help="auto (a bar on a terminal, lines every 5 s otherwise), bar, plain or none. "
                "The summary is always printed (on stderr).",
            ),
        ] = "auto",
    ) -> None:
        import asyncio

        from movieagg.batch.engine import MAX_CONCURRENCY, arate_many
        from movieagg.batch.inputs import count_items, open_input, read_items, threaded
        from movieagg.batch.outputs import FORMATS, RESUMABLE, OutputWriter, infer_format
        from movieagg.batch.resume import ResumeState, prepare_resume
        from movieagg.batch.summary import BatchSummary
        from movieagg.commands.common import fail, load_settings, run, stdout
        from movieagg.core.errors import ConfigurationError, InvalidQuery
        from movieagg.core.untrusted import printable
        from movieagg.core.wording import plural

        settings = load_settings()
        if concurrency is None:  # the setting, checked as the option is: a usage error (exit 2)
            try:
                concurrency = settings.batch_concurrency
            except ConfigurationError as exc:
                fail(str(exc), 2)
            if concurrency > MAX_CONCURRENCY:
                fail(f"the batch concurrency setting must be {MAX_CONCURRENCY} at most, not {concurrency}", 2)
        chosen = (
            fmt
            or infer_format(str(output) if output else None)
            or ("table" if output is None else "ndjson")
        ).lower()
        if chosen not in FORMATS:
            fail(f"unknown format {chosen!r} (choose from {', '.join(FORMATS)})", 2)
        if kind not in ("movie", "series", "episode", "any"):
            fail(f"--type must be movie, series, episode or any, not {printable(kind)[:40]!r}", 2)
        if progress not in ("auto", "bar", "plain", "none"):
            fail(f"unknown progress mode {progress!r} (auto, bar, plain or none)", 2)
        if output is not None and output.is_dir():
            fail(f"--output {output} is a directory", 2)
        if weights is not None:
            from movieagg.core.weights import parse_weights

            try:
                parse_weights(weights)
            except InvalidQuery as exc:
                fail(f"--weights: {exc}", 2)

        resume = ResumeState()
        try:
            if output is not None and chosen in RESUMABLE and not restart:
                resume = prepare_resume(output, chosen)
            total = count_items(file, member)
        except InvalidQuery as exc:
            fail(str(exc), 2)
        except OSError as exc:
            fail(f"cannot read {output}: {exc.strerror or type(exc).__name__}", 2)

        mode = progress
        if mode == "auto":
            mode = "bar" if sys.stderr.isatty() else "plain"

        async def go() -> BatchSummary:
            from rich.console import Console

            summary = BatchSummary()
            summary.retried = resume.retried
            summary.counts.update(resume.previous)
            summary.resumed = sum(resume.previous.values())
            summary.cached = resume.previous_cached
            out_stream: Any = None
            writer: OutputWriter | None = None
            console = stdout()  # resolved at write time (the bar redirects it)
            if output is not None:
                output.parent.mkdir(parents=True, exist_ok=True)
                out_stream = open(output, "a" if resume.append else "w", encoding="utf-8", newline="")  # noqa: SIM115, ASYNC230
                if chosen == "table":
                    console = Console(file=out_stream, highlight=False, width=140, color_system=None)
            if chosen in RESUMABLE:
                writer = OutputWriter(out_stream or sys.stdout, chosen, append=resume.append)
            elif not resume.append:
                _table_header(console)

            bar: Any = None
            task: Any = None
            plain = _Plain(total) if mode == "plain" else None
            if mode == "bar":
                from rich.progress import (
                    BarColumn,
                    MofNCompleteColumn,
                    Progress,
                    SpinnerColumn,
                    TextColumn,
                    TimeRemainingColumn,
                )

                bar = Progress(
                    SpinnerColumn(),
                    TextColumn("[bold]rating[/]"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]}"),
                    TextColumn("ETA"),
                    TimeRemainingColumn(),
                    TextColumn("{task.fields[errors]}"),
                    console=Console(stderr=True),
                    transient=False,
                )
                bar.start()
                task = bar.add_task("batch", total=total, completed=summary.done, rate="", errors="")

            interrupted = broken_pipe = completed = False
            items_fh = open_input(file, member)
            try:
                items: Any = read_items(items_fh, kind=kind)
                if file == "-":  # a pipe may wait for its writer: never block the event loop on it
                    items = threaded(items)
                async for res in arate_many(
                    items,
                    concurrency=concurrency,
                    sources=source or None,
                    refresh=refresh,
                    use_cache=not no_cache,
                    settings=settings,
                    skip=resume.done or None,
                    weights=weights,
                ):
                    if writer is not None:
                        writer.write(res)
                    else:
                        _table_row(console, res)
                    summary.add(res)
                    if bar is not None:
                        done = summary.done - summary.resumed
                        speed = done / summary.elapsed if summary.elapsed > 0 else 0.0
                        errs = summary.failures
                        bar.update(
                            task,
                            completed=summary.done,
                            rate=f"{speed:.1f}/s",
                            errors=f"[red]{errs:,} errors[/]" if errs else "0 errors",
                        )
                    elif plain is not None:
                        plain.update(summary)
                completed = True
            except (asyncio.CancelledError, KeyboardInterrupt):
                interrupted = True
                raise
            except BrokenPipeError:  # `movieagg batch … | head`: the reader has had enough
                broken_pipe = True
            finally:
                items_fh.close()
                summary.finished = time.monotonic()
                if bar is not None:
                    bar.stop()
                with contextlib.suppress(BrokenPipeError):
                    if writer is not None and not broken_pipe:
                        writer.close()
                    if out_stream is not None:
                        out_stream.close()
                if broken_pipe:  # Python would complain when flushing stdout at exit
                    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                if plain is not None and completed:
                    plain.update(summary, force=True)
                err = Console(stderr=True, highlight=False, soft_wrap=True)
                if completed or interrupted or broken_pipe:  # not after a setup error
                    for line in summary.lines():
                        err.print(printable(line), markup=False)  # quota messages come from upstream
                if interrupted:
                    hint = f"; run the same command again to resume from {output}" if output else ""
                    err.print(f"interrupted after {plural(summary.done, 'title')}{hint}", markup=False)
            if broken_pipe:
                raise BrokenPipeError  # the root command ends it quietly (exit 141)
            return summary

        run(go, settings)
