"""`movieagg datasets sync|status`: the offline IMDb datasets source."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import typer

NOTICE = (
    "Information courtesy of IMDb (https://www.imdb.com). Used with permission. IMDb's datasets are "
    "for personal and non-commercial use only: https://developer.imdb.com/non-commercial-datasets/"
)

datasets_app = typer.Typer(
    name="datasets",
    help="The offline IMDb datasets source: sync it once, then `--source imdb-datasets` answers IMDb "
    "rating and votes with no key and no network, and resolves titles when online sources are down.\n\n"
    + NOTICE,
    no_args_is_help=True,
    rich_markup_mode="rich",
)


class _Bar:
    """A rich progress bar per phase (bytes of the compressed file), or plain lines."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.bar: Any = None
        self.tasks: dict[str, Any] = {}
        self.last = 0.0
        if mode == "bar":
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            self.bar = Progress(
                TextColumn("{task.description:<32}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self.bar.start()

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if self.bar is not None:
            if phase == "index" and total is None:
                total = 1  # one step; completed when the import ends
            if phase not in self.tasks:
                self.tasks[phase] = self.bar.add_task(
                    phase if phase != "index" else "building the title index", total=total
                )
            self.bar.update(self.tasks[phase], completed=done, total=total)
        elif self.mode == "plain":
            now = time.monotonic()
            if now - self.last >= 5 or (total is not None and done >= total):
                self.last = now
                share = f" {done / total:.0%}" if total else ""
                sys.stderr.write(f"datasets: {phase}{share}\n")
                sys.stderr.flush()

    def stop(self) -> None:
        if self.bar is not None:
            for task in self.tasks.values():
                self.bar.update(task, completed=self.bar.tasks[task].total or 0)
            self.bar.stop()


@datasets_app.command(
    epilog="Examples:\n\n  movieagg datasets sync\n\n"
    "  movieagg datasets sync --from ~/Downloads/imdb --no-akas\n\n"
    "  movieagg datasets sync --no-episodes   # films only, no series grid\n\n" + NOTICE
)
def sync(
    from_dir: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Read title.basics.tsv.gz, title.ratings.tsv.gz (and title.akas.tsv.gz) from this "
            "directory instead of downloading them.",
            file_okay=False,
        ),
    ] = None,
    akas: Annotated[
        bool | None,
        typer.Option(
            "--akas/--no-akas",
            help="Import alternative titles (title.akas, ~300 MB download). "
            "Default: with --from, if present; when downloading, no.",
        ),
    ] = None,
    episodes: Annotated[
        bool | None,
        typer.Option(
            "--episodes/--no-episodes",
            help="Import title.episode (series' seasons and episodes, ~50 MB download) for "
            "`movieagg episodes` offline. Default: with --from, if present; when downloading, yes.",
        ),
    ] = None,
    keep_downloads: Annotated[
        bool, typer.Option("--keep-downloads", help="Keep the downloaded files.")
    ] = False,
    progress: Annotated[str, typer.Option("--progress", help="auto, bar, plain or none.")] = "auto",
) -> None:
    """Download (or read) IMDb's datasets and import them into a local SQLite database."""
    import asyncio
    import shutil

    from movieagg.commands.common import fail, load_settings
    from movieagg.core.errors import MovieAggError
    from movieagg.sources.imdb_datasets.download import download
    from movieagg.sources.imdb_datasets.files import AKAS, BASICS, EPISODES, RATINGS, db_path
    from movieagg.sources.imdb_datasets.importer import import_datasets
    from movieagg.sources.registry import IMDB_DATASETS

    settings = load_settings()
    target = db_path(settings)
    mode = progress if progress != "auto" else ("bar" if sys.stderr.isatty() else "plain")
    bar = _Bar(mode)
    workdir: Path | None = None
    try:
        if from_dir is None:
            base = IMDB_DATASETS.url(settings)
            use_akas = bool(akas)
            use_episodes: bool | None = episodes is not False
            names = [BASICS, RATINGS] + ([EPISODES] if use_episodes else []) + ([AKAS] if use_akas else [])
            target.parent.mkdir(parents=True, exist_ok=True)
            workdir = Path(tempfile.mkdtemp(prefix="imdb-download-", dir=target.parent))
            asyncio.run(download(base, names, workdir, timeout=max(settings.timeout, 30.0), progress=bar))
            source_dir, origin = workdir, base
        else:
            source_dir, origin, use_akas = from_dir, str(from_dir), akas  # type: ignore[assignment]
            use_episodes = episodes
        stats = import_datasets(
            source_dir, target, akas=use_akas, progress=bar, origin=origin, episodes=use_episodes
        )
    except KeyboardInterrupt:
        bar.stop()
        fail("interrupted; the previous import (if any) is unchanged", 130)
    except MovieAggError as exc:
        bar.stop()
        fail(f"{exc}; the previous import (if any) is unchanged", exc.exit_code)
    except OSError as exc:  # the data directory (not the files): say so, as for a bad setting
        bar.stop()
        fail(
            f"cannot import the datasets: {exc.strerror or type(exc).__name__}; "
            "the previous import (if any) is unchanged",
            3,
        )
    finally:
        if workdir is not None and not keep_downloads:
            shutil.rmtree(workdir, ignore_errors=True)
    bar.stop()
    malformed = sum(stats.malformed.values())
    lines = [
        f"imported {stats.titles:,} films and TV movies ({stats.rated:,} rated"
        + (f", {stats.akas:,} alternative titles" if stats.akas else "")
        + f"), {stats.series:,} series and {stats.episodes:,} episodes"
        + (f" ({stats.placed:,} placed in their seasons)" if stats.episodes_rows else "")
        + f" into {target}",
        f"read {stats.basics_rows:,} title.basics rows at {stats.basics_rate:,.0f} rows/s; "
        f"{malformed:,} malformed lines skipped"
        + (
            " (" + ", ".join(f"{k}: {v:,}" for k, v in stats.malformed.items() if v) + ")"
            if malformed
            else ""
        ),
        NOTICE,
    ]
    for line in lines:
        sys.stderr.write(line + "\n")


