"""The seams: what a rating source, a cache backend and a lookup recorder must provide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from movieagg.core.models import Candidate, Movie, Query, SourceData


@runtime_checkable
class RatingSource(Protocol):
    """An adapter for one upstream service.

    ``fetch`` receives the best identity known so far and uses whichever id it can (IMDb id
    first, then its own id, then title + year). It returns the ratings together with the ids
    it saw, so the aggregator can verify every rating belongs to the same film.
    ``search`` is optional: ``can_search`` says whether the source can resolve titles. A source
    whose search also finds titles by their beginning may say so with an optional attribute
    ``prefix_search = True``; "did you mean" then asks it with a prefix of a title nothing matched,
    through its optional ``suggest(query, limit)`` (the same shape as ``search``) or else ``search``.
    Failures are raised as :class:`movieagg.core.errors.SourceFailure`.
    """

    name: str
    label: str
    can_search: bool

    async def search(self, query: Query, limit: int = 10) -> Sequence[Candidate]: ...

    async def fetch(self, movie: Movie) -> SourceData | None: ...


@runtime_checkable
class Cache(Protocol):
    """A byte store with per-key TTLs. JSON encoding lives in the core, never pickle."""

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes, ttl: float) -> None: ...

    def delete(self, key: str) -> None: ...


class Recorder(Protocol):
    """Receives one record per lookup (the search log and rating history)."""

    def record(self, entry: dict[str, object]) -> None: ...


@runtime_checkable
class Locker(Protocol):
    """Optional: a short exclusive lease shared by processes (single flight across containers).

    ``acquire`` returns a token when this caller now holds ``key`` for ``ttl`` seconds, or None
    when someone else holds it. ``release`` frees it only if the token still matches (a lease
    that expired and was taken by another caller stays theirs). ``held`` says whether anyone
    holds it now. Errors may be raised freely: the aggregator treats a failing locker as absent.
    """

    def acquire(self, key: str, ttl: float) -> str | None: ...

    def release(self, key: str, token: str) -> None: ...

    def held(self, key: str) -> bool: ...
