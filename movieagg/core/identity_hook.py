"""Tell whoever waits on a lookup which film it settled on, before its sources are asked.

Side lookups that need the film's ids (where to watch: TMDB's id) can then start while the
ratings are fetched, instead of after. The listener is a context variable, so it reaches only
the lookup started inside :func:`listening` (and the tasks it starts), never another one.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator

from movieagg.core.models import Movie

_LISTENER: contextvars.ContextVar[Callable[[Movie], None] | None] = contextvars.ContextVar(
    "movieagg_identity_listener", default=None
)


@contextlib.contextmanager
def listening(listener: Callable[[Movie], None]) -> Iterator[None]:
    """Lookups started inside this block announce their film to ``listener``."""
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)


def announce(movie: Movie) -> None:
    """The film a lookup resolved to (called by the aggregator); a failing listener is ignored."""
    listener = _LISTENER.get()
    if listener is None:
        return
    try:
        listener(movie)
    except Exception:  # a side lookup must never cost the lookup itself
        return
