"""Wikidata (keyless): review scores (P444) with their qualifiers, and title resolution.

Ratings by id use one SPARQL query (IMDb id P345 or TMDB id P4947). Titles are resolved with
the Action API (wbsearchentities, then wbgetentities), whose claims already carry the review
scores — so the keyless path is two round trips in all. Policy: a descriptive User-Agent
(sent by the shared client) and Retry-After on 429 are honoured.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from movieagg.core import bounds
from movieagg.core.config import Settings
from movieagg.core.errors import SourceFailure
from movieagg.core.models import IMDB_ID_RE, Candidate, Movie, Query, Rating, SourceData
from movieagg.sources._http import HttpClient
from movieagg.sources.base import BaseSource, as_dict, as_list, score_text
from movieagg.sources.registry import WIKIDATA

ENTITY = "http://www.wikidata.org/entity/"
ROTTEN_TOMATOES, METACRITIC, IMDB = "Q105584", "Q150248", "Q37312"
REVIEWERS = frozenset({ROTTEN_TOMATOES, METACRITIC, IMDB})  # others (CinemaScore's "A-", …) are not read
PREFERRED = "http://wikiba.se/ontology#PreferredRank"
FILM_CLASSES = frozenset(
    {"Q11424", "Q506240", "Q24869", "Q202866", "Q226730", "Q24862", "Q17517379", "Q93204", "Q20650540"}
)
MAX_SEARCH = 20

SPARQL = """SELECT ?item ?itemLabel ?imdb ?tmdb ?score ?by ?method ?count ?date ?rank WHERE {{
  {{ {selector} }}
  OPTIONAL {{ ?item wdt:P345 ?imdb }}
  OPTIONAL {{ ?item wdt:P4947 ?tmdb }}
  OPTIONAL {{
    ?item p:P444 ?st. ?st ps:P444 ?score; pq:P447 ?by; wikibase:rank ?rank.
    FILTER(?rank != wikibase:DeprecatedRank)
    OPTIONAL {{ ?st pq:P459 ?method }} OPTIONAL {{ ?st pq:P7887 ?count }} OPTIONAL {{ ?st pq:P585 ?date }}
  }}
  SERVICE wikibase:label {{ bd:serviceParam wikibase:language "en". }}
}}"""


@dataclass(frozen=True, slots=True)
class ReviewScore:
    """One P444 statement, whichever API it came from (``count`` as sent: checked when used)."""

    value: str
    by: str | None
    method: str | None = None
    count: object = None
    date: str | None = None
    preferred: bool = False


_DATE = re.compile(r"^\+?\d{4}-\d\d-\d\d")


def _checked(score: ReviewScore) -> tuple[float, float, int | None] | None:
    """The score's value, scale and count, or None (noted) when one of them is out of range:
    anyone can edit Wikidata, so a count of 99999999999 or a score of 120% happens."""
    with bounds.dropping("review score dropped"):
        parsed = score_text(score.value, "review score")
        if parsed is None:
            return None
        bounds.score(parsed[0], parsed[1], "review score")
        return parsed[0], parsed[1], bounds.count(score.count, "number of reviews")
    return None


def ratings_from_scores(scores: Iterable[ReviewScore], source: str = "wikidata") -> tuple[Rating, ...]:
    """Latest non-deprecated score per kind; Tomatometer (%) and RT average (/10) kept apart."""
    best: dict[tuple[str, str | None], ReviewScore] = {}
    kinds: dict[tuple[str, str | None], tuple[str, str, float, float, int | None]] = {}
    for score in scores:
        if score.by not in REVIEWERS:
            continue
        checked = _checked(score)
        if checked is None:
            continue
        value, scale, reviews = checked
        if score.date is not None and not _DATE.match(score.date):
            bounds.note(f"point in time {bounds.show(score.date)} is not a date; ignored")
            score = replace(score, date=None)
        kind: tuple[str, str] | None = None
        if score.by == ROTTEN_TOMATOES:
            kind = (
                ("rotten_tomatoes", "Rotten Tomatoes")
                if scale == 100 and score.value.strip().endswith("%")
                else None
            )
            if scale == 10:
                kind = ("rotten_tomatoes_average", "RT average rating")
        elif score.by == METACRITIC and scale == 100:
            kind = ("metacritic", "Metacritic")
        elif score.by == IMDB and scale == 10:
            kind = ("imdb", "IMDb")
        if kind is None:
            continue
        key = (kind[0], score.method)
        current = best.get(key)
        if current is None or (score.date or "", score.preferred) > (current.date or "", current.preferred):
            best[key] = score
            kinds[key] = (kind[0], kind[1], value, scale, reviews)
    chosen: dict[str, tuple[ReviewScore, tuple[str, str, float, float, int | None]]] = {}
    for key, score in best.items():
        name = key[0]
        # Different methods under one name (e.g. an audience score): the statement without a
        # method, else the latest, stands for the name.
        held = chosen.get(name)
        if held is None or (score.method is None, score.date or "") > (
            held[0].method is None,
            held[0].date or "",
        ):
            chosen[name] = (score, kinds[key])
    return tuple(
        Rating.checked(name, label, value, scale, reviews, source)
        for _, (name, label, value, scale, reviews) in chosen.values()
    )


class WikidataSource(BaseSource, spec=WIKIDATA):
    def __init__(self, http: HttpClient, base_url: str | None = None, *, api_url: str | None = None) -> None:
        super().__init__(http, base_url)
        self.api_url = api_url or self.spec.more_urls["wikidata_api"]

    @classmethod
    def from_settings(cls, settings: Settings, http: HttpClient) -> WikidataSource:
        return cls(
            http,
            cls.spec.url(settings),
            api_url=cls.spec.url(settings, "wikidata_api"),
        )

    # ------------------------------------------------------------------ ratings by id

    async def fetch(self, movie: Movie) -> SourceData | None:
        selectors = []
        if movie.imdb_id and IMDB_ID_RE.match(movie.imdb_id):
            selectors.append(f'?item wdt:P345 "{movie.imdb_id}".')
        if movie.tmdb_id is not None:
            selectors.append(f'?item wdt:P4947 "{int(movie.tmdb_id)}".')
        if not selectors:
            return None
        query = SPARQL.format(selector=" } UNION { ".join(selectors))
        response = await self.http.get(
            self.name,
            self.base_url,
            params={"query": query, "format": "json"},
            headers={"Accept": "application/sparql-results+json"},
        )
        if response.status != 200:
            raise SourceFailure(self.name, f"unexpected response (HTTP {response.status})", "http")
        body = response.body
        try:
            bindings = body["results"]["bindings"]
        except (TypeError, KeyError):
            raise SourceFailure(self.name, "unexpected response body", "malformed") from None
        if not isinstance(bindings, list):
            raise SourceFailure(self.name, "unexpected response body", "malformed")
        return self._from_bindings([b for b in bindings if isinstance(b, dict)], movie)

    def _from_bindings(self, bindings: list[dict[str, Any]], movie: Movie) -> SourceData | None:
        items: dict[str, list[dict[str, Any]]] = {}
        for row in bindings:
            item = _value(row, "item")
            if item:
                items.setdefault(item, []).append(row)
        if not items:
            return None

        # Prefer the item carrying the IMDb id we asked for when the two ids disagree.
        def agrees(rows: list[dict[str, Any]]) -> bool:
            return any(_value(r, "imdb") == movie.imdb_id for r in rows)

        rows = next((r for r in items.values() if agrees(r)), next(iter(items.values())))
        imdb_ids = {v for r in rows if (v := bounds.lenient(bounds.imdb_id, _value(r, "imdb"), "IMDb id"))}
        imdb = movie.imdb_id if movie.imdb_id in imdb_ids else min(imdb_ids, default=None)
        tmdbs = (bounds.lenient(bounds.ident, _value(r, "tmdb"), "TMDB id") for r in rows)
        tmdb = next((t for t in tmdbs if t is not None), None)
        label = bounds.lenient(bounds.text, _value(rows[0], "itemLabel"), "label")
        seen: set[tuple[Any, ...]] = set()
        scores = []
        for r in rows:
            score = ReviewScore(
                value=_value(r, "score") or "",
                by=_qid(_value(r, "by")),
                method=_qid(_value(r, "method")),
                count=_value(r, "count"),
                date=_value(r, "date"),
                preferred=_value(r, "rank") == PREFERRED,
            )
            if score.value and (key := (score.value, score.by, score.method, score.date)) not in seen:
                seen.add(key)
                scores.append(score)
        found = Movie(
            title=label if label and not label.startswith("Q") else (movie.title or ""),
            year=movie.year,
            imdb_id=imdb,
            tmdb_id=tmdb,
        )
        return SourceData(self.name, ratings_from_scores(scores, self.name), found, exact=True)

    # ------------------------------------------------------------------ title search

    async def search(self, query: Query, limit: int = 10) -> Sequence[Candidate]:
        found = await self._api(
            {
                "action": "wbsearchentities",
                "search": query.title,
                "language": "en",
                "uselang": "en",
                "type": "item",
                "limit": MAX_SEARCH,
                "format": "json",
            }
        )
        hits = as_list(found.get("search"))
        descriptions = {
            h["id"]: str(h.get("description", "")) for h in hits if isinstance(h, dict) and "id" in h
        }
        if not descriptions:
            return []
        entities = await self._api(
            {
                "action": "wbgetentities",
                "ids": "|".join(descriptions),
                "props": "labels|aliases|claims",
                "languages": "en",
                "format": "json",
            }
        )
        by_id = as_dict(entities.get("entities"))
        candidates = []
        for rank, qid in enumerate(descriptions):
            entity = by_id.get(qid)
            if isinstance(entity, dict):
                candidate = self._candidate(entity, descriptions[qid], rank)
                if candidate is not None:
                    candidates.append(candidate)
        return candidates[:limit]

    async def _api(self, params: dict[str, str | int]) -> dict[str, Any]:
        response = await self.http.get(self.name, self.api_url, params=params)
        body = response.body
        if response.status != 200 or not isinstance(body, dict):
            raise SourceFailure(self.name, f"unexpected response (HTTP {response.status})", "http")
        if "error" in body:
            raise SourceFailure(self.name, "the Wikidata API refused the request", "http")
        return body

    def _candidate(self, entity: dict[str, Any], description: str, rank: int) -> Candidate | None:
        claims = as_dict(entity.get("claims"))
        classes = {v.get("id") for v in _claim_values(claims, "P31") if isinstance(v, dict)}
        if not (classes & FILM_CLASSES or "film" in description.lower()):
            return None  # a novel, an album, a person: not a search result to judge
        imdb = next(
            (i for v in _claim_values(claims, "P345") if (i := bounds.lenient(bounds.imdb_id, v, "IMDb id"))),
            None,
        )
        label = bounds.lenient(bounds.text, _label(entity), "label")
        if imdb is None or not label:
            return None
        years = [
            bounds.lenient(bounds.year, v.get("time"), "publication date")
            for v in _claim_values(claims, "P577")
            if isinstance(v, dict)
        ]
        year = min((y for y in years if y), default=None)
        tmdb = next(
            (t for v in _claim_values(claims, "P4947") if (t := bounds.lenient(bounds.ident, v, "TMDB id"))),
            None,
        )
        original = next(
            (
                text
                for v in _claim_values(claims, "P1476")
                if isinstance(v, dict) and (text := bounds.lenient(bounds.text, v.get("text"), "title"))
            ),
            None,
        )
        aliases = tuple(
            a["value"]
            for a in as_list(as_dict(entity.get("aliases")).get("en"))
            if isinstance(a, dict) and isinstance(a.get("value"), str) and len(a["value"]) <= bounds.MAX_TEXT
        )[:20]
        movie = Movie(title=label, year=year, imdb_id=imdb, tmdb_id=tmdb)
        prefetched = SourceData(
            self.name, ratings_from_scores(_claim_scores(claims), self.name), movie, exact=True
        )
        return Candidate(
            title=label,
            year=year,
            source=self.name,
            imdb_id=imdb,
            tmdb_id=tmdb,
            original_title=original if original != label else None,
            aliases=aliases,
            rank=rank,
            prefetched=prefetched,
        )


def _value(row: dict[str, Any], name: str) -> str | None:
    """A SPARQL binding's value (every value is text in SPARQL JSON; anything else is noted)."""
    cell = row.get(name)
    if cell is None:
        return None
    value = cell.get("value") if isinstance(cell, dict) else cell
    if not isinstance(value, str):
        bounds.note(f"{name} {bounds.show(value)} is not a SPARQL value; ignored")
        return None
    return value


