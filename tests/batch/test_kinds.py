"""Series and episodes in batch inputs (#16): IMDb's Title Type, a type column, --type per file;
Letterboxd rows stay films; films go to the aggregator exactly as before, other kinds to the TV lookup."""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bench.fakeapi import FakeAPI
from movieagg.batch.engine import _rate_one, arate_many
from movieagg.batch.inputs import kind_of_type, open_input, read_items
from movieagg.batch.items import BatchInputError, BatchItem
from movieagg.core.models import Movie, Query, RatingResult

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def kinds(path: Path, kind: str = "movie") -> Counter[str]:
    with open_input(str(path)) as fh:
        return Counter(i.kind for i in read_items(fh, kind=kind))


def test_imdb_title_types_of_every_export_generation() -> None:
    # 2024: "TV Episode" ×21, "TV Series", "Movie" ×7, "Short"
    assert kinds(CORPUS / "imdb" / "ratings-2024.csv") == {"episode": 21, "series": 1, "movie": 8}
    # 2015: "Feature Film", "Documentary", "Mini-Series"
    assert kinds(CORPUS / "imdb" / "watchlist-2015-old.csv") == {"movie": 29, "series": 1}
    # 2021: "movie", "video", "tvMovie"
    assert kinds(CORPUS / "imdb" / "ratings-2021-cp1252.csv") == {"movie": 58}
    # The file's own Title Type wins over --type.
    assert kinds(CORPUS / "imdb" / "ratings-2024.csv", kind="series") == {
        "episode": 21,
        "series": 1,
        "movie": 8,
    }


def test_title_type_mapping() -> None:
    for text in ("TV Series", "TV Mini Series", "tvSeries", "tvMiniSeries", "Mini-Series", "series", "show"):
        assert kind_of_type(text, imdb=True) == "series", text
    for text in ("TV Episode", "tvEpisode", "episode"):
        assert kind_of_type(text, imdb=True) == "episode", text
    for text in (
        "Movie",
        "TV Movie",
        "tvMovie",
        "Short",
        "Video",
        "Feature Film",
        "Documentary",
        "TV Special",
    ):
        assert kind_of_type(text, imdb=True) == "movie", text
    assert kind_of_type("Video Game", imdb=True) == "movie"  # IMDb's other types: rated as before
    assert kind_of_type("any", imdb=False) == "any"
    assert kind_of_type("", imdb=False) is None
    with pytest.raises(ValueError, match="movie, series, episode or any"):
        kind_of_type("banana", imdb=False)


def test_letterboxd_rows_stay_films_whatever_the_type() -> None:
    pj = CORPUS / "letterboxd" / "patrickmjones"
    assert set(kinds(pj / "watched.csv", kind="series")) == {"movie"}
    assert set(kinds(pj / "lists" / "zatoichi.csv", kind="episode")) == {"movie"}


def test_a_type_column_and_the_file_default() -> None:
    text = (
        "title,year,type\n"
        "Breaking Bad,2008,series\n"
        "Fargo,1996,movie\n"
        "Fargo,2014,TV Series\n"
        "Nothing,,banana\n"
        "Ozymandias,,episode\n"
        "Heat,1995,\n"
    )
    items = list(read_items(io.StringIO(text)))
    assert [i.kind for i in items] == ["series", "movie", "series", "movie", "episode", "movie"]
    assert items[3].error == "type 'banana' is not one of movie, series, episode or any"
    anything = list(read_items(io.StringIO(text), kind="any"))
    assert anything[-1].kind == "any" and anything[1].kind == "movie"  # a row's own type wins


def test_text_lines_take_the_file_kind() -> None:
    items = list(read_items(io.StringIO("Breaking Bad\nThe Office (2005)\ntt0903747\n"), kind="series"))
    assert [(i.title, i.year, i.imdb_id, i.kind) for i in items] == [
        ("Breaking Bad", None, None, "series"),
        ("The Office", 2005, None, "series"),
        (None, None, "tt0903747", "series"),
    ]
    assert {i.kind for i in read_items(io.StringIO("Heat\n"))} == {"movie"}
    with pytest.raises(BatchInputError, match="movie, series, episode or any"):
        list(read_items(io.StringIO("Heat\n"), kind="film"))