@datasets_app.command()
def status(json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Show the local import: where it is, when it was made, what it holds."""
    import json

    from movieagg.commands.common import fail, load_settings
    from movieagg.sources.imdb_datasets.files import db_path
    from movieagg.sources.imdb_datasets.importer import read_meta

    settings = load_settings()
    path = db_path(settings)
    meta = read_meta(path)
    if meta is None:
        if json_output:
            sys.stdout.write(json.dumps({"path": str(path), "synced": False}) + "\n")
            return
        fail(f"no IMDb datasets import at {path}; run `movieagg datasets sync`", 1)
    stats = json.loads(meta.get("stats", "{}"))
    info = {
        "path": str(path),
        "synced": True,
        "imported_at": meta.get("imported_at"),
        "origin": meta.get("origin"),
        "size_bytes": path.stat().st_size,
        **stats,
    }
    if json_output:
        sys.stdout.write(json.dumps(info) + "\n")
        return
    sys.stdout.write("".join(f"{line}\n" for line in _status_lines(info)) + NOTICE + "\n")


def _status_lines(info: dict[str, Any]) -> list[str]:
    """The import in words (``--json`` has every figure)."""
    from movieagg.core.wording import plural

    def count(key: str) -> int:
        value = info.get(key)
        return value if isinstance(value, int) else 0

    malformed = info.get("malformed")
    skipped = sum(v for v in malformed.values() if isinstance(v, int)) if isinstance(malformed, dict) else 0
    size = info.get("size_bytes")
    megabytes = f" ({size / 1_000_000:.1f} MB)" if isinstance(size, int) else ""
    lines = [f"import:    {info['path']}{megabytes}"]
    if info.get("imported_at"):
        origin = f" from {info['origin']}" if info.get("origin") else ""
        lines.append(f"imported:  {info['imported_at']}{origin}")
    lines.append(
        f"titles:    {plural(count('titles'), 'film')} and TV movies, {count('rated'):,} rated, "
        f"{plural(count('akas'), 'alternative title')}"
    )
    lines.append(
        f"series:    {plural(count('series'), 'series', 'series')}, {plural(count('episodes'), 'episode')}"
        f" ({count('placed'):,} placed in their seasons)"
    )
    lines.append(f"skipped:   {plural(skipped, 'malformed line')}")
    return lines


def register(app: typer.Typer) -> None:
    app.add_typer(datasets_app, name="datasets")
