"""The fake upstream's TV series: real series ids, years, networks and season/episode counts,
chosen for the traps (issue #16): Breaking Bad (5 seasons, 62 episodes), Fargo the series
(beside Fargo the 1996 film), Shameless UK 2004 / US 2011, The Office UK 2001 / US 2005, and
The Simpsons (36 seasons) for the long-grid benchmark.

Series ids, titles, years, networks, creators and per-season episode counts are the real ones
(IMDb, TMDB). Breaking Bad's episode titles and IMDb ids are the real ones for the first
season; every other episode's rating, vote count and IMDb id is generated deterministically
(illustrative, not live data: the episode ids of the generated ones are in the tt9xxxxxxx
range, which no real episode below has).
"""

from __future__ import annotations

import hashlib
from typing import Any

# (imdb, tmdb, trakt, title, country, start, end (None: running), network, creators,
#  episodes per season, series rating, votes, popularity)
# fmt: off
_ROWS: list[tuple[Any, ...]] = [
    ("tt0903747", 1396, 1388, "Breaking Bad", "US", 2008, 2013, "AMC", ("Vince Gilligan",),
     (7, 13, 13, 13, 16), 9.5, 2212345, 380.0),
    ("tt2802850", 60622, 60203, "Fargo", "US", 2014, None, "FX", ("Noah Hawley",),
     (10, 10, 10, 11, 10), 8.9, 412345, 95.0),
    ("tt0377260", 1906, 1744, "Shameless", "GB", 2004, 2013, "Channel 4", ("Paul Abbott",),
     (7, 10, 16, 14, 16, 22, 16, 22, 14, 16, 16), 8.0, 31234, 30.0),
    ("tt1586680", 34307, 34160, "Shameless", "US", 2011, 2021, "Showtime", ("John Wells", "Paul Abbott"),
     (12, 12, 12, 12, 12, 12, 12, 12, 14, 12, 12), 8.5, 271234, 120.0),
    ("tt0290978", 2996, 2894, "The Office", "GB", 2001, 2003, "BBC Two", ("Ricky Gervais", "Stephen Merchant"),
     (6, 6), 8.5, 141234, 40.0),
    ("tt0386676", 2316, 2311, "The Office", "US", 2005, 2013, "NBC", ("Greg Daniels",),
     (6, 22, 25, 19, 28, 26, 26, 24, 25), 9.0, 712345, 250.0),
    ("tt0096697", 456, 455, "The Simpsons", "US", 1989, None, "FOX", ("Matt Groening",),
     (13, 22, 24, 22, 22, 25, 25, 25, 25, 23, 22, 21, 22, 22, 22, 21, 22, 22, 20, 21, 23, 22, 22,
      22, 22, 22, 22, 22, 21, 23, 22, 22, 22, 22, 18, 18), 8.7, 431234, 300.0),
]
# fmt: on

# Breaking Bad season 1 as IMDb lists it (titles, ids, air dates).
_BB_S1 = [
    ("Pilot", "tt0959621", "2008-01-20"),
    ("Cat's in the Bag...", "tt1054724", "2008-01-27"),
    ("...And the Bag's in the River", "tt1054725", "2008-02-10"),
    ("Cancer Man", "tt1054726", "2008-02-17"),
    ("Gray Matter", "tt1054727", "2008-02-24"),
    ("Crazy Handful of Nothin'", "tt1054728", "2008-03-02"),
    ("A No-Rough-Stuff-Type Deal", "tt1054729", "2008-03-09"),
]
# A few of the best-known episode ratings on IMDb, kept so best/worst read true.
_KNOWN = {
    ("tt0903747", 5, 14): ("Ozymandias", 10.0),
    ("tt0903747", 5, 16): ("Felina", 9.9),
    ("tt0903747", 5, 13): ("To'hajiilee", 9.8),
    ("tt0903747", 3, 10): ("Fly", 7.8),
}


