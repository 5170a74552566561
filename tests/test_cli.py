"""The `movieagg` command end to end: real subprocesses against the local fake upstream."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.fakeapi import OMDB_KEY, TMDB_KEY, FakeAPI, env_for

CONTRACT_KEYS = {"query", "movie", "ratings", "score", "errors", "cached", "fetched_at"}


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "movieagg", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "120", **(env or {})},
        timeout=60,
        input=stdin,
    )


def test_rate_json_contract_and_cache(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOVIEAGG_SOURCES", "tmdb,omdb,wikidata")
    first = run("rate", "The Matrix", "--json")
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert set(data) >= CONTRACT_KEYS
    assert data["query"] == {"title": "The Matrix", "year": None}
    movie = data["movie"]
    assert (movie["title"], movie["year"], movie["imdb_id"], movie["tmdb_id"]) == ("The Matrix", 1999, "tt0133093", 603)
    names = {(r["name"], r["source"]) for r in data["ratings"]}
    assert {("imdb", "omdb"), ("rotten_tomatoes", "omdb"), ("metacritic", "omdb"), ("tmdb", "tmdb")} <= names
    assert any(src == "wikidata" for _, src in names)
    for r in data["ratings"]:
        assert 0 <= r["normalized"] <= 100 and r["normalized"] == pytest.approx(r["value"] / r["scale"] * 100, abs=0.01)
    assert 0 <= data["score"] <= 100 and data["errors"] == [] and data["cached"] is False
    # two round trips: one search, then each source once (OMDb, TMDB, Wikidata) and, beside
    # them, TMDB's where to watch; beside the search, TMDB's search/tv for a same-title series
    # (#16, movieagg.tvhint: none here, so no tv/{id})
    assert fake.counts() == {"tmdb": 4, "omdb": 1, "wikidata": 1}

    second = run("rate", "the matrix", "--json")
    assert json.loads(second.stdout)["cached"] is True
    assert fake.counts() == {"tmdb": 4, "omdb": 1, "wikidata": 1}  # no request at all (the hint cached too)

    run("rate", "The Matrix", "--json", "--refresh")
    assert fake.counts()["omdb"] == 2
    run("rate", "The Matrix", "--json", "--no-cache")
    assert fake.counts()["omdb"] == 3


def test_table_output_shows_score_and_sources(fake: FakeAPI) -> None:
    out = run("rate", "Blade Runner", "--year", "1982")
    assert out.returncode == 0, out.stderr
    for text in ("Blade Runner (1982)", "Score", "IMDb", "Rotten Tomatoes", "Metacritic", "TMDB", "tt0083658"):
        assert text in out.stdout
    assert "\x1b[" not in out.stdout  # NO_COLOR


@pytest.mark.parametrize(
    ("title", "year", "imdb"),
    [
        ("Dune", None, "tt1160419"),
        ("Dune", "1984", "tt0087182"),
        ("Dune", "1985", "tt0087182"),  # one year off: the search is retried without the year
        ("The Thing", "2011", "tt0905372"),
        ("Oldboy", "2003", "tt0364569"),
        ("Amelie", None, "tt0211915"),
        ("Le Fabuleux Destin d'Amélie Poulain", None, "tt0211915"),
        ("千と千尋の神隠し", None, "tt0245429"),
        ("Seven", None, "tt0114369"),
        ("WALL-E", None, "tt0910970"),
        ("Ocean's 11", "1960", "tt0054135"),
        ("Ocean's Eleven", None, "tt0240772"),
        ("Godzilla", "1998", "tt0120685"),
        ("A Star Is Born", "1976", "tt0075265"),
        ("M", None, "tt0022100"),
        ("Up", "2009", "tt1049413"),
    ],
)
def test_matching_traps(fake: FakeAPI, title: str, year: str | None, imdb: str) -> None:
    args = ["rate", title, "--json", "--no-cache"] + (["--year", year] if year else [])
    out = run(*args)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["movie"]["imdb_id"] == imdb
    imdb_ratings = [r for r in data["ratings"] if r["name"] == "imdb"]
    assert imdb_ratings  # every rating is about this one film (verified by IMDb id)


def test_keyless_default_uses_wikidata(fake_api: FakeAPI) -> None:
    env = env_for(fake_api.url, keys=False)
    out = run("rate", "Dune", "--year", "1984", "--json", env=env)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["movie"]["imdb_id"] == "tt0087182"
    assert {r["source"] for r in data["ratings"]} == {"wikidata"}


def test_source_selection(fake: FakeAPI) -> None:
    out = run("rate", "Up", "-y", "2009", "-s", "tmdb", "--json")
    assert {r["source"] for r in json.loads(out.stdout)["ratings"]} == {"tmdb"}
    out = run("rate", "Up", "-y", "2009", "--source", "omdb", "--source", "wikidata", "--json")
    assert {r["source"] for r in json.loads(out.stdout)["ratings"]} == {"omdb", "wikidata"}


def test_partial_failure_is_an_answer_with_errors(fake: FakeAPI) -> None:
    fake.state.fail = {"omdb"}
    out = run("rate", "Psycho", "--year", "1960", "--json", "--no-cache", env={"MOVIEAGG_TIMEOUT": "2"})
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [e["source"] for e in data["errors"]] == ["omdb"]
    assert "503" in data["errors"][0]["message"]
    sources = {r["source"] for r in data["ratings"]}
    assert data["score"] is not None and {"tmdb", "wikidata"} <= sources and "omdb" not in sources


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["rate", ""], 2, "title is empty"),
        (["rate", "x" * 300], 2, "too long"),
        (["rate", "Dune", "--year", "1700"], 2, "outside"),
        (["rate", "Dune", "--year", "abc"], 2, ""),
        (["rate", "Dune", "-s", "nosuch"], 2, "unknown source"),
        (["rate", "No Such Film Anywhere"], 1, "no film matches"),
        (["frobnicate"], 2, ""),
    ],
)
def test_exit_codes(fake: FakeAPI, args: list[str], code: int, needle: str) -> None:
    out = run(*args)
    assert out.returncode == code, (out.stdout, out.stderr)
    assert needle in out.stderr
    assert "Traceback" not in out.stderr + out.stdout


def test_every_source_failing_is_exit_4(fake: FakeAPI) -> None:
    fake.state.fail = {"tmdb", "omdb", "wikidata", "trakt"}
    out = run("rate", "Dune", "--no-cache", env={"MOVIEAGG_TIMEOUT": "1"})
    assert out.returncode == 4 and "Traceback" not in out.stderr
    assert out.stderr.count("\n") == 1  # one line


def test_rejected_keys_are_exit_3_and_say_which_variable(fake: FakeAPI) -> None:
    out = run("rate", "Dune", "--no-cache", env={"TMDB_API_KEY": "wrong-key-0000", "OMDB_API_KEY": "badomdbkey",
                                                 "MOVIEAGG_SOURCES": "tmdb,omdb"})
    assert out.returncode == 3, out.stderr
    assert "TMDB_API_KEY" in out.stderr and "wrong-key-0000" not in out.stderr
    assert "badomdbkey" not in out.stderr


def test_unconfigured_source_requested_is_exit_3(fake_api: FakeAPI) -> None:
    out = run("rate", "Dune", "-s", "tmdb", env=env_for(fake_api.url, keys=False))
    assert out.returncode == 3 and "TMDB_API_KEY" in out.stderr and "themoviedb.org" in out.stderr


def test_keys_never_appear_even_verbose(fake: FakeAPI, isolated_env: Path) -> None:
    out = run("-v", "rate", "Solaris", "--year", "1972", "--json")
    assert out.returncode == 0
    assert "GET" in out.stderr  # verbose logging really shows the requests
    for secret in (TMDB_KEY, OMDB_KEY):
        assert secret not in out.stdout + out.stderr
    for path in isolated_env.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            assert TMDB_KEY.encode() not in blob and OMDB_KEY.encode() not in blob, path


def test_search_lists_candidates(fake: FakeAPI) -> None:
    out = run("search", "Godzilla", "--json")
    found = json.loads(out.stdout)
    assert sorted(c["year"] for c in found) == [1954, 1998, 2014]
    # TMDB's search has no IMDb ids: they are completed by id, concurrently
    assert {c["imdb_id"] for c in found} == {"tt0047034", "tt0120685", "tt0831387"}
    table = run("search", "A Star Is Born")
    assert table.returncode == 0 and all(str(y) in table.stdout for y in (1937, 1954, 1976, 2018))


def test_sources_command(fake_api: FakeAPI) -> None:
    data = json.loads(run("sources", "--json", env=env_for(fake_api.url, keys=False)).stdout)
    by_name = {s["name"]: s for s in data}
    assert by_name["wikidata"]["configured"] and by_name["wikidata"]["keyless"]
    assert not by_name["tmdb"]["configured"] and by_name["tmdb"]["keys"] == ["TMDB_API_KEY", "TMDB_ACCESS_TOKEN"]
    assert "omdbapi.com" in by_name["omdb"]["signup_url"]
    text = run("sources", env={"TMDB_API_KEY": TMDB_KEY}).stdout
    assert TMDB_KEY not in text and "ready" in text


def test_help_and_version() -> None:
    assert run("--version").stdout.startswith("movieagg ")
    helptext = run("rate", "--help").stdout
    assert "Examples" in helptext and "--json" in helptext and "families/2" in helptext and "--weights" in helptext
    assert run("-h").returncode == 0


def test_config_file_is_read_and_env_wins(fake_api: FakeAPI, isolated_env: Path) -> None:
    isolated_env.mkdir(parents=True, exist_ok=True)
    (isolated_env / "config.toml").write_text(f'TMDB_API_KEY = "{TMDB_KEY}"\nMOVIEAGG_CACHE = "none"\n')
    env = env_for(fake_api.url, keys=False)
    data = json.loads(run("sources", "--json", env=env).stdout)
    assert next(s for s in data if s["name"] == "tmdb")["configured"]
    broken = run("sources", env={**env, "MOVIEAGG_TIMEOUT": "-1"})
    assert broken.returncode == 3 and "MOVIEAGG_TIMEOUT" in broken.stderr


def test_concurrent_processes_share_one_home_safely(fake: FakeAPI, isolated_env: Path) -> None:
    titles = ["Psycho", "Solaris", "Godzilla", "Oldboy", "Psycho", "Solaris"]
    procs = [
        subprocess.Popen([sys.executable, "-m", "movieagg", "rate", t, "--json"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1"})
        for t in titles
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0] * len(titles), [err for _, err in outputs]
    assert all(json.loads(out)["score"] is not None for out, _ in outputs)
    assert not any("WARNING" in err for _, err in outputs), [err for _, err in outputs]
    # every lookup reached the search log exactly once
    from movieagg.core.config import Settings
    from movieagg.records.keeper import flush_outbox
    from movieagg.store import open_store

    settings = Settings.from_env()
    flush_outbox(settings)
    store = open_store(settings)
    try:
        logged = store.searches(limit=50)
    finally:
        store.close()
    assert sorted(e["query"]["title"] for e in logged) == sorted(titles)


def test_rate_without_a_year_names_the_remakes(fake: FakeAPI) -> None:
    out = run("rate", "Dune")
    assert out.returncode == 0, out.stderr
    assert "Also called “Dune”: Dune (1984" in out.stdout and "--year" in out.stdout
    data = json.loads(run("rate", "Dune", "--json").stdout)
    assert [(a["title"], a["year"]) for a in data["alternatives"]] == [("Dune", 1984)]
    assert "Also called" not in run("rate", "Dune", "--year", "2021").stdout


# ------------------------------------------------------------------ any way of naming a film (#13)


@pytest.mark.parametrize(
    ("args", "imdb", "query"),
    [
        (["Up (2009)"], "tt1049413", {"title": "Up", "year": 2009}),
        (["Psycho (1960)"], "tt0054215", {"title": "Psycho", "year": 1960}),
        (["tt1049413"], "tt1049413", {"title": "tt1049413", "year": None}),
        (["https://www.imdb.com/title/tt0083658/"], "tt0083658", {"title": "tt0083658", "year": None}),
        (["https://www.themoviedb.org/movie/603-the-matrix"], "tt0133093", {"title": "tmdb:603", "year": None}),
        (["https://letterboxd.com/film/heat-1995/"], "tt0113277", {"title": "Heat", "year": 1995}),
        (["The", "Matrix"], "tt0133093", {"title": "The Matrix", "year": None}),
        (["Psycho", "(1998)"], "tt0155975", {"title": "Psycho", "year": 1998}),
        (["Psycho (1960)", "--year", "1960"], "tt0054215", {"title": "Psycho", "year": 1960}),
    ],
)
def test_rate_understands_any_way_of_naming_a_film(
    fake: FakeAPI, args: list[str], imdb: str, query: dict[str, object]
) -> None:
    out = run("rate", *args, "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["movie"]["imdb_id"] == imdb
    assert data["query"] == query


def test_a_year_in_the_text_and_another_given_is_a_usage_error(fake: FakeAPI) -> None:
    out = run("rate", "Psycho (1960)", "--year", "1998")
    assert out.returncode == 2, out.stderr
    assert "1960" in out.stderr and "1998" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("title", ["😀🎬", "\u200b\u200b", "\ufeff", "\ufffd"])
def test_a_title_without_letters_is_invalid_input(fake: FakeAPI, title: str) -> None:
    out = run("rate", title)
    assert out.returncode == 2, (out.stdout, out.stderr)
    # U+FFFD is what a decoder leaves of bad bytes: the undecodable-text check (#11) says so first
    assert "no letters or digits" in out.stderr or "empty" in out.stderr or "undecodable" in out.stderr


# ------------------------------------------------------------------ did you mean (#13)


def test_a_miss_suggests_the_nearest_films(fake: FakeAPI) -> None:
    out = run("rate", "the matrx")
    assert out.returncode == 1
    assert out.stderr.startswith("error: no film matches 'the matrx' — did you mean: The Matrix (1999)")
    assert out.stderr.count("\n") == 1 and out.stdout == ""
    as_json = run("rate", "the matrx", "--json")
    assert as_json.returncode == 1
    body = json.loads(as_json.stdout)
    assert body["error"]["code"] == "not_found" and "the matrx" in body["error"]["message"]
    assert body["error"]["suggestions"][0] == {"title": "The Matrix", "year": 1999, "imdb_id": "tt0133093"}
    runner = json.loads(run("rate", "Runner", "--json").stdout)
    assert [s["title"] for s in runner["error"]["suggestions"]][:1] == ["Blade Runner"]


def test_other_errors_with_json_are_json_too(fake: FakeAPI) -> None:
    out = run("rate", "Dune", "--year", "1700", "--json")
    assert out.returncode == 2
    assert json.loads(out.stdout)["error"]["code"] == "invalid_input"


# ------------------------------------------------------------------ match confidence (#13)


def test_every_answer_carries_its_match_confidence(fake: FakeAPI) -> None:
    up = json.loads(run("rate", "Up", "--year", "2009", "--json").stdout)["match"]
    assert up["method"] == "title" and up["confidence"] >= 0.95
    assert up["reasons"][:2] == ['title "Up" matches exactly', "released 2009, as asked"]
    by_id = json.loads(run("rate", "tt1049413", "--json").stdout)["match"]
    assert (by_id["confidence"], by_id["method"]) == (1.0, "imdb_id")


def test_solaris_without_a_year_is_uncertain_because_tmdb_and_omdb_disagree(fake: FakeAPI) -> None:
    out = run("rate", "Solaris", "--json")
    assert out.returncode == 0, out.stderr
    match = json.loads(out.stdout)["match"]
    assert match["confidence"] < 0.6
    assert any("OMDb's search puts Solaris (2002) first" in r for r in match["reasons"])
    table = run("rate", "Solaris")
    assert "uncertain match" in table.stdout and "Solaris (2002)" in table.stdout
    sure = run("rate", "Solaris", "--year", "1972")
    assert "uncertain match" not in sure.stdout and "match" in sure.stdout


# ------------------------------------------------------------------ a score that means something (#13)


def test_the_score_counts_one_pool_of_reviews_once_and_names_its_method(fake: FakeAPI) -> None:
    data = json.loads(run("rate", "Up", "--year", "2009", "--json").stdout)
    assert data["score_version"] == "families/2"
    assert data["score"] == 83.0 and data["critics"] == 85.0 and data["audience"] == 80.9
    tomatometer = [r for r in data["ratings"] if r["name"] == "rotten_tomatoes"]
    assert tomatometer and all(r["weight"] == 0 and r["pool"] == "rotten_tomatoes" for r in tomatometer)
    shares = sum(r["weight"] for r in data["ratings"])
    assert shares == pytest.approx(1.0, abs=0.001)


def test_users_set_their_own_weights(fake: FakeAPI) -> None:
    mine = json.loads(run("rate", "Up", "--year", "2009", "--json", "--weights", "critics=0").stdout)
    assert mine["weights"] == {"critics": 0.0} and mine["score"] == mine["audience"]
    env_set = json.loads(run("rate", "Up", "--year", "2009", "--json", env={"MOVIEAGG_WEIGHTS": "imdb=2"}).stdout)
    assert env_set["weights"] == {"imdb": 2.0} and env_set["audience"] > 80.9
    both = json.loads(run("rate", "Up", "-y", "2009", "--json", "--weights", "critics=0", env={"MOVIEAGG_WEIGHTS": "imdb=2"}).stdout)
    assert both["weights"] == {"critics": 0.0, "imdb": 2.0}
    bad = run("rate", "Up", "--weights", "imbd=2")
    assert bad.returncode == 2 and "unknown rating or family 'imbd'" in bad.stderr
    bad_env = run("rate", "Up", env={"MOVIEAGG_WEIGHTS": "imdb=lots"})
    assert bad_env.returncode == 3 and "MOVIEAGG_WEIGHTS" in bad_env.stderr


def test_the_table_shows_a_rating_reported_twice_once(fake: FakeAPI) -> None:
    out = run("rate", "Up", "--year", "2009").stdout
    bars = [line for line in out.splitlines() if "█" in line]
    assert sum("Metacritic" in line for line in bars) == 1 and sum("Rotten Tomatoes" in line for line in bars) == 1
    assert "Metacritic also reported by wikidata: 88/100 (40 reviews) — counted once" in out
    assert "Rotten Tomatoes 98% (also reported by wikidata) shares its reviews with RT average rating" in out
    assert "critics 85 · audience 81" in out


# ------------------------------------------------------------------ disagreement (#13)


def test_critics_and_audience_disagree_about_venom(fake: FakeAPI) -> None:
    data = json.loads(run("rate", "Venom", "--year", "2018", "--json").stdout)
    assert data["critics"] < 40 < 60 < data["audience"]
    assert sorted(o["name"] for o in data["agreement"]["outliers"]) == ["metacritic", "rotten_tomatoes_average"]
    assert data["agreement"]["spread"] > 40
    table = run("rate", "Venom", "--year", "2018").stdout
    assert "critics 30 · audience 68" in table
    assert "far from the others" in table


def test_an_outlier_from_a_mixed_up_record_lowers_the_match_confidence(fake: FakeAPI) -> None:
    data = json.loads(run("rate", "Crash", "--year", "2004", "--json").stdout)
    assert [o["source"] for o in data["agreement"]["outliers"]] == ["omdb"]
    assert data["match"]["confidence"] == 0.75
    assert any("reports 1996, not 2004" in r for r in data["match"]["reasons"])
    up = json.loads(run("rate", "Up", "--year", "2009", "--json").stdout)
    assert up["agreement"]["outliers"] == [] and up["agreement"]["spread"] == 9.0
