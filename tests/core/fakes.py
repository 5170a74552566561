"""In-memory RatingSource doubles for aggregator tests (no HTTP)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from movieagg.core.errors import SourceFailure
from movieagg.core.models import Candidate, Movie, Query, Rating, SourceData


@dataclass
class StubSource:
    name: str
    films: dict[str, tuple[str, int, float, int | None]] = field(default_factory=dict)  # imdb → (title, year, value, votes)
    can_search: bool = False
    label: str = ""
    delay: float = 0.0
    fail: SourceFailure | Exception | None = None
    title_answer: str | None = None  # imdb id this source returns when asked by title only
    calls: list[str] = field(default_factory=list)

    async def search(self, query: Query, limit: int = 10) -> Sequence[Candidate]:
        self.calls.append(f"search:{query.title}")
        await asyncio.sleep(self.delay)
        if self.fail:
            raise self.fail
        return [
            Candidate(title=t, year=y, source=self.name, imdb_id=i, votes=v, rank=n)
            for n, (i, (t, y, _, v)) in enumerate(self.films.items())
            if query.title.lower() in t.lower()
        ]

    async def fetch(self, movie: Movie) -> SourceData | None:
        self.calls.append(f"fetch:{movie.imdb_id or movie.title}")
        await asyncio.sleep(self.delay)
        if self.fail:
            raise self.fail
        imdb, exact = movie.imdb_id, True
        if imdb is None:
            imdb, exact = self.title_answer, False
        if imdb not in self.films:
            return None
        title, year, value, votes = self.films[imdb]
        rating = Rating(self.name, self.name.upper(), value, 10.0, votes, self.name)
        return SourceData(self.name, (rating,), Movie(title, year, imdb), exact=exact)
