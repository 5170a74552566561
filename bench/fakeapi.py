"""A local fake of TMDB, OMDb, Trakt, Wikidata, AniList and Jikan that answers in the real APIs' exact shapes.

Run it: ``python -m bench.fakeapi --port 8765 --latency 0.05`` and point movieagg at it with
the environment it prints (``MOVIEAGG_TMDB_URL`` …); ``--list`` prints the films it knows. Tests and benchmarks use
:class:`FakeAPI` as a context manager. Knobs (also at runtime via ``GET /_config?…``):
per-request latency, failing services (HTML 503s), a TMDB requests-per-second limit (429
with Retry-After), and per-service fault modes (:mod:`bench.fakefaults`: hung, trickling,
redirecting, huge and gzip-bomb answers, garbage bodies, answers about another film).
``GET /_stats`` returns request counts per service (``?reset=1`` zeroes). Only loopback is served.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import socket
import threading
import time
import unicodedata
from collections import Counter, deque
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bench import fakeanime, fakefaults, series
from bench.films import FILMS

TMDB_KEY = "fake-tmdb-key-0123456789abcdef0"
TMDB_TOKEN = "eyJfake.token.for-tests"
OMDB_KEY = "fakeomdb"
TRAKT_CLIENT_ID = "fa4e0c1d2b3a49587f6e5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a29180"  # 64 hex, like real ones

RT, MC, IMDB = "Q105584", "Q150248", "Q37312"
NOT_FILMS = [  # wbsearchentities also finds books, albums, people
    {"qid": "Q190192", "title": "Dune", "description": "1965 science fiction novel by Frank Herbert"},
    {"qid": "Q1758339", "title": "The Matrix", "description": "media franchise"},
]


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['’]", "", text)
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


class Catalogue:
    def __init__(self, films: Iterable[dict[str, Any]]) -> None:
        self.films = list(films)
        self.by_tmdb = {f["tmdb"]: f for f in self.films}
        self.by_imdb = {f["imdb"]: f for f in self.films}
        self._names: list[tuple[dict[str, Any], set[str]]] = []
        self._words: dict[str, list[int]] = {}
        for i, f in enumerate(self.films):
            names = {_norm(n) for n in (f["title"], f["original"] or "", *f["alt_titles"]) if n}
            self._names.append((f, names))
            for name in names:
                for word in name.split():
                    self._words.setdefault(word, []).append(i)

    def search(self, query: str) -> list[dict[str, Any]]:
        """Every film with a name containing all query words (TMDB-like word search)."""
        words = _norm(query).split()
        if not words:
            return []
        hits = set(self._words.get(words[0], []))
        for word in words[1:]:
            hits &= set(self._words.get(word, []))
        found = []
        for i in sorted(hits):
            film, names = self._names[i]
            if any(all(w in name.split() for w in words) for name in names):
                found.append(film)
        return found

    def exact(self, query: str) -> list[dict[str, Any]]:
        q = _norm(query)
        return [f for f, names in self._names if q in names]


class State:
    def __init__(self, catalogue: Catalogue, latency: float, tmdb_rps: float | None) -> None:
        self.catalogue = catalogue
        self.latency = latency
        self.fail: set[str] = set()
        self.tmdb_rps = tmdb_rps
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()
        self._tmdb_window: list[float] = []
        # Trakt: GET limit over a sliding window (real: 500 calls / 300 s since 2026); None = unlimited.
        self.trakt_limit: tuple[int, float] | None = None
        self._trakt_window: list[float] = []
        # Arrival times per service (monotonic, last 10,000) and 429s sent, for politeness tests.
        self.arrivals: dict[str, deque[float]] = {}
        self.rejected: Counter[str] = Counter()
        # Fault modes per service (bench.fakefaults): "hang", "gzip", "nulls", "other_film", …
        self.faults: dict[str, str] = {}
        self.released = threading.Event()  # set: hung and trickling handlers let go
        self.huge_bytes = 64 * 1024 * 1024  # what a "huge" answer would send
        self.elsewhere_url = ""  # where "redirect" sends clients (another host)
        self.decoy = "tt0133093"  # the film "other_film" answers about
        self.paths: deque[str] = deque(maxlen=10_000)  # request targets as sent (what left the client)

    def clear_faults(self) -> None:
        """No faults; every hung or trickling handler lets go now."""
        self.faults = {}
        self.released.set()
        self.released = threading.Event()

    def allow_tmdb(self) -> float | None:
        """None if allowed, else seconds to wait (a sliding one-second window)."""
        if not self.tmdb_rps:
            return None
        with self.lock:
            now = time.monotonic()
            self._tmdb_window = [t for t in self._tmdb_window if now - t < 1.0]
            if len(self._tmdb_window) >= self.tmdb_rps:
                return max(0.0, 1.0 - (now - self._tmdb_window[0]))
            self._tmdb_window.append(now)
            return None


    def allow_trakt(self) -> float | None:
        """None if allowed, else seconds to wait (sliding window of ``trakt_limit``)."""
        if not self.trakt_limit:
            return None
        calls, period = self.trakt_limit
        with self.lock:
            now = time.monotonic()
            self._trakt_window = [t for t in self._trakt_window if now - t < period]
            if len(self._trakt_window) >= calls:
                return max(0.0, period - (now - self._trakt_window[0]))
            self._trakt_window.append(now)
            return None


def trakt_ids(f: dict[str, Any]) -> dict[str, Any]:
    slug = "-".join(_norm(f["title"]).split()) + f"-{f['year']}"
    return {"trakt": 100000 + int(f["tmdb"]) % 900000, "slug": slug, "imdb": f["imdb"], "tmdb": f["tmdb"]}


def trakt_movie(f: dict[str, Any]) -> dict[str, Any]:
    return {"title": f["title"], "year": int(f["year"]), "ids": trakt_ids(f)}


def trakt_ratings(f: dict[str, Any]) -> dict[str, Any]:
    """Trakt's /movies/{id}/ratings: a 0–10 mean with many decimals, votes and a distribution."""
    if f["imdb_rating"] is None:
        return {"rating": 0, "votes": 0, "distribution": {str(i): 0 for i in range(1, 11)}}
    rating = round(min(10.0, f["tmdb_avg"] * 0.97 + 0.4), 5)
    votes = int(f["tmdb_votes"]) * 3 + 7
    peak = max(1, min(10, round(rating)))
    dist = {str(i): votes // 20 for i in range(1, 11)}
    dist[str(peak)] = votes - sum(v for k, v in dist.items() if k != str(peak))
    return {"rating": rating, "votes": votes, "distribution": dist}


def _year(film: dict[str, Any]) -> int:
    return int(film["year"])


def tmdb_result(f: dict[str, Any]) -> dict[str, Any]:
    return {
        "adult": False,
        "backdrop_path": f"/b{f['tmdb']}.jpg",
        "genre_ids": [g["id"] for g in fakeanime.tmdb_facts(f["imdb"])["genres"]],
        "id": f["tmdb"],
        "original_language": "en",
        "original_title": f["original"] or f["title"],
        "overview": f"Overview of {f['title']}.",
        "popularity": f["popularity"],
        "poster_path": f"/p{f['tmdb']}.jpg",
        "release_date": f"{f['year']}-06-15",
        "title": f["title"],
        "video": False,
        "vote_average": f["tmdb_avg"],
        "vote_count": f["tmdb_votes"],
    }


# Where to watch (TMDB's watch/providers, JustWatch's data): real provider ids and logo paths,
# as a recorded answer has them (tests/corpus/upstream/tmdb/movie-10195-watch-providers.json).
WATCH_PROVIDERS = {
    "disney": (337, "Disney Plus", "/7rwgEs15tFwyR9NPQ5vpzxTj19Q.jpg"),
    "apple": (2, "Apple TV", "/peURlLlr8jggOwK53fJ5wdQl05y.jpg"),
    "google": (3, "Google Play Movies", "/tbEdFQDwx5LEVr8WpSeXQSIirVq.jpg"),
    "amazon": (10, "Amazon Video", "/5NyLm42TmCqCMOZFvH4fcoSNKEW.jpg"),
    "sky": (130, "Sky Store", "/2pCbao1J9s0DMak2KKnEzmzHni8.jpg"),
    "rakuten": (35, "Rakuten TV", "/5GEbAhFW2S5T8zVc1MNvz00pIzM.jpg"),
    "youtube": (192, "YouTube", "/oIkQkEkwfmcG7IGpRR1NB8frZZM.jpg"),
    "microsoft": (68, "Microsoft Store", "/shq88b09gTBYC4hA7K7MUL8Q4zP.jpg"),
    "netflix": (8, "Netflix", "/pbpMk2JmcoNnQwx5JGpXngfoWtp.jpg"),
    "tubi": (73, "Tubi TV", "/w2TDH9TRI7pltf5LjN3vXzs7QbN.jpg"),
}
WATCH_REGIONS = {  # region → (subscription services, shops, free with ads)
    "US": (("netflix", "disney"), ("apple", "amazon", "google", "youtube"), ("tubi",)),
    "GB": (("netflix", "disney"), ("apple", "sky", "amazon", "rakuten"), ()),
    "DE": (("disney",), ("apple", "google", "amazon", "microsoft"), ()),
    "FR": (("netflix",), ("apple", "google", "rakuten"), ()),
}


def watch_providers(f: dict[str, Any], kind: str = "movie") -> dict[str, Any]:
    """TMDB's ``movie/{id}/watch/providers`` (``kind`` tv: ``tv/{id}/…``) for a fake film or
    series: a few regions, chosen by its id (some stream nowhere, one in eight has no offers)."""
    tmdb_id = int(f["tmdb"])
    results: dict[str, Any] = {}
    if tmdb_id % 8 == 7:
        return {"id": tmdb_id, "results": results}
    for n, (region, (streams, shops, ads)) in enumerate(WATCH_REGIONS.items()):
        if (tmdb_id + n) % 5 == 4:
            continue  # not offered in this country
        offers: dict[str, Any] = {"link": f"https://www.themoviedb.org/{kind}/{tmdb_id}/watch?locale={region}"}

        def listed(keys: Iterable[str], start: int) -> list[dict[str, Any]]:
            rows = []
            for i, key in enumerate(keys):
                ident, name, logo = WATCH_PROVIDERS[key]
                rows.append({"logo_path": logo, "provider_id": ident, "provider_name": name,
                             "display_priority": start + i * 3})
            return rows

        chosen = [s for i, s in enumerate(streams) if (tmdb_id >> i) % 2 == 0]
        if chosen:
            offers["flatrate"] = listed(chosen, 1)
        offers["rent"] = listed(shops[:3], 4)
        offers["buy"] = listed(shops, 4)
        if ads:
            offers["ads"] = listed(ads, 20)
        results[region] = offers
    return {"id": tmdb_id, "results": results}


def omdb_record(f: dict[str, Any]) -> dict[str, Any]:
    quirk = f.get("quirks", {}).get("omdb")
    if quirk:  # a record mixed up with another film (bench/films.py QUIRKS)
        f = {**f, "quirks": {}, **quirk}
    ratings = []
    if f["imdb_rating"] is not None:
        ratings.append({"Source": "Internet Movie Database", "Value": f"{f['imdb_rating']}/10"})
    if f["rt"] is not None:
        ratings.append({"Source": "Rotten Tomatoes", "Value": f"{f['rt']}%"})
    if f["mc"] is not None:
        ratings.append({"Source": "Metacritic", "Value": f"{f['mc']}/100"})
    return {
        "Title": f["title"],
        "Year": str(f["year"]),
        "Rated": "R",
        "Released": f"15 Jun {f['year']}",
        "Runtime": f"{f['runtime']} min",
        "Genre": "Drama",
        "Director": f["director"],
        "Writer": "N/A",
        "Actors": "N/A",
        "Plot": f"Plot of {f['title']}.",
        "Language": "English",
        "Country": "N/A",
        "Awards": "N/A",
        "Poster": f"https://m.media-amazon.com/images/M/{f['imdb']}.jpg",
        "Ratings": ratings,
        "Metascore": str(f["mc"]) if f["mc"] is not None else "N/A",
        "imdbRating": str(f["imdb_rating"]) if f["imdb_rating"] is not None else "N/A",
        "imdbVotes": f"{f['imdb_votes']:,}" if f["imdb_votes"] is not None else "N/A",
        "imdbID": f["imdb"],
        "Type": "movie",
        "DVD": "N/A",
        "BoxOffice": "N/A",
        "Production": "N/A",
        "Website": "N/A",
        "Response": "True",
    }


def review_scores(f: dict[str, Any]) -> list[dict[str, Any]]:
    """P444 statements; RT has an older superseded score and an average rating to keep apart."""
    scores: list[dict[str, Any]] = []
    if f["rt"] is not None:
        scores.append(
            {"value": f"{max(f['rt'] - 3, 0)}%", "by": RT, "count": 100, "date": "2015-01-01T00:00:00Z"}
        )
        scores.append({"value": f"{f['rt']}%", "by": RT, "count": 250, "date": "2023-05-01T00:00:00Z"})
        scores.append(
            {"value": f"{round(f['rt'] / 12, 1)}/10", "by": RT, "count": 250, "date": "2023-05-01T00:00:00Z"}
        )
    if f["mc"] is not None:
        scores.append({"value": f"{f['mc']}/100", "by": MC, "count": 40, "date": "2022-01-01T00:00:00Z"})
    if f["imdb_rating"] is not None:
        scores.append(
            {
                "value": f"{f['imdb_rating']}/10",
                "by": IMDB,
                "count": None,
                "date": "2020-01-01T00:00:00Z",
                "deprecated": True,
            }
        )
    return scores


def sparql_bindings(f: dict[str, Any]) -> list[dict[str, Any]]:
    base = {
        "item": {"type": "uri", "value": f"http://www.wikidata.org/entity/{f['qid']}"},
        "itemLabel": {"xml:lang": "en", "type": "literal", "value": f["title"]},
        "imdb": {"type": "literal", "value": f["imdb"]},
        "tmdb": {"type": "literal", "value": str(f["tmdb"])},
    }
    rows = []
    for s in review_scores(f):
        if s.get("deprecated"):
            continue  # the query filters deprecated statements out
        row = dict(base)
        row["score"] = {"type": "literal", "value": s["value"]}
        row["by"] = {"type": "uri", "value": f"http://www.wikidata.org/entity/{s['by']}"}
        row["rank"] = {"type": "uri", "value": "http://wikiba.se/ontology#NormalRank"}
        if s["count"] is not None:
            row["count"] = {
                "datatype": "http://www.w3.org/2001/XMLSchema#decimal",
                "type": "literal",
                "value": str(s["count"]),
            }
        row["date"] = {
            "datatype": "http://www.w3.org/2001/XMLSchema#dateTime",
            "type": "literal",
            "value": s["date"],
        }
        rows.append(row)
    return rows or [base]


def _snak(prop: str, datavalue: dict[str, Any], datatype: str) -> dict[str, Any]:
    return {"snaktype": "value", "property": prop, "datavalue": datavalue, "datatype": datatype}


def _statement(
    prop: str,
    datavalue: dict[str, Any],
    datatype: str,
    rank: str = "normal",
    qualifiers: dict[str, Any] | None = None,
) -> dict[str, Any]:
    st: dict[str, Any] = {
        "mainsnak": _snak(prop, datavalue, datatype),
        "type": "statement",
        "id": f"X${prop}",
        "rank": rank,
    }
    if qualifiers:
        st["qualifiers"] = qualifiers
        st["qualifiers-order"] = list(qualifiers)
    return st


def _item(qid: str) -> dict[str, Any]:
    return {
        "value": {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid},
        "type": "wikibase-entityid",
    }


def wikidata_entity(f: dict[str, Any]) -> dict[str, Any]:
    claims: dict[str, list[dict[str, Any]]] = {
        "P31": [_statement("P31", _item("Q11424"), "wikibase-item")],
        "P345": [_statement("P345", {"value": f["imdb"], "type": "string"}, "external-id")],
        "P4947": [_statement("P4947", {"value": str(f["tmdb"]), "type": "string"}, "external-id")],
        "P577": [
            _statement(
                "P577",
                {
                    "value": {
                        "time": f"+{f['year']}-06-15T00:00:00Z",
                        "timezone": 0,
                        "before": 0,
                        "after": 0,
                        "precision": 11,
                        "calendarmodel": "http://www.wikidata.org/entity/Q1985727",
                    },
                    "type": "time",
                },
                "time",
            )
        ],
        "P444": [],
    }
    if f["original"]:
        claims["P1476"] = [
            _statement(
                "P1476",
                {"value": {"text": f["original"], "language": "xx"}, "type": "monolingualtext"},
                "monolingualtext",
            )
        ]
    for s in review_scores(f):
        qualifiers: dict[str, Any] = {"P447": [_snak("P447", _item(s["by"]), "wikibase-item")]}
        if s["count"] is not None:
            qualifiers["P7887"] = [
                _snak(
                    "P7887",
                    {"value": {"amount": f"+{s['count']}", "unit": "1"}, "type": "quantity"},
                    "quantity",
                )
            ]
        qualifiers["P585"] = [
            _snak(
                "P585",
                {
                    "value": {
                        "time": "+" + s["date"],
                        "timezone": 0,
                        "before": 0,
                        "after": 0,
                        "precision": 11,
                        "calendarmodel": "http://www.wikidata.org/entity/Q1985727",
                    },
                    "type": "time",
                },
                "time",
            )
        ]
        rank = "deprecated" if s.get("deprecated") else "normal"
        claims["P444"].append(
            _statement("P444", {"value": s["value"], "type": "string"}, "string", rank, qualifiers)
        )
    return {
        "type": "item",
        "id": f["qid"],
        "labels": {"en": {"language": "en", "value": f["title"]}},
        "aliases": {"en": [{"language": "en", "value": a} for a in f["alt_titles"]]},
        "claims": claims,
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without NODELAY, Nagle's algorithm and
        # delayed ACKs add ~40 ms to every keep-alive response and skew every figure.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # ------------------------------------------------------------------ plumbing

    def _send(
        self,
        status: int,
        body: Any,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        fault = getattr(self, "_fault", None)
        if fault in fakefaults.BODY_FAULTS and status == 200 and isinstance(body, dict | list):
            body = fakefaults.rewrite(body, fault)
        raw = body.encode() if isinstance(body, str) else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(raw)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:
        self._fault: str | None = None
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        state = self.server.state
        path = url.path
        if path == "/_rejected":  # 429s sent per service (rate-limit benchmarks)
            with state.lock:
                return self._send(200, dict(state.rejected))
        if path == "/_stats":
            with state.lock:
                counts = dict(state.counts)
                if params.get("reset"):
                    state.counts.clear()
            return self._send(200, counts)
        if path == "/_config":
            if "fail" in params:
                state.fail = {s for s in params["fail"].split(",") if s}
            if "latency" in params:
                state.latency = float(params["latency"])
            if "tmdb_rps" in params:
                state.tmdb_rps = float(params["tmdb_rps"]) or None
            if "faults" in params:
                state.clear_faults()
                state.faults = dict(f.split(":", 1) for f in params["faults"].split(",") if ":" in f)
            return self._send(
                200,
                {
                    "fail": sorted(state.fail),
                    "latency": state.latency,
                    "tmdb_rps": state.tmdb_rps,
                    "faults": state.faults,
                },
            )
        service = path.strip("/").split("/")[0]
        with state.lock:
            state.counts[service] += 1
            state.arrivals.setdefault(service, deque(maxlen=10_000)).append(time.monotonic())
            state.paths.append(self.path)
        if state.latency:
            time.sleep(state.latency)
        if service in state.fail:
            return self._send(503, "<html><body><h1>503 Service Unavailable</h1></body></html>", "text/html")
        self._fault = state.faults.get(service)
        if self._fault in fakefaults.TRANSPORT_FAULTS:
            return self._transport_fault(self._fault)
        try:
            if service == "tmdb":
                return self._tmdb(path.removeprefix("/tmdb/3"), params)
            if service == "omdb":
                return self._omdb(params)
            if service == "wikidata":
                return self._wikidata(path, params)
            if service == "trakt":
                return self._trakt(path.removeprefix("/trakt"), params)
            if service == "jikan" and path == "/jikan/v4/anime":
                return self._send(200, fakeanime.jikan_answer(params))
        except Exception as exc:  # a bug in the fake must be visible, not a hang
            return self._send(500, {"fake_error": type(exc).__name__, "detail": str(exc)})
        return self._send(404, {"error": "no such fake service"})

    def do_POST(self) -> None:
        """AniList's GraphQL endpoint (``POST /anilist``); the same latency, failures and counts."""
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(min(length, 1_000_000))
        service = urlsplit(self.path).path.strip("/").split("/")[0]
        with state.lock:
            state.counts[service] += 1
            state.arrivals.setdefault(service, deque(maxlen=10_000)).append(time.monotonic())
        if state.latency:
            time.sleep(state.latency)
        if service in state.fail:
            return self._send(503, "<html><body><h1>503 Service Unavailable</h1></body></html>", "text/html")
        if service != "anilist":
            return self._send(404, {"error": "no such fake service"})
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        status, answer = fakeanime.anilist_answer(body)
        return self._send(status, answer)

    # ------------------------------------------------------------------ faults

    def _by_id(self, film: dict[str, Any] | None) -> dict[str, Any] | None:
        """The film an answer by id describes: another one under the "other_film" fault.

        (Trakt's ratings body names no film, so there the fault could not be noticed by any
        client; it applies to every answer that carries ids.)
        """
        if film is not None and self._fault == "other_film":
            return self.server.state.catalogue.by_imdb[self.server.state.decoy]
        return film

    def _transport_fault(self, mode: str) -> None:
        state = self.server.state
        released = state.released
        if mode == "hang":  # accept, read the request, never answer
            released.wait(fakefaults.HANG_SECONDS)
            self.close_connection = True
            return
        if mode == "html5xx":
            return self._send(502, "<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>", "text/html")
        if mode == "redirect":  # to another host, the query (and its key) kept, as a careless proxy does
            self.send_response(302)
            self.send_header("Location", state.elsewhere_url + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.close_connection = True
        try:
            if mode == "gzip":
                bomb = fakefaults.gzip_bomb()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(bomb)))
                self.end_headers()
                self.wfile.write(bomb)
            elif mode == "huge":  # no Content-Length: only reading it tells how big it is
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b"0" * 65536
                self.wfile.write(b'{"padding": "')
                for _ in range(state.huge_bytes // len(chunk)):
                    if released.is_set():
                        return
                    self.wfile.write(chunk)
                self.wfile.write(b'"}')
            elif mode == "trickle":  # a byte at a time: no single read ever waits long
                body = json.dumps({"results": [], "padding": "0" * 2000}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for i in range(len(body)):
                    if released.wait(fakefaults.TRICKLE_GAP):
                        return
                    self.wfile.write(body[i : i + 1])
                    self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    # ------------------------------------------------------------------ TMDB

    def _tmdb(self, path: str, params: dict[str, str]) -> None:
        state = self.server.state
        wait = state.allow_tmdb()
        if wait is not None:
            with state.lock:
                state.rejected["tmdb"] += 1
            return self._send(
                429,
                {
                    "success": False,
                    "status_code": 25,
                    "status_message": "Your request count (41) is over the allowed limit of 40.",
                },
                headers={"Retry-After": str(max(1, round(wait)))},
            )
        auth = self.headers.get("Authorization", "")
        if params.get("api_key") != TMDB_KEY and auth != f"Bearer {TMDB_TOKEN}":
            return self._send(
                401,
                {
                    "success": False,
                    "status_code": 7,
                    "status_message": "Invalid API key: You must be granted a valid key.",
                },
            )
        cat = state.catalogue
        if path == "/search/movie":
            films = cat.search(params.get("query", ""))
            if params.get("year"):
                films = [f for f in films if _year(f) == int(params["year"])]
            if params.get("primary_release_year"):
                films = [f for f in films if _year(f) == int(params["primary_release_year"])]
            films.sort(key=lambda f: -f["popularity"])
            results = [tmdb_result(f) for f in films[:20]]
            return self._send(
                200,
                {
                    "page": 1,
                    "results": results,
                    "total_pages": 1 if results else 0,
                    "total_results": len(films),
                },
            )
        if path == "/search/tv" or path.startswith("/tv/"):
            return self._tmdb_tv(path, params)
        match = re.fullmatch(r"/movie/(\d+)(/external_ids)?", path)
        if match:
            film = self._by_id(cat.by_tmdb.get(int(match.group(1))))
            if film is None:
                return self._send(
                    404,
                    {
                        "success": False,
                        "status_code": 34,
                        "status_message": "The resource you requested could not be found.",
                    },
                )
            external = {
                "imdb_id": film["imdb"],
                "wikidata_id": film["qid"],
                "facebook_id": None,
                "instagram_id": None,
                "twitter_id": None,
            }
            if match.group(2):
                return self._send(200, {"id": film["tmdb"], **external})
            body = tmdb_result(film) | {
                "imdb_id": film["imdb"],
                "runtime": film["runtime"],
                "status": "Released",
                "tagline": "",
                **fakeanime.tmdb_facts(film["imdb"]),
            }
            body.pop("genre_ids")
            if "external_ids" in params.get("append_to_response", ""):
                body["external_ids"] = external
            return self._send(200, body)
        match = re.fullmatch(r"/movie/(\d+)/watch/providers", path)
        if match:
            film = self._by_id(cat.by_tmdb.get(int(match.group(1))))
            if film is None:
                return self._send(
                    404,
                    {
                        "success": False,
                        "status_code": 34,
                        "status_message": "The resource you requested could not be found.",
                    },
                )
            return self._send(200, watch_providers(film))
        match = re.fullmatch(r"/find/(tt\d+)", path)
        if match:
            film = self._by_id(cat.by_imdb.get(match.group(1)))
            results = [tmdb_result(film)] if film else []
            show = series.BY_IMDB.get(match.group(1))
            return self._send(
                200,
                {
                    "movie_results": results,
                    "person_results": [],
                    "tv_results": [series.tmdb_tv_result(show)] if show else [],
                    "tv_episode_results": series.tmdb_find_episode(match.group(1)),
                    "tv_season_results": [],
                },
            )
        return self._send(
            404,
            {
                "success": False,
                "status_code": 34,
                "status_message": "The resource you requested could not be found.",
            },
        )

    # ------------------------------------------------------------------ Trakt

    def _trakt(self, path: str, params: dict[str, str]) -> None:
        state = self.server.state
        wait = state.allow_trakt()
        if wait is not None:
            with state.lock:
                state.rejected["trakt"] += 1
            calls, period = state.trakt_limit or (0, 0.0)
            limit = {"name": "UNAUTHED_API_GET_LIMIT", "period": int(period), "limit": calls, "remaining": 0}
            return self._send(
                429, "", "text/plain",
                headers={"Retry-After": str(max(1, round(wait))), "X-Ratelimit": json.dumps(limit)},
            )  # fmt: skip
        if self.headers.get("trakt-api-key") != TRAKT_CLIENT_ID:
            return self._send(403, "", "text/plain")  # invalid API key or unapproved app: empty body
        if self.headers.get("trakt-api-version") != "2":
            return self._send(400, "", "text/plain")
        if "application/json" not in self.headers.get("Content-Type", ""):
            return self._send(412, "", "text/plain")  # Trakt: "Precondition Failed"
        cat = state.catalogue
        if path == "/search/show" or path.startswith("/shows/"):
            return self._trakt_shows(path, params)
        match = re.fullmatch(r"/movies/([^/]+)(/ratings)?", path)
        if match:
            key = match.group(1)
            film = cat.by_imdb.get(key) or next(
                (f for f in cat.films if key in (trakt_ids(f)["slug"], str(trakt_ids(f)["trakt"]))), None
            )
            if film is None:
                return self._send(404, "", "text/plain")
            return self._send(200, trakt_ratings(film) if match.group(2) else trakt_movie(film))
        match = re.fullmatch(r"/search/(imdb|tmdb)/([^/]+)", path)
        if match:
            if match.group(1) == "imdb":
                film = self._by_id(cat.by_imdb.get(match.group(2)))
            else:
                film = self._by_id(cat.by_tmdb.get(int(match.group(2))) if match.group(2).isdigit() else None)
            found = [{"type": "movie", "score": None, "movie": trakt_movie(film)}] if film else []
            return self._send(200, found)
        if path == "/search/movie":
            films = cat.search(params.get("query", ""))
            years = params.get("years", "")
            if years:
                low, _, high = years.partition("-")
                films = [f for f in films if int(low) <= _year(f) <= int(high or low)]
            films.sort(key=lambda f: -f["popularity"])
            limit = int(params.get("limit", "10"))
            page = [
                {"type": "movie", "score": round(1000.0 / (i + 1), 4), "movie": trakt_movie(f)}
                for i, f in enumerate(films[:limit])
            ]
            return self._send(200, page, headers={"X-Pagination-Item-Count": str(len(films))})
        return self._send(404, "", "text/plain")

    # ------------------------------------------------------------------ OMDb

    def _omdb(self, params: dict[str, str]) -> None:
        if "apikey" not in params:
            return self._send(401, {"Response": "False", "Error": "No API key provided."})
        if params["apikey"] != OMDB_KEY:
            return self._send(401, {"Response": "False", "Error": "Invalid API key!"})
        cat = self.server.state.catalogue
        year = int(params["y"]) if params.get("y", "").isdigit() else None
        if params.get("type") in ("series", "episode") or "Season" in params or params.get("i") in series.BY_IMDB \
                or params.get("i") in series.EPISODES_BY_IMDB:
            return self._omdb_series(params, year)
        if "i" in params:
            if not re.fullmatch(r"tt\d{7,8}", params["i"]):
                return self._send(200, {"Response": "False", "Error": "Incorrect IMDb ID."})
            if self._fault == "omdb_error":  # OMDb's answer for an IMDb id it does not know
                return self._send(200, fakefaults.OMDB_ERROR_GETTING_DATA)
            film = self._by_id(cat.by_imdb.get(params["i"]))
            return self._send(
                200, omdb_record(film) if film else {"Response": "False", "Error": "Movie not found!"}
            )
        if "t" in params:
            films = [f for f in cat.exact(params["t"]) if year is None or _year(f) == year]
            films.sort(key=lambda f: -(f["imdb_votes"] or 0))
            return self._send(
                200, omdb_record(films[0]) if films else {"Response": "False", "Error": "Movie not found!"}
            )
        if "s" in params:
            if len(params["s"].strip()) < 3:
                return self._send(200, {"Response": "False", "Error": "Too many results."})
            films = [f for f in cat.search(params["s"]) if year is None or _year(f) == year]
            films.sort(key=lambda f: -(f["imdb_votes"] or 0))  # OMDb's order: most IMDb votes first
            if not films:
                return self._send(200, {"Response": "False", "Error": "Movie not found!"})
            page = [
                {
                    "Title": f["title"],
                    "Year": str(f["year"]),
                    "imdbID": f["imdb"],
                    "Type": "movie",
                    "Poster": "N/A",
                }
                for f in films[:10]
            ]
            return self._send(200, {"Search": page, "totalResults": str(len(films)), "Response": "True"})
        return self._send(200, {"Response": "False", "Error": "Incorrect IMDb ID."})

    # ------------------------------------------------------------------ series (bench/series.py)

    def _tmdb_tv(self, path: str, params: dict[str, str]) -> None:
        not_found = {"success": False, "status_code": 34,
                     "status_message": "The resource you requested could not be found."}
        if path == "/search/tv":
            found = series.find(params.get("query", ""), _norm)
            if params.get("first_air_date_year"):
                found = [s for s in found if s["start"] == int(params["first_air_date_year"])]
            found.sort(key=lambda s: -s["popularity"])
            results = [series.tmdb_tv_result(s) for s in found[:20]]
            return self._send(200, {"page": 1, "results": results, "total_pages": 1 if results else 0,
                                    "total_results": len(found)})
        match = re.fullmatch(r"/tv/(\d+)/watch/providers", path)
        if match:
            show = series.BY_TMDB.get(int(match.group(1)))
            return self._send(200, watch_providers(show, "tv")) if show else self._send(404, not_found)
        match = re.fullmatch(r"/tv/(\d+)(?:/season/(\d+))?(?:/episode/(\d+))?", path)
        show = series.BY_TMDB.get(int(match.group(1))) if match else None
        if match is None or show is None:
            return self._send(404, not_found)
        if match.group(3) is not None:
            body = series.tmdb_episode(show, int(match.group(2) or 0), int(match.group(3)))
            if body is None:
                return self._send(404, not_found)
            if "external_ids" not in params.get("append_to_response", ""):
                body.pop("external_ids")
            return self._send(200, body)
        if match.group(2) is not None:
            body = series.tmdb_season(show, int(match.group(2)))
            return self._send(200, body) if body else self._send(404, not_found)
        return self._send(200, series.tmdb_tv(show, "external_ids" in params.get("append_to_response", "")))

    def _trakt_shows(self, path: str, params: dict[str, str]) -> None:
        if path == "/search/show":
            found = series.find(params.get("query", ""), _norm)
            years = params.get("years", "")
            if years:
                low, _, high = years.partition("-")
                found = [s for s in found if int(low) <= s["start"] <= int(high or low)]
            found.sort(key=lambda s: -s["popularity"])
            page = [{"type": "show", "score": round(1000.0 / (i + 1), 4), "show": series.trakt_show(s, False)}
                    for i, s in enumerate(found[: int(params.get("limit", "10"))])]
            return self._send(200, page, headers={"X-Pagination-Item-Count": str(len(found))})
        match = re.fullmatch(r"/shows/([^/]+)/seasons/(\d+)/episodes/(\d+)", path)
        if match:
            show = series.BY_IMDB.get(match.group(1))
            body = series.trakt_episode(show, int(match.group(2)), int(match.group(3))) if show else None
            return self._send(200, body) if body else self._send(404, "", "text/plain")
        match = re.fullmatch(r"/shows/([^/]+)(/ratings|/seasons(?:/(\d+))?)?", path)
        show = None
        if match:
            key = match.group(1)
            show = series.BY_IMDB.get(key) or next(
                (s for s in series.SERIES if key in (str(s["trakt"]), series.trakt_show(s, False)["ids"]["slug"])),
                None,
            )
        if match is None or show is None:
            return self._send(404, "", "text/plain")
        tail = match.group(2) or ""
        if tail == "/ratings":
            return self._send(200, series.trakt_ratings(show))
        if tail == "/seasons":
            return self._send(200, series.trakt_seasons(show))
        if match.group(3) is not None:
            body = series.trakt_season(show, int(match.group(3)))
            return self._send(200, body) if body is not None else self._send(404, "", "text/plain")
        return self._send(200, series.trakt_show(show, params.get("extended") == "full"))

    def _omdb_series(self, params: dict[str, str], year: int | None) -> None:
        missing = {"Response": "False", "Error": "Series or episode not found!"}
        show = None
        if "i" in params:
            if params["i"] in series.EPISODES_BY_IMDB:
                parent, episode = series.EPISODES_BY_IMDB[params["i"]]
                return self._send(200, series.omdb_episode(parent, episode))
            show = series.BY_IMDB.get(params["i"])
        elif "t" in params:
            found = [s for s in series.SERIES if _norm(s["title"]) == _norm(params["t"])]
            found = [s for s in found if year is None or s["start"] == year]
            found.sort(key=lambda s: -s["votes"])
            show = found[0] if found else None
        elif "s" in params:
            found = series.find(params["s"], _norm)
            if not found:
                return self._send(200, {"Response": "False", "Error": "Movie not found!"})
            page = [{"Title": s["title"], "Year": series.years(s), "imdbID": s["imdb"], "Type": "series",
                     "Poster": "N/A"} for s in found[:10]]
            return self._send(200, {"Search": page, "totalResults": str(len(found)), "Response": "True"})
        if show is None:
            return self._send(200, missing)
        if "Season" in params:
            n = int(params["Season"]) if params["Season"].isdigit() else 0
            body = series.omdb_season(show, n)
            if body is None:
                return self._send(200, missing)
            if params.get("Episode", "").isdigit():
                m = int(params["Episode"])
                hit = next((e for e in show["seasons"][n - 1] if e["episode"] == m), None)
                return self._send(200, series.omdb_episode(show, hit) if hit else missing)
            return self._send(200, body)
        return self._send(200, series.omdb_series(show))

    # ------------------------------------------------------------------ Wikidata

    def _wikidata(self, path: str, params: dict[str, str]) -> None:
        cat = self.server.state.catalogue
        if path.endswith("/sparql"):
            query = params.get("query", "")
            imdbs = re.findall(r'wdt:P345 "(tt\d+)"', query)
            tmdbs = re.findall(r'wdt:P4947 "(\d+)"', query)
            films = {f["qid"]: f for f in (self._by_id(cat.by_imdb.get(i)) for i in imdbs) if f}
            films.update({f["qid"]: f for f in (self._by_id(cat.by_tmdb.get(int(t))) for t in tmdbs) if f})
            bindings = [row for f in films.values() for row in sparql_bindings(f)]
            variables = [
                "item",
                "itemLabel",
                "imdb",
                "tmdb",
                "score",
                "by",
                "method",
                "count",
                "date",
                "rank",
            ]
            return self._send(
                200,
                {"head": {"vars": variables}, "results": {"bindings": bindings}},
                "application/sparql-results+json",
            )
        if path.endswith("/w/api.php"):
            action = params.get("action")
            if action == "wbsearchentities":
                q = _norm(params.get("search", ""))
                limit = int(params.get("limit", "7"))
                hits = []
                for extra in NOT_FILMS:
                    if _norm(extra["title"]).startswith(q):
                        hits.append(
                            {"id": extra["qid"], "label": extra["title"], "description": extra["description"]}
                        )
                for f in sorted(cat.films, key=lambda f: -f["popularity"]):
                    names = [f["title"], *f["alt_titles"]]
                    if any(_norm(n).startswith(q) for n in names):
                        hits.append(
                            {
                                "id": f["qid"],
                                "label": f["title"],
                                "description": f"{f['year']} film directed by {f['director']}",
                            }
                        )
                search = [
                    {
                        "id": h["id"],
                        "title": h["id"],
                        "pageid": 1,
                        "repository": "wikidata",
                        "url": f"//www.wikidata.org/wiki/{h['id']}",
                        "concepturi": f"http://www.wikidata.org/entity/{h['id']}",
                        "label": h["label"],
                        "description": h["description"],
                        "match": {"type": "label", "language": "en", "text": h["label"]},
                    }
                    for h in hits[:limit]
                ]
                return self._send(
                    200, {"searchinfo": {"search": params.get("search", "")}, "search": search, "success": 1}
                )
            if action == "wbgetentities":
                entities: dict[str, Any] = {}
                by_qid = {f["qid"]: f for f in cat.films}
                for qid in params.get("ids", "").split("|"):
                    if qid in by_qid:
                        entities[qid] = wikidata_entity(by_qid[qid])
                    else:
                        extra = next((e for e in NOT_FILMS if e["qid"] == qid), None)
                        if extra:
                            entities[qid] = {
                                "type": "item",
                                "id": qid,
                                "labels": {"en": {"language": "en", "value": extra["title"]}},
                                "aliases": {},
                                "claims": {"P31": [_statement("P31", _item("Q7725634"), "wikibase-item")]},
                            }
                        else:
                            entities[qid] = {"id": qid, "missing": ""}
                return self._send(200, {"entities": entities, "success": 1})
            return self._send(
                200, {"error": {"code": "badvalue", "info": 'Unrecognized value for parameter "action"'}}
            )
        return self._send(404, "not found", "text/plain")


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], state: State) -> None:
        super().__init__(address, Handler)
        self.state = state


class FakeAPI:
    """Run the fake in a background thread: ``with FakeAPI() as fake: fake.env``."""

    def __init__(
        self,
        latency: float = 0.0,
        tmdb_rps: float | None = None,
        films: Iterable[dict[str, Any]] | None = None,
        port: int = 0,
    ) -> None:
        self.state = State(Catalogue(films if films is not None else FILMS), latency, tmdb_rps)
        self.server = FakeServer(("127.0.0.1", port), self.state)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.elsewhere: fakefaults.Elsewhere | None = None  # started with the first redirect fault

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def env(self) -> dict[str, str]:
        return env_for(self.url)

    def counts(self, reset: bool = False) -> dict[str, int]:
        with self.state.lock:
            counts = dict(self.state.counts)
            if reset:
                self.state.counts.clear()
        return counts

    def paths(self, reset: bool = False) -> list[str]:
        """The request targets (path and query) received, oldest first (``reset`` clears them)."""
        with self.state.lock:
            seen = list(self.state.paths)
            if reset:
                self.state.paths.clear()
        return seen

    def set_faults(self, **modes: str) -> None:
        """Fault modes per service (``tmdb="hang"``); none given: no faults."""
        self.state.clear_faults()
        if "redirect" in modes.values() and self.elsewhere is None:
            self.elsewhere = fakefaults.Elsewhere()
            self.state.elsewhere_url = self.elsewhere.url
        self.state.faults = dict(modes)

    def __enter__(self) -> FakeAPI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.state.clear_faults()
        if self.elsewhere is not None:
            self.elsewhere.close()
        self.server.shutdown()
        self.server.server_close()


def env_for(url: str, keys: bool = True) -> dict[str, str]:
    env = {
        "MOVIEAGG_TMDB_URL": f"{url}/tmdb/3",
        "MOVIEAGG_OMDB_URL": f"{url}/omdb/",
        "MOVIEAGG_WIKIDATA_URL": f"{url}/wikidata/sparql",
        "MOVIEAGG_WIKIDATA_API_URL": f"{url}/wikidata/w/api.php",
        "MOVIEAGG_TRAKT_URL": f"{url}/trakt",
        "MOVIEAGG_ANILIST_URL": f"{url}/anilist",
        "MOVIEAGG_JIKAN_URL": f"{url}/jikan/v4",
    }
    if keys:
        env |= {"TMDB_API_KEY": TMDB_KEY, "OMDB_API_KEY": OMDB_KEY, "TRAKT_CLIENT_ID": TRAKT_CLIENT_ID}
    return env


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument("--tmdb-rps", type=float, default=None, help="TMDB requests per second before 429s")
    parser.add_argument("--synthetic", type=int, default=0, help="add N synthetic films")
    parser.add_argument(
        "--list", action="store_true", help="print the films the fake knows (title, year, IMDb id, sources) and exit"
    )
    args = parser.parse_args()
    from bench.films import knows, synthetic

    if args.list:
        print(f"{'Title':<32} {'Year':>4}  {'IMDb':<10} {'TMDB':>7}  Sources with a rating")
        for film in sorted(FILMS, key=lambda f: (f["title"].casefold(), f["year"])):
            print(f"{film['title']:<32} {film['year']:>4}  {film['imdb']:<10} {film['tmdb']:>7}  {', '.join(knows(film)) or '—'}")
        return
    films = FILMS + synthetic(args.synthetic)
    fake = FakeAPI(args.latency, args.tmdb_rps, films, port=args.port)
    print(f"fake upstream APIs on {fake.url} ({len(films)} films); use:")
    for k, v in fake.env.items():
        print(f"export {k}={v}")
    with contextlib.suppress(KeyboardInterrupt):
        fake.server.serve_forever()


if __name__ == "__main__":
    main()