def _qid(uri: str | None) -> str | None:
    return uri.rsplit("/", 1)[-1] if uri else None


def _label(entity: dict[str, Any]) -> str | None:
    label = as_dict(entity.get("labels")).get("en")
    value = label.get("value") if isinstance(label, dict) else None
    return value if isinstance(value, str) else None


def _snak_value(snak: object) -> Any:
    """A statement's value; None for "no value"/"unknown value" (and, noted, for a value that is missing)."""
    if not isinstance(snak, dict) or snak.get("snaktype") != "value":
        return None
    datavalue = snak.get("datavalue")
    value = datavalue.get("value") if isinstance(datavalue, dict) else None
    if value is None:
        bounds.note(f"{snak.get('property', 'a')} statement without its value; ignored")
    return value


def _claim_values(claims: dict[str, Any], prop: str) -> list[Any]:
    statements = as_list(claims.get(prop))
    return [
        v
        for st in statements
        if isinstance(st, dict) and st.get("rank") != "deprecated"
        for v in [_snak_value(st.get("mainsnak"))]
        if v is not None
    ]


def _claim_scores(claims: dict[str, Any]) -> list[ReviewScore]:
    scores = []
    for st in as_list(claims.get("P444")):
        if not isinstance(st, dict) or st.get("rank") == "deprecated":
            continue
        value = _snak_value(st.get("mainsnak"))
        qualifiers = as_dict(st.get("qualifiers"))

        def first(prop: str, qualifiers: dict[str, Any] = qualifiers) -> Any:
            snaks = qualifiers.get(prop)
            return _snak_value(snaks[0]) if isinstance(snaks, list) and snaks else None

        by, method, count, date = first("P447"), first("P459"), first("P7887"), first("P585")
        if not isinstance(value, str):
            continue
        time = date.get("time") if isinstance(date, dict) else None
        scores.append(
            ReviewScore(
                value=value,
                by=by.get("id") if isinstance(by, dict) else None,
                method=method.get("id") if isinstance(method, dict) else None,
                count=count.get("amount") if isinstance(count, dict) else None,
                date=time.lstrip("+") if isinstance(time, str) else None,
                preferred=st.get("rank") == "preferred",
            )
        )
    return scores
