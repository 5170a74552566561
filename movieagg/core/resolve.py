"""Title → film: ask the resolvers by authority, rank what they found, say why nothing matched.

Phase 3's first step of a lookup (:mod:`movieagg.core.aggregator`), and the aggregator's
``search``. :class:`Resolver` holds only what resolving needs — the sources by name, the
resolvers' order of authority and the lookup cache (known titles, TMDB ids) — handed in by the
aggregator. Loaded only when a lookup asks sources; what only a miss or an ambiguous title needs
(:mod:`movieagg.core.lookaside`) is imported where it is used.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from movieagg.core import bounds, upstream
from movieagg.core.confidence import MatchEvidence
from movieagg.core.errors import (
    ConfigurationError,
    NotFound,
    SourceErrorInfo,
    SourceFailure,
    Suggestion,
    failure_for,
)
from movieagg.core.fanout import fetch_one
from movieagg.core.lookup_cache import LookupCache
from movieagg.core.matching import accepted, rank_candidates, same_title_others
from movieagg.core.models import Candidate, Movie, Query, SourceData
from movieagg.core.protocols import RatingSource

if TYPE_CHECKING:
    from movieagg.core.calls import Asking


@dataclass(slots=True)
class Search:
    """What the resolvers said: candidates, failures, values dropped from their answers, and
    the candidates of resolvers that answered only films unlike the query."""

    candidates: list[Candidate]
    errors: dict[str, SourceFailure]
    notes: dict[str, list[str]]
    unusable: list[Candidate] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Resolver:
    """What resolving titles needs of the aggregator: its ``sources`` by name, the names of
    ``resolvers`` in order of authority, and the ``lookups`` cache."""

    sources: Mapping[str, RatingSource]
    resolvers: tuple[str, ...]
    lookups: LookupCache

    async def search(
        self,
        ask: Asking,
        query: Query,
        sources: Sequence[RatingSource],
        limit: int = 10,
        usable: Callable[[Sequence[Candidate]], bool] | None = None,
    ) -> Search:
        """Ask resolvers in order of authority until one has candidates (``usable`` ones, when
        given); what earlier resolvers found but could not use is kept in ``unusable``."""
        found = Search([], {}, {})
        wanted = {s.name: s for s in sources if s.can_search}
        order = [wanted[n] for n in self.resolvers if n in wanted]
        order += [s for n, s in wanted.items() if n not in self.resolvers]
        if not order:
            raise ConfigurationError(
                "none of the configured sources can look films up by title; "
                "set TMDB_API_KEY or OMDB_API_KEY, or enable the keyless wikidata source"
            )
        for source in order:

            async def search(source: RatingSource = source) -> Sequence[Candidate]:
                hits = await source.search(query, limit)
                if not hits and query.year is not None:
                    # Sources filter on their own release year; festival vs release dates differ
                    # by one, so ask again without it and let the ranking apply the ±1 tolerance.
                    hits = await source.search(Query(query.title, None), limit)
                return hits

            # A resolver may use half the time left: a hung one leaves time for the next
            # resolver and for the sources asked by id.
            outcome, notes = await ask.ask(source, search, upstream.checked_candidates, share=0.5)
            if notes and not outcome and not isinstance(outcome, SourceFailure):
                # Nothing usable, and values dropped: an answer we could not read, not "no film".
                why = f"no usable search result ({bounds.main_note(notes)})"
                outcome = SourceFailure(source.name, why, "malformed")
            if notes and not isinstance(outcome, SourceFailure):
                found.notes[source.name] = notes
            if isinstance(outcome, SourceFailure):
                found.errors[source.name] = outcome
            elif outcome and (usable is None or usable(outcome)):
                found.candidates = outcome
                return found
            else:
                found.unusable.extend(outcome)  # nothing like the title here: the next resolver may know it
        return found

    async def resolve(
        self, ask: Asking, query: Query, sources: Sequence[RatingSource]
    ) -> tuple[Candidate, Search, list[Candidate], MatchEvidence]:
        """The film a query means, what the resolvers said on the way, (no year given) its
        namesakes, and the evidence for the match (with a second resolver's opinion when the
        title is ambiguous).

        Only ``sources`` (the ones selected for this lookup) are asked, second opinion and
        suggestions included: ``--source tmdb`` means no request to any other service.
        """

        def usable(hits: Sequence[Candidate]) -> bool:  # a title must look like the query
            return bool(accepted(rank_candidates(query, hits)))

        found = await self.search(ask, query, list(sources), usable=usable)
        if not found.candidates:
            if found.errors and not found.unusable:
                raise failure_for(found.errors.values(), "could not look the title up")
            suggestions = await self.suggest(ask, query, found, sources)
            raise NotFound(not_found_message(query), suggestions)
        ranked = accepted(rank_candidates(query, found.candidates))
        chosen = ranked[0]
        assert chosen.agreement is not None
        others = same_title_others(ranked) if query.year is None else []
        evidence = MatchEvidence(chosen.agreement, chosen.candidate.source)
        judges = resolvers_among(self.resolvers, sources, set(found.errors), besides=chosen.candidate.source)
        if others and judges:  # ambiguous: does the next resolver rank the same film first?
            from movieagg.core.lookaside import second_opinion

            evidence, notes = await second_opinion(ask, query, chosen.candidate, evidence, judges[0])
            if notes:
                found.notes.setdefault(judges[0].name, []).extend(notes)
        return chosen.candidate, found, others, evidence

    async def suggest(
        self, ask: Asking, query: Query, found: Search, sources: Sequence[RatingSource]
    ) -> list[Suggestion]:
        """A miss: the nearest films (:func:`movieagg.core.lookaside.gather_suggestions`), asking
        only the lookup's ``sources`` that have not failed in it."""
        from movieagg.core.lookaside import gather_suggestions

        failed = set(found.errors)
        healthy = resolvers_among(self.resolvers, sources, failed)
        by_prefix = [s for s in sources if getattr(s, "prefix_search", False) and s.name not in failed]
        known = self.lookups.known_titles()
        resolver = healthy[0] if healthy else None
        return await gather_suggestions(ask, query, found.unusable, known, resolver, by_prefix)

    async def complete_ids(self, ask: Asking, candidates: list[Candidate]) -> list[Candidate]:
        """Fill in IMDb ids a search did not return (TMDB's), asking each candidate's source by id."""

        async def complete(candidate: Candidate) -> Candidate:
            source = self.sources.get(candidate.source)
            if candidate.imdb_id or source is None:
                return candidate
            data, _ = await ask.ask(source, lambda: source.fetch(candidate.to_movie()), upstream.checked_data)
            if not isinstance(data, SourceData) or data.movie is None or not data.exact:
                return candidate  # still useful without its IMDb id
            return replace(
                candidate, imdb_id=data.movie.imdb_id, tmdb_id=candidate.tmdb_id or data.movie.tmdb_id
            )

        return list(await asyncio.gather(*(complete(c) for c in candidates)))

    async def imdb_of_tmdb(
        self, ask: Asking, tmdb_id: int, sources: Sequence[RatingSource], use_cache: bool
    ) -> str:
        """The IMDb id of a film known by its TMDB id (a TMDB URL): cached, else asked by id of
        the lookup's ``sources`` (TMDB first), never of a source not selected."""
        if use_cache and (known := self.lookups.imdb_of_tmdb(tmdb_id)) is not None:
            return known
        probe = Movie(title="", tmdb_id=tmdb_id)
        order = sorted(sources, key=lambda s: (s.name not in self.resolvers, s.name != "tmdb"))
        failures: list[SourceFailure] = []
        for source in order:
            outcome = await fetch_one(ask, source, probe)
            if isinstance(outcome, SourceFailure):
                failures.append(outcome)
                continue
            movie = outcome.movie if outcome is not None else None
            if movie is not None and movie.imdb_id and movie.tmdb_id in (None, tmdb_id):
                if use_cache:
                    self.lookups.put_tmdb_identity(tmdb_id, movie)
                return movie.imdb_id
        if failures and len(failures) == len(order):
            raise failure_for(failures, f"could not look TMDB id {tmdb_id} up")
        raise NotFound(f"no source knows TMDB id {tmdb_id} (or it has no IMDb id yet)")


def resolvers_among(
    resolvers: Sequence[str], sources: Sequence[RatingSource], failed: set[str], besides: str | None = None
) -> list[RatingSource]:
    """The lookup's ``sources`` that resolve titles, by authority, but those that failed in it."""
    by_name = {s.name: s for s in sources if s.can_search}
    return [by_name[n] for n in resolvers if n in by_name and n not in failed and n != besides]


def search_entries(found: Search, listed: Sequence[SourceErrorInfo]) -> list[SourceErrorInfo]:
    """The resolvers' failures and dropped values the answer does not list yet."""
    failed = {e.source for e in listed if e.kind != "malformed"}
    seen = {(e.source, e.message) for e in listed}
    entries = [e.info() for n, e in found.errors.items() if n not in failed and (n, e.message) not in seen]
    for name, notes in found.notes.items():
        entries += [SourceErrorInfo(name, n, "malformed") for n in notes if (name, n) not in seen]
    return entries


def not_found_message(query: Query) -> str:
    year = f" ({query.year})" if query.year else ""
    return f"no film matches {query.title!r}{year}"


__all__ = [
    "Resolver",
    "Search",
    "not_found_message",
    "resolvers_among",
    "search_entries",
]
