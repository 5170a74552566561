"""What a person typed, understood once for every face: a title and year, or an id.

``parse_query`` accepts any way people name a film — ``Heat``, ``Heat (1995)``, ``tt0113277``,
an IMDb, TMDB, Trakt or Letterboxd film page — and returns a :class:`ParsedQuery`. The CLI,
the library, the API, the web app (through the API) and ``batch`` all go through it, so a
text means the same film everywhere. Rules (also in the README):

* ``Title (YYYY)`` or ``Title [YYYY]`` at the end is a title and a year; a number elsewhere is
  part of the title (``1917``, ``2001: A Space Odyssey``, ``Blade Runner 2049``).
* An IMDb id or IMDb title URL is that id; a TMDB movie URL (``/movie/603-the-matrix``) is the
  TMDB id. Neither needs title matching; a year given beside an id is not used.
* A Letterboxd or Trakt film URL is its slug: words, and a trailing year when the last part is a
  plausible release year (``/film/heat-1995/`` → Heat, 1995). When that year could also be part
  of the title (``wonder-woman-1984``), the whole slug as a title is kept as the fallback reading.
* An explicit year (``--year``) must agree with a year in the text; a conflict is an error
  rather than a silent choice.
* ``S05E14`` (or ``s5e14``, ``5x14``) at the end of a title names an episode of a series:
  ``Breaking Bad S05E14`` is season 5, episode 14 of Breaking Bad. ``--season``/``--episode``
  say the same and must agree with it; an episode without a season is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urlsplit

from movieagg.core.bounds import IDS
from movieagg.core.errors import InvalidQuery
from movieagg.core.models import (
    IMDB_ID_RE,
    MAX_YEAR,
    MIN_YEAR,
    Query,
    check_decodable,
    validate_imdb_id,
    validate_year,
)

Kind = Literal["title", "imdb", "tmdb"]
# What a query asks for (``--type``): a film, a TV series, one episode of a series, or whichever
# fits best. The default (None) is a film, or the series when no film has that title.
TitleType = Literal["movie", "series", "episode", "any"]
TITLE_TYPES: tuple[TitleType, ...] = ("movie", "series", "episode", "any")
MAX_SEASON, MAX_EPISODE = 80, 400  # core.episodes' bounds
_EPISODE_MARK = re.compile(
    r"^(?P<title>.*?\S)\s+(?:[Ss](?P<s>\d{1,2})\s*[Ee](?P<e>\d{1,3})|(?P<s2>\d{1,2})x(?P<e2>\d{1,3}))\s*$"
)

# Id- and year-shaped text (any script's digits) is taken as an id or a year and handed to the
# core's validation, which takes ASCII digits only: "tt٠١٣٣٠٩٣" and "Up (٢٠٠٩)" are invalid input,
# not titles to search.
_TITLE_YEAR = re.compile(r"^(?P<title>.*?\S)\s*[(\[](?P<year>\d{4})[)\]]\s*$")
_IMDB_ID = re.compile(r"^tt\d{7,8}$", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_TMDB_PATH = re.compile(r"^([0-9]{1,10})(?:-[^/]*)?$")  # ASCII digits; range checked (bounds.IDS)
_SLUG_PART = re.compile(r"^[a-z0-9]+$")
# Hosts whose film pages we read, by what a page there names.
_SITES = {
    "imdb.com": "imdb",
    "themoviedb.org": "tmdb",
    "trakt.tv": "trakt",
    "letterboxd.com": "letterboxd",
    "boxd.it": "boxd",
}
_READABLE = "a title, an IMDb id, or an IMDb, TMDB, Trakt or Letterboxd film page"


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """One understood query: ``kind`` says which of title/year, IMDb id or TMDB id it holds."""

    kind: Kind
    query: Query  # the title and year (for an id: the id as typed, for messages and records)
    imdb_id: str | None = None
    tmdb_id: int | None = None
    fallback: ParsedQuery | None = None  # another reading to try when this one finds nothing
    season: int | None = None  # an episode's season and number (S05E14, --season/--episode)
    episode: int | None = None

    @property
    def is_id(self) -> bool:
        return self.kind != "title"


def validate_type(value: object) -> TitleType | None:
    """``--type``: movie, series, episode or any (None: not given); else InvalidQuery."""
    if value is None or value == "":
        return None
    text = value.strip().lower() if isinstance(value, str) else value
    for kind in TITLE_TYPES:
        if text == kind:
            return kind
    raise InvalidQuery(f"type must be one of {', '.join(TITLE_TYPES)}, not {str(value)[:20]!r}")


def _number(value: object, name: str, top: int) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 4:
            raise InvalidQuery(f"{name} must be a whole number, not {value[:20]!r}")
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
        raise InvalidQuery(f"{name} must be a whole number from 0 to {top}")
    return value


def parse_episode_query(
    text: object, year: object = None, season: object = None, episode: object = None
) -> ParsedQuery:
    """:func:`parse_query`, and an episode's numbers: ``S05E14`` at the end of the title or
    ``season``/``episode`` given apart (they must agree). Raises InvalidQuery."""
    given_season = _number(season, "season", MAX_SEASON)
    given_episode = _number(episode, "episode", MAX_EPISODE)
    if isinstance(text, str) and (mark := _EPISODE_MARK.match(text.strip())):
        marked_season = int(mark.group("s") or mark.group("s2"))
        marked_episode = int(mark.group("e") or mark.group("e2"))
        for given, marked, name in (
            (given_season, marked_season, "season"),
            (given_episode, marked_episode, "episode"),
        ):
            if given is not None and given != marked:
                raise InvalidQuery(f"the title says {name} {marked} but {given} was given; give it once")
        given_season, given_episode = marked_season, marked_episode
        text = mark.group("title")
    if given_episode is not None and given_season is None:
        raise InvalidQuery("an episode needs its season too (--season, or S05E14 in the title)")
    parsed = parse_query(text, year)
    if given_season is None:
        return parsed
    return replace(parsed, season=given_season, episode=given_episode)


def parse_query(text: object, year: object = None) -> ParsedQuery:
    """Understand ``text`` (and an explicit ``year``); raises InvalidQuery with a one-line reason."""
    if not isinstance(text, str):
        raise InvalidQuery("title must be text")
    check_decodable(text)  # before any reading of it: a link or an id is text like a title
    given_year = validate_year(year)
    stripped = text.strip().strip("\ufeff\u200b").strip()
    if _IMDB_ID.match(stripped):
        imdb = validate_imdb_id(stripped)
        return ParsedQuery("imdb", Query(imdb, None), imdb_id=imdb)
    site = _site_of(stripped)
    if site is not None:
        return _from_url(stripped, site, given_year)
    match = _TITLE_YEAR.match(stripped)
    if match and not match.group("year").isascii():
        validate_year(match.group("year"))  # raises: a year of other digits is no year
    if match and _plausible_year(int(match.group("year")), MAX_YEAR):
        return _titled(match.group("title"), int(match.group("year")), given_year)
    return ParsedQuery("title", Query.create(text, given_year))


def _titled(
    title: str, text_year: int, given_year: int | None, fallback: ParsedQuery | None = None
) -> ParsedQuery:
    if given_year is not None and given_year != text_year:
        raise InvalidQuery(
            f"the title says {text_year} but the year given is {given_year}; give the year once"
        )
    return ParsedQuery("title", Query.create(title, text_year), fallback=fallback)


def _plausible_year(year: int, latest: int) -> bool:
    return MIN_YEAR <= year <= latest


def _on(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _site_of(text: str) -> str | None:
    """The host of a URL (``https://…`` or a bare ``www.imdb.com/…``); None for plain text."""
    has_scheme = bool(_SCHEME.match(text))
    if not has_scheme:
        head = text.split("/", 1)[0].lower()
        if "/" not in text or not any(_on(head, d) for d in _SITES):
            return None  # "Face/Off" is a title; only our sites are recognised without a scheme
        text = "https://" + text
    try:
        host = (urlsplit(text).hostname or "").lower()
    except ValueError:
        raise InvalidQuery(f"not a link movieagg can read: {text[:60]!r}") from None
    return host


def _from_url(text: str, host: str, given_year: int | None) -> ParsedQuery:
    site = next((name for domain, name in _SITES.items() if _on(host, domain)), None)
    if site is None:
        raise InvalidQuery(f"{host or 'that link'} is not a film site movieagg reads; give {_READABLE}")
    if not _SCHEME.match(text):
        text = "https://" + text
    parts = [p for p in urlsplit(text).path.split("/") if p]
    if site == "imdb":
        if "title" in parts and parts.index("title") + 1 < len(parts):
            candidate = parts[parts.index("title") + 1].lower()
            if IMDB_ID_RE.match(candidate):
                return ParsedQuery("imdb", Query(candidate, None), imdb_id=candidate)
        raise InvalidQuery("that IMDb link is not a film's page (imdb.com/title/tt…)")
    if site == "tmdb":
        if len(parts) >= 2 and parts[0] == "movie" and (m := _TMDB_PATH.match(parts[1])):
            tmdb = int(m.group(1))
            if not IDS[0] <= tmdb <= IDS[1]:
                raise InvalidQuery(f"TMDB id {tmdb} is outside {IDS[0]}–{IDS[1]:,}")
            return ParsedQuery("tmdb", Query(f"tmdb:{tmdb}", None), tmdb_id=tmdb)
        raise InvalidQuery("that TMDB link is not a film's page (themoviedb.org/movie/…)")
    if site == "boxd":
        raise InvalidQuery(
            "a boxd.it short link cannot be read offline; give the film's letterboxd.com/film/… link"
        )
    marker = "movies" if site == "trakt" else "film"
    if marker in parts and parts.index(marker) + 1 < len(parts):
        slug = parts[parts.index(marker) + 1].lower()
        return _from_slug(slug, given_year, site)
    raise InvalidQuery(f"that {site.title()} link is not a film's page")


def _from_slug(slug: str, given_year: int | None, site: str) -> ParsedQuery:
    """``heat-1995`` → Heat (1995); ``blade-runner-2049`` → Blade Runner 2049 (no such year yet)."""
    words = [w for w in slug.split("-") if w]
    if not words or not all(_SLUG_PART.match(w) for w in words):
        raise InvalidQuery(f"cannot read a film from the {site.title()} link's {slug[:40]!r}")
    whole = " ".join(w.capitalize() for w in words)
    latest = datetime.now(UTC).year + 5  # a year in a slug is a release year, not "2049"
    last = words[-1]
    if len(words) > 1 and len(last) == 4 and last.isdigit() and _plausible_year(int(last), latest):
        title = " ".join(w.capitalize() for w in words[:-1])
        # "wonder-woman-1984": the number may be the title's own; keep that reading too.
        fallback = ParsedQuery("title", Query.create(whole, given_year)) if site == "letterboxd" else None
        return _titled(title, int(last), given_year, fallback)
    if site == "trakt" and len(words) == 1 and last.isdigit():
        raise InvalidQuery("a Trakt link by number cannot be read; give its trakt.tv/movies/<name> link")
    return ParsedQuery("title", Query.create(whole, given_year))


__all__ = [
    "TITLE_TYPES",
    "ParsedQuery",
    "TitleType",
    "parse_episode_query",
    "parse_query",
    "validate_type",
]