def _noise(*parts: object) -> float:
    """A deterministic number in [0, 1) from the parts."""
    digest = hashlib.blake2s(":".join(map(str, parts)).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") / 2**32


def _episodes(row: tuple[Any, ...], index: int) -> list[list[dict[str, Any]]]:
    imdb, _, _, _, _, start, end, _, _, counts, rating, votes, _ = row
    seasons = []
    last = end or 2026
    for s, count in enumerate(counts, start=1):
        year = start + round((last - start) * (s - 1) / max(1, len(counts) - 1)) if len(counts) > 1 else start
        episodes = []
        for e in range(1, count + 1):
            title, value = _KNOWN.get((imdb, s, e), (None, None))
            noise = _noise(imdb, s, e)
            if value is None:
                value = round(
                    min(9.7, max(4.0, rating - 1.7 + 1.9 * noise + (0.3 if e == count else 0.0))), 1
                )
            if imdb == "tt0903747" and s == 1:
                title, ep_imdb, aired = _BB_S1[e - 1]
            else:
                ep_imdb = f"tt9{index:01d}{s:02d}{e:03d}0"[:10]
                aired = f"{year}-{1 + (e * 7 // 31) % 12:02d}-{1 + (e * 7) % 28:02d}"
            thin = s == len(counts) and row[6] is None and e == count  # the newest episode: few votes
            episodes.append(
                {
                    "season": s,
                    "episode": e,
                    "title": title or f"Episode {s}.{e}",
                    "imdb": ep_imdb,
                    "air_date": aired,
                    "rating": value,
                    "votes": 12 if thin else int(votes * (0.004 + 0.004 * noise)) + 40,
                }
            )
        seasons.append(episodes)
    return seasons


SERIES: list[dict[str, Any]] = []
for _i, _row in enumerate(_ROWS):
    SERIES.append(
        {
            "imdb": _row[0],
            "tmdb": _row[1],
            "trakt": _row[2],
            "title": _row[3],
            "country": _row[4],
            "start": _row[5],
            "end": _row[6],
            "network": _row[7],
            "creators": list(_row[8]),
            "rating": _row[10],
            "votes": _row[11],
            "popularity": _row[12],
            "seasons": _episodes(_row, _i),
        }
    )

BY_IMDB = {s["imdb"]: s for s in SERIES}
BY_TMDB = {s["tmdb"]: s for s in SERIES}
EPISODES_BY_IMDB = {e["imdb"]: (s, e) for s in SERIES for season in s["seasons"] for e in season}


def years(s: dict[str, Any]) -> str:
    """OMDb's Year of a series: "2008–2013", "2014–"."""
    return f"{s['start']}–{s['end']}" if s["end"] else f"{s['start']}–"


def find(query: str, norm: Any) -> list[dict[str, Any]]:
    """Series whose title holds every query word (as the fake's film search)."""
    words = norm(query).split()
    return [s for s in SERIES if words and all(w in norm(s["title"]).split() for w in words)]


# ---------------------------------------------------------------------- TMDB shapes


def tmdb_tv_result(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "adult": False,
        "backdrop_path": f"/tvb{s['tmdb']}.jpg",
        "genre_ids": [18],
        "id": s["tmdb"],
        "origin_country": [s["country"]],
        "original_language": "en",
        "original_name": s["title"],
        "overview": f"Overview of {s['title']}.",
        "popularity": s["popularity"],
        "poster_path": f"/tvp{s['tmdb']}.jpg",
        "first_air_date": f"{s['start']}-01-20",
        "name": s["title"],
        "vote_average": round(s["rating"] - 0.3, 3),
        "vote_count": s["votes"] // 100,
    }


def tmdb_tv(s: dict[str, Any], external: bool) -> dict[str, Any]:
    body = tmdb_tv_result(s) | {
        "created_by": [
            {
                "id": 66633 + i,
                "credit_id": "52542286760ee31328001a7b",
                "name": n,
                "gender": 2,
                "profile_path": None,
            }
            for i, n in enumerate(s["creators"])
        ],
        "episode_run_time": [45],
        "in_production": s["end"] is None,
        "last_air_date": f"{s['end'] or 2026}-09-29",
        "networks": [
            {"id": 174, "name": s["network"], "logo_path": "/n.png", "origin_country": s["country"]}
        ],
        "number_of_episodes": sum(len(x) for x in s["seasons"]),
        "number_of_seasons": len(s["seasons"]),
        "seasons": [
            {
                "air_date": x[0]["air_date"],
                "episode_count": len(x),
                "id": s["tmdb"] * 100 + n,
                "name": f"Season {n}",
                "overview": "",
                "poster_path": None,
                "season_number": n,
                "vote_average": 8.0,
            }
            for n, x in enumerate(s["seasons"], start=1)
        ],
        "status": "Ended" if s["end"] else "Returning Series",
        "type": "Scripted",
    }
    body.pop("genre_ids")
    if external:
        body["external_ids"] = {
            "imdb_id": s["imdb"],
            "freebase_mid": None,
            "freebase_id": None,
            "tvdb_id": 81189,
            "tvrage_id": None,
            "wikidata_id": None,
            "facebook_id": None,
            "instagram_id": None,
            "twitter_id": None,
        }
    return body


def tmdb_season(s: dict[str, Any], n: int) -> dict[str, Any] | None:
    if not 1 <= n <= len(s["seasons"]):
        return None
    episodes = [
        {
            "air_date": e["air_date"],
            "episode_number": e["episode"],
            "episode_type": "standard",
            "id": s["tmdb"] * 10000 + n * 100 + e["episode"],
            "name": e["title"],
            "overview": "",
            "production_code": "",
            "runtime": 47,
            "season_number": n,
            "show_id": s["tmdb"],
            "still_path": None,
            "vote_average": round(max(0.0, e["rating"] - 0.4), 3),
            "vote_count": max(0, e["votes"] // 60),
            "crew": [],
            "guest_stars": [],
        }
        for e in s["seasons"][n - 1]
    ]
    return {
        "_id": f"52542286760ee3132800{n:04d}",
        "air_date": episodes[0]["air_date"],
        "episodes": episodes,
        "name": f"Season {n}",
        "overview": "",
        "id": s["tmdb"] * 100 + n,
        "poster_path": None,
        "season_number": n,
        "vote_average": 8.0,
    }


def _episode(s: dict[str, Any], n: int, m: int) -> dict[str, Any] | None:
    if not 1 <= n <= len(s["seasons"]):
        return None
    return next((e for e in s["seasons"][n - 1] if e["episode"] == m), None)


def tmdb_episode(s: dict[str, Any], n: int, m: int) -> dict[str, Any] | None:
    """``tv/{id}/season/{n}/episode/{m}?append_to_response=external_ids``."""
    e = _episode(s, n, m)
    if e is None:
        return None
    return {
        "air_date": e["air_date"],
        "crew": [],
        "episode_number": m,
        "guest_stars": [],
        "name": e["title"],
        "overview": "",
        "id": s["tmdb"] * 10000 + n * 100 + m,
        "production_code": "",
        "runtime": 47,
        "season_number": n,
        "still_path": None,
        "vote_average": round(max(0.0, e["rating"] - 0.4), 3),
        "vote_count": max(0, e["votes"] // 60),
        "external_ids": {
            "imdb_id": e["imdb"],
            "freebase_mid": None,
            "freebase_id": None,
            "tvdb_id": None,
            "tvrage_id": None,
            "wikidata_id": None,
        },
    }


def tmdb_find_episode(imdb: str) -> list[dict[str, Any]]:
    """``find/{imdb}``'s ``tv_episode_results`` for an episode's IMDb id."""
    if imdb not in EPISODES_BY_IMDB:
        return []
    s, e = EPISODES_BY_IMDB[imdb]
    body = tmdb_episode(s, e["season"], e["episode"]) or {}
    body.pop("external_ids", None)
    return [body | {"show_id": s["tmdb"], "episode_type": "standard"}]


# ---------------------------------------------------------------------- OMDb shapes


def omdb_series(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "Title": s["title"],
        "Year": years(s),
        "Rated": "TV-MA",
        "Released": f"20 Jan {s['start']}",
        "Runtime": "45 min",
        "Genre": "Drama",
        "Director": "N/A",
        "Writer": ", ".join(s["creators"]),
        "Actors": "N/A",
        "Plot": f"Plot of {s['title']}.",
        "Language": "English",
        "Country": "United States" if s["country"] == "US" else "United Kingdom",
        "Awards": "N/A",
        "Poster": "N/A",
        "Ratings": [{"Source": "Internet Movie Database", "Value": f"{s['rating']}/10"}],
        "Metascore": "N/A",
        "imdbRating": str(s["rating"]),
        "imdbVotes": f"{s['votes']:,}",
        "imdbID": s["imdb"],
        "Type": "series",
        "totalSeasons": str(len(s["seasons"])),
        "Response": "True",
    }


def omdb_season(s: dict[str, Any], n: int) -> dict[str, Any] | None:
    if not 1 <= n <= len(s["seasons"]):
        return None
    return {
        "Title": s["title"],
        "Season": str(n),
        "totalSeasons": str(len(s["seasons"])),
        "Episodes": [
            {
                "Title": e["title"],
                "Released": e["air_date"],
                "Episode": str(e["episode"]),
                "imdbRating": str(e["rating"]),
                "imdbID": e["imdb"],
            }
            for e in s["seasons"][n - 1]
        ],
        "Response": "True",
    }


def omdb_episode(s: dict[str, Any], e: dict[str, Any]) -> dict[str, Any]:
    return {
        "Title": e["title"],
        "Year": e["air_date"][:4],
        "Rated": "TV-MA",
        "Released": e["air_date"],
        "Season": str(e["season"]),
        "Episode": str(e["episode"]),
        "Runtime": "47 min",
        "Genre": "Drama",
        "Director": "N/A",
        "Writer": "N/A",
        "Actors": "N/A",
        "Plot": "N/A",
        "Language": "English",
        "Country": "United States",
        "Awards": "N/A",
        "Poster": "N/A",
        "Ratings": [{"Source": "Internet Movie Database", "Value": f"{e['rating']}/10"}],
        "Metascore": "N/A",
        "imdbRating": str(e["rating"]),
        "imdbVotes": f"{e['votes']:,}",
        "imdbID": e["imdb"],
        "seriesID": s["imdb"],
        "Type": "episode",
        "Response": "True",
    }


# ---------------------------------------------------------------------- Trakt shapes


def trakt_show(s: dict[str, Any], full: bool) -> dict[str, Any]:
    slug = "-".join(s["title"].lower().split()) + ("" if s["country"] == "US" else "-" + s["country"].lower())
    show: dict[str, Any] = {
        "title": s["title"],
        "year": s["start"],
        "ids": {
            "trakt": s["trakt"],
            "slug": slug,
            "tvdb": 81189,
            "imdb": s["imdb"],
            "tmdb": s["tmdb"],
            "tvrage": None,
        },
    }
    if full:
        show |= {
            "overview": "",
            "first_aired": f"{s['start']}-01-21T02:00:00.000Z",
            "runtime": 45,
            "certification": "TV-MA",
            "network": s["network"],
            "country": s["country"].lower(),
            "status": "ended" if s["end"] else "returning series",
            "rating": s["rating"] - 0.2,
            "votes": s["votes"] // 50,
            "language": "en",
            "aired_episodes": sum(len(x) for x in s["seasons"]),
        }
    return show


def trakt_seasons(s: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "number": n,
            "ids": {"trakt": s["trakt"] * 100 + n, "tvdb": None, "tmdb": s["tmdb"] * 100 + n, "tvrage": None},
        }
        for n in range(0, len(s["seasons"]) + 1)
    ]


def trakt_season(s: dict[str, Any], n: int) -> list[dict[str, Any]] | None:
    if not 1 <= n <= len(s["seasons"]):
        return None
    return [
        {
            "season": n,
            "number": e["episode"],
            "title": e["title"],
            "ids": {
                "trakt": s["trakt"] * 10000 + n * 100 + e["episode"],
                "tvdb": None,
                "imdb": e["imdb"],
                "tmdb": s["tmdb"] * 10000 + n * 100 + e["episode"],
                "tvrage": None,
            },
            "number_abs": None,
            "overview": "",
            "rating": round(max(0.0, e["rating"] - 0.3), 5),
            "votes": max(0, e["votes"] // 20),
            "comment_count": 0,
            "first_aired": f"{e['air_date']}T02:00:00.000Z",
            "runtime": 47,
            "episode_type": "standard",
        }
        for e in s["seasons"][n - 1]
    ]


def trakt_episode(s: dict[str, Any], n: int, m: int) -> dict[str, Any] | None:
    """``shows/{id}/seasons/{n}/episodes/{m}?extended=full``."""
    rows = trakt_season(s, n)
    return next((row for row in rows or [] if row["number"] == m), None)


def trakt_ratings(s: dict[str, Any]) -> dict[str, Any]:
    votes = s["votes"] // 50
    dist = {str(i): votes // 20 for i in range(1, 11)}
    dist["10"] = votes - sum(v for k, v in dist.items() if k != "10")
    return {"rating": round(s["rating"] - 0.2, 5), "votes": votes, "distribution": dist}
