"""`movieagg taste EXPORT`: what your own Letterboxd or IMDb ratings say about your taste.

Thin: reading the export, the statistics, the weight fit and the drawings live in
:mod:`movieagg.taste`; lookups go through the batch engine (rate limits, concurrency, the cache,
and a results file to resume from). Heavy imports stay inside the command.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from movieagg.taste.report import Lookup

HELP = (
    "What your own ratings say about your taste: a Letterboxd export (the zip or its ratings.csv) "
    "or an IMDb ratings export, every film looked up and set against the consensus.\n\n"
    "Reports how many films matched (and why the others did not), your average against the "
    "consensus and the films you rate most above and below it, how well each source agrees with "
    "you (Spearman's rank correlation, with the number of films) and critics against the "
    "audience, and a personal weight profile: non-negative weights per source fitted to your "
    "ratings (least squares on the simplex), checked by 5-fold cross-validation against your "
    "current weights on films the fit did not see. `--save-weights` writes them to your config "
    "file as MOVIEAGG_WEIGHTS when they do better there (or with `--force`).\n\n"
    "Pictures: histograms and a scatter in the terminal, `--json`, and `--html FILE` (one "
    "self-contained page, no network needed). Computed on this machine: only the titles, years "
    "and IMDb ids are looked up; your ratings, dates and reviews never leave it.\n\n"
    "Exit codes: 0 done; 1 --save-weights did not save (the fit does no better, or too few "
    "films); 2 unreadable export or bad options; 3 no usable source; 130 interrupted (re-run "
    "with the same --results to resume)."
)

EPILOG = (
    "Examples:\n\n"
    "  movieagg taste letterboxd-me-2026-01-01-utc.zip\n\n"
    "  movieagg taste ratings.csv --html taste.html\n\n"
    "  movieagg taste imdb-ratings.csv --results lookups.ndjson --json > taste.json\n\n"
    "  movieagg taste ratings.csv --save-weights"
)


def _read_back(path: Path, wanted: set[int]) -> dict[int, Lookup]:
    """Lookups a previous run wrote to the results file (ndjson), by item key."""
    import json

    from movieagg.batch.inputs import split_year
    from movieagg.batch.items import BatchItem
    from movieagg.core.bounds import Invalid
    from movieagg.core.models import RatingResult
    from movieagg.taste.report import Lookup

    found: dict[int, Lookup] = {}
    if not path.exists():
        return found
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(record, dict) or not isinstance(record.get("index"), int):
                continue
            raw_input = record.get("input")
            given: dict[str, Any] = raw_input if isinstance(raw_input, dict) else {}
            year, year_text = split_year(given.get("year"))
            key = BatchItem(
                record["index"],
                given.get("title") or None,
                year,
                given.get("imdb_id") or None,
                year_text=year_text,
            ).key
            if key not in wanted:
                continue
            result = None
            if isinstance(record.get("result"), dict):
                try:
                    result = RatingResult.from_dict(record["result"])
                except (Invalid, ValueError, TypeError):
                    continue
            found[key] = Lookup(str(record.get("status")), record.get("message"), result)
    return found


def register(app: typer.Typer) -> None:
    @app.command(help=HELP, epilog=EPILOG)
    def taste(
        export: Annotated[
            str, typer.Argument(help="Your export: Letterboxd's zip or ratings.csv, or IMDb's ratings CSV.")
        ],
        json_output: Annotated[
            bool, typer.Option("--json", help="Print the report as one JSON object.")
        ] = False,
        html: Annotated[
            Path | None, typer.Option("--html", help="Also write the report as one self-contained HTML page.")
        ] = None,
        results: Annotated[
            Path | None,
            typer.Option(
                "--results",
                help="Keep the lookups in this ndjson file; the same file again resumes an interrupted run.",
            ),
        ] = None,
        save_weights: Annotated[
            bool,
            typer.Option(
                "--save-weights", help="Write the fitted weights to your config file as your default."
            ),
        ] = False,
        force: Annotated[
            bool, typer.Option("--force", help="With --save-weights: save even if they do no better.")
        ] = False,
        concurrency: Annotated[
            int, typer.Option("--concurrency", "-c", min=1, max=256, help="Lookups in flight at once.")
        ] = 8,
        source: Annotated[
            list[str] | None, typer.Option("--source", "-s", help="Use only this source (repeatable).")
        ] = None,
        refresh: Annotated[
            bool, typer.Option("--refresh", help="Ignore cached ratings and fetch again.")
        ] = False,
        folds: Annotated[int, typer.Option("--folds", min=2, max=20, help="Cross-validation folds.")] = 5,
        seed: Annotated[int, typer.Option("--seed", help="Seed of the cross-validation's folds.")] = 17,
        progress: Annotated[
            str, typer.Option("--progress", help="auto (a bar on a terminal), bar or none.")
        ] = "auto",
    ) -> None:

        from movieagg.batch.engine import arate_many
        from movieagg.batch.items import BatchInputError
        from movieagg.batch.outputs import OutputWriter
        from movieagg.batch.resume import ResumeState, prepare_resume
        from movieagg.commands.common import fail, load_settings, run, stdout
        from movieagg.core.errors import InvalidQuery
        from movieagg.taste.exports import items, read_export
        from movieagg.taste.report import Lookup, build_report

        if progress not in ("auto", "bar", "none"):
            fail(f"unknown progress mode {progress!r} (auto, bar or none)", 2)
        if html is not None and html.is_dir():
            fail(f"--html {html} is a directory", 2)
        settings = load_settings()
        try:
            parsed = read_export(export)
        except BatchInputError as exc:
            fail(str(exc), 2)
        rated = parsed.rated
        if not rated:
            fail(f"{export} holds no rated films", 2)
        resume = ResumeState()
        if results is not None:
            try:
                resume = prepare_resume(results, "ndjson")
            except InvalidQuery as exc:
                fail(str(exc), 2)
        wanted = {r.item.key for r in rated}
        bar_on = progress == "bar" or (progress == "auto" and sys.stderr.isatty())

        async def go() -> dict[int, Lookup]:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            looked: dict[int, Lookup] = {}
            out = open(results, "a" if resume.append else "w", encoding="utf-8") if results else None  # noqa: SIM115, ASYNC230
            writer = OutputWriter(out, "ndjson", append=resume.append) if out is not None else None
            bar = Progress(
                TextColumn("[bold]looking up[/]"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                console=Console(stderr=True), transient=True, disable=not bar_on,
            )  # fmt: skip
            task = bar.add_task("taste", total=len(rated), completed=len(resume.done & wanted))
            try:
                with bar:
                    async for res in arate_many(
                        items(rated),
                        concurrency=concurrency,
                        sources=source or None,
                        refresh=refresh,
                        settings=settings,
                        skip=resume.done or None,
                    ):
                        looked[res.item.key] = Lookup(res.status, res.message, res.result)
                        if writer is not None:
                            writer.write(res)
                        bar.advance(task)
            finally:
                if writer is not None:
                    writer.close()
                if out is not None:
                    out.close()
            return looked

        lookups = run(go, settings)
        if results is not None and resume.done:
            lookups = {**_read_back(results, wanted & resume.done), **lookups}
        report = build_report(parsed, lookups, dict(settings.weights), folds=folds, seed=seed)
        data = report.to_dict()
        if json_output:
            from movieagg._jsonout import write_json

            write_json(data)
        else:
            from movieagg.taste.terminal import render

            render(data, stdout())
        if html is not None:
            from movieagg.taste.html import render_html

            try:
                html.parent.mkdir(parents=True, exist_ok=True)
                html.write_text(render_html(data), encoding="utf-8")
            except OSError as exc:
                fail(f"cannot write {html}: {exc.strerror or type(exc).__name__}", 2)
            _note(f"wrote the report to {html}")
        if save_weights:
            _save(data["weights"], settings.config_path, force)


def _note(message: str) -> None:
    """A line for the user on stderr (stdout may be the JSON report); paths defanged."""
    from movieagg.core.untrusted import printable

    sys.stderr.write(printable(message) + "\n")
    sys.stderr.flush()


def _save(profile: dict[str, Any], config_path: Path | None, force: bool) -> None:
    from movieagg.commands.common import fail
    from movieagg.core.config import config_file_path
    from movieagg.taste.settings_file import write_setting

    if profile.get("fitted") is None:
        fail(f"not saved: {profile.get('reason')}", 1)
    if not profile["fitted"]:
        fail("not saved: the profile is every weight 1, the default already", 1)
    if not profile["better"] and not force:
        fail(
            "not saved: the fitted weights do no better on held-out films "
            f"({profile['heldout_rmse_fitted']:g} "
            f"against {profile['heldout_rmse_default']:g}); --force saves them anyway",
            1,
        )
    path = config_path or config_file_path({})
    try:
        write_setting(path, "MOVIEAGG_WEIGHTS", profile["fitted_text"])
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or type(exc).__name__}", 2)
    _note(
        f"saved MOVIEAGG_WEIGHTS={profile['fitted_text']} to {path} "
        "(a MOVIEAGG_WEIGHTS in the environment still wins; --weights too)"
    )
