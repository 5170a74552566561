"""The report from rows and lookups: which rows count, which are listed and why, and its numbers."""

from __future__ import annotations

from movieagg.core.models import Movie, Query, Rating, RatingResult
from movieagg.taste.exports import parse_export
from movieagg.taste.report import Lookup, build_report


def result(title: str, year: int, imdb: float | None, mc: float | None = None) -> RatingResult:
    ratings = []
    if imdb is not None:
        ratings.append(Rating("imdb", "IMDb", imdb, 10, 500_000, "omdb"))
    if mc is not None:
        ratings.append(Rating("metacritic", "Metacritic", mc, 100, 40, "omdb"))
    score = None if not ratings else round(sum(r.normalized for r in ratings) / len(ratings), 1)
    return RatingResult(Query(title, year), Movie(title, year), tuple(ratings), score)


EXPORT = parse_export([
    "Date,Name,Year,Letterboxd URI,Rating\n",
    "2024-01-01,Alpha,2001,https://boxd.it/a,4\n",
    "2024-01-02,Beta,2002,https://boxd.it/b,2\n",
    "2024-01-03,Gamma,2003,https://boxd.it/c,5\n",
    "2024-01-04,Delta,2004,https://boxd.it/d,3\n",
    "2024-01-05,Epsilon,2005,https://boxd.it/e,\n",
    "2024-01-06,Zeta,2006,https://boxd.it/f,1\n",
    "2024-01-07,Eta,2007,https://boxd.it/g,2.5\n",
])  # fmt: skip


def lookups() -> dict[int, Lookup]:
    rows = {r.item.title: r.item.key for r in EXPORT.rows}
    return {
        rows["Alpha"]: Lookup("found", None, result("Alpha", 2001, 7.0, 60)),  # you 80, score 65
        rows["Beta"]: Lookup("found", None, result("Beta", 2002, 8.0, 90)),  # you 40, score 85
        rows["Gamma"]: Lookup("ambiguous", "also: Gamma (1950)", result("Gamma", 2003, 6.0)),  # 100 vs 60
        rows["Delta"]: Lookup("uncertain", "match 0.40: the year differs", result("Delta", 1999, 7.0)),
        rows["Zeta"]: Lookup("not_found", "no film matches 'Zeta' (2006)"),
        rows["Eta"]: Lookup("found", None, result("Eta", 2007, None)),  # no rating anywhere yet
    }


def test_rows_are_matched_listed_or_skipped_with_reasons() -> None:
    data = build_report(EXPORT, lookups()).to_dict()
    assert data["export"] == {"kind": "letterboxd", "scale": 5.0, "rows": 7, "rated": 6}
    assert data["matched"] == 3
    assert [(u["row"], u["status"], u["reason"]) for u in data["unmatched"]] == [
        (5, "skipped", "no rating in this row"),
        (6, "not_found", "no film matches 'Zeta' (2006)"),
        (7, "found", "no source has a rating for it yet"),
    ]
    (unsure,) = data["uncertain"]
    assert unsure["row"] == 4 and unsure["film"]["year"] == 1999 and "year differs" in unsure["reason"]


def test_means_offsets_and_extremes() -> None:
    data = build_report(EXPORT, lookups()).to_dict()
    assert data["you"] == {"mean": 73.3, "consensus_mean": 70.0, "offset": 3.3}
    assert [(f["title"], f["difference"]) for f in data["above"]] == [("Gamma", 40.0), ("Alpha", 15.0)]
    assert [(f["title"], f["difference"]) for f in data["below"]] == [("Beta", -45.0)]
    assert data["histogram"]["you"] == [0, 0, 0, 0, 1, 0, 0, 0, 1, 1]
    assert data["histogram"]["consensus"] == [0, 0, 0, 0, 0, 0, 2, 0, 1, 0]  # 65, 60 and 85
    assert {a["name"]: a["films"] for a in data["agreement"]} == {"imdb": 3, "metacritic": 2}
    assert data["families"]["critics"]["films"] == 0  # built by hand: no sub-scores
    assert data["weights"]["fitted"] is None and data["weights"]["films"] == 3


def test_a_row_never_looked_up_is_listed() -> None:
    data = build_report(EXPORT, {}).to_dict()
    assert data["matched"] == 0 and data["you"]["mean"] is None
    assert sum(u["status"] == "not_looked_up" for u in data["unmatched"]) == 6