def test_resume_keys_of_films_are_unchanged_and_kinds_are_told_apart() -> None:
    film = BatchItem(3, "Fargo", 1996)
    before = hashlib.blake2b(b"3\x1fFargo\x1f1996\x1f", digest_size=8).digest()
    assert film.key == int.from_bytes(before, "big")  # the key a run before #16 recorded
    assert BatchItem(3, "Fargo", 2014, kind="series").key != BatchItem(3, "Fargo", 2014).key
    assert film.to_dict() == {"title": "Fargo", "year": 1996, "imdb_id": None}  # films' output as before
    assert BatchItem(1, "Fargo", 2014, kind="series").to_dict()["kind"] == "series"


class FakeAggregator:
    """Records how the engine calls it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def select(self, sources: Any) -> None:
        pass

    def _result(self, title: str) -> RatingResult:
        return RatingResult(Query(title), Movie(title, 2008, imdb_id="tt0903747"), ratings=(), score=None)

    async def rate(self, title: str, year: int | None = None, **options: Any) -> RatingResult:
        self.calls.append(("rate", (title, year), options))
        return self._result(title)

    async def rate_imdb(self, imdb_id: str, **options: Any) -> RatingResult:
        self.calls.append(("rate_imdb", (imdb_id,), options))
        return self._result(imdb_id)


async def test_films_go_to_the_aggregator_other_kinds_to_the_tv_lookup() -> None:
    agg = FakeAggregator()
    asked: list[tuple[str, str]] = []

    async def other(item: BatchItem, options: dict[str, Any]) -> RatingResult:
        asked.append((item.imdb_id or item.title or "", item.kind))
        return agg._result(item.title or "")

    items = [
        BatchItem(1, "Heat", 1995),
        BatchItem(2, "Breaking Bad", kind="series"),
        BatchItem(3, imdb_id="tt2301451", kind="episode"),
        BatchItem(4, "Fargo", kind="any"),
    ]
    results = [await _rate_one(agg, i, None, False, True, None, other) for i in items]  # type: ignore[arg-type]
    assert [r.status for r in results] == ["found"] * 4
    assert [c[1][0] for c in agg.calls] == ["Heat"] and "kind" not in agg.calls[0][2]  # as before #16
    assert asked == [("Breaking Bad", "series"), ("tt2301451", "episode"), ("Fargo", "any")]


async def test_other_kinds_without_the_batch_runtime_fail_the_row_not_the_run() -> None:
    agg = FakeAggregator()
    results = [r async for r in arate_many([BatchItem(1, "Heat"), BatchItem(2, "Fargo", kind="series")], aggregator=agg)]  # type: ignore[arg-type]
    by = {r.item.index: r for r in results}
    assert by[1].status == "found"
    assert by[2].status == "failed" and by[2].message is not None and "series" in by[2].message


def test_a_series_list_is_rated_as_series(fake: FakeAPI, tmp_path: Path) -> None:
    """End to end on the fake upstream: ``batch --type series`` answers the series, a film row the film."""
    import json

    from typer.testing import CliRunner

    from movieagg.commands.app import app

    src = tmp_path / "shows.csv"
    src.write_text("title,year,type\nBreaking Bad,,series\nFargo,1996,movie\n", encoding="utf-8")
    out = tmp_path / "rated.jsonl"
    result = CliRunner().invoke(app, ["batch", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    kinds = {r["input"]["title"]: (r["status"], (r.get("result") or {}).get("kind")) for r in rows}
    assert kinds == {"Breaking Bad": ("found", "series"), "Fargo": ("found", "movie")}


def test_library_mappings_may_say_the_kind() -> None:
    from movieagg.batch.inputs import coerce_items

    items = list(
        coerce_items(
            [{"title": "Breaking Bad", "kind": "series"}, {"title": "Heat"}, {"title": "X", "type": "banana"}]
        )
    )
    assert [i.kind for i in items] == ["series", "movie", "movie"]
    assert items[2].error is not None


def test_cli_type_option_is_checked(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    path = tmp_path / "shows.txt"
    path.write_text("Breaking Bad\n")
    out = subprocess.run(
        [sys.executable, "-m", "movieagg", "batch", str(path), "--type", "film"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert out.returncode == 2
    assert "--type must be movie, series, episode or any" in out.stderr
