"""One exception tree for movieagg; foreign errors are mapped where they enter.

Each class is one row of the outcome table: beside its ``code`` it carries the CLI exit code,
the HTTP status and the batch status it maps to, so the CLI, the API and ``batch`` translate
errors from this one place. Messages never contain secrets: adapters build them from status
codes, not from URLs.

Exit codes (also in the README): 0 an answer; 1 no such film; 2 usage or invalid input;
3 configuration; 4 every source failed; 5 AWS credentials; 6 AWS region or endpoint; 7 a
deploy step failed; 8 the database or cache is unreachable or its schema is newer; 70 an
internal error (a bug); 130 interrupted; 141 the output's reader went away (``| head``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

EXIT_OK = 0
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # the reader of our output went away (`| head`): 128 + SIGPIPE, as Unix tools


class MovieAggError(Exception):
    """Base of every error movieagg raises on purpose."""

    code = "error"
    exit_code = 1
    http_status = 500
    batch_status = "failed"
    retry_after: int | None = None  # seconds an API client should wait before asking again
    errors: Sequence[SourceErrorInfo] = ()  # the sources' failures behind this error, if any

    def public_message(self) -> str:
        """What a client of the API may read (the CLI prints ``str(self)``)."""
        return str(self)

    def details(self) -> dict[str, Any]:
        """Fields beside ``code`` and ``message`` in the error's JSON body (CLI and API)."""
        return {}


class InvalidQuery(MovieAggError, ValueError):
    """The caller asked something malformed (empty title, impossible year, bad id)."""

    code = "invalid_input"
    exit_code = 2
    http_status = 400
    batch_status = "invalid"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A film a person may have meant, offered when nothing matched their query."""

    title: str
    year: int | None
    imdb_id: str | None

    def label(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "year": self.year, "imdb_id": self.imdb_id}


class NotFound(MovieAggError):
    """No film matches the query; ``suggestions`` are the nearest films, best first."""

    code = "not_found"
    exit_code = 1
    http_status = 404
    batch_status = "not_found"

    def __init__(self, message: str, suggestions: Sequence[Suggestion] = ()) -> None:
        self.message = message
        self.suggestions = tuple(suggestions)
        text = message
        if self.suggestions:
            text += " — did you mean: " + ", ".join(s.label() for s in self.suggestions) + "?"
        super().__init__(text)

    def details(self) -> dict[str, Any]:
        return {"suggestions": [s.to_dict() for s in self.suggestions]}


class ConfigurationError(MovieAggError):
    """No usable source: keys missing or rejected, unknown source names, bad settings."""

    code = "configuration"
    exit_code = 3
    http_status = 503
    retry_after = 60

    def __init__(self, message: str, errors: list[SourceErrorInfo] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []

    def public_message(self) -> str:
        # The details name settings of the server: they are logged, not shown.
        return "the service is not configured to answer this request right now"


class AllSourcesFailed(MovieAggError):
    """Every selected source failed for reasons other than configuration."""

    code = "upstream_unavailable"
    exit_code = 4
    http_status = 503
    retry_after = 30

    def __init__(self, message: str, errors: list[SourceErrorInfo] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []

    def public_message(self) -> str:
        kinds = ", ".join(f"{e.source}: {e.kind}" for e in self.errors)
        return "every rating source failed" + (f" ({kinds})" if kinds else "") + "; try again later"


class BackendUnavailable(MovieAggError):
    """The database or the cache cannot be used: unreachable, or its schema needs attention."""

    code = "backend_unavailable"
    exit_code = 8
    http_status = 503
    retry_after = 30


class StoreError(BackendUnavailable):
    """The history database cannot be used."""

    code = "store_unavailable"


class CacheError(BackendUnavailable):
    """The cache backend cannot be used."""

    code = "cache_unavailable"


class RecordRejected(MovieAggError):
    """The store refused lookup records because of their data, not its state.

    A record with no valid id or time, or a value the database refuses, can never be written
    as it is: the outbox sets it aside (``rejected-*.jsonl``) instead of retrying it forever.
    ``reason`` is a class (``malformed``, ``out_of_range``, ``invalid_value``, …), never the
    database's message, which may quote the values.
    """

    code = "record_rejected"

    def __init__(self, reason: str) -> None:
        super().__init__(f"the store refused a lookup record ({reason})")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SourceErrorInfo:
    """A failure of one source, as shown to users (`errors` in the JSON output)."""

    source: str
    message: str
    kind: str = "error"

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "message": self.message}


class SourceFailure(MovieAggError):
    """Raised by an adapter when its upstream fails; the aggregator turns it into an entry.

    ``kind`` is one of: ``auth`` (key missing/rejected), ``quota`` (limit reached),
    ``timeout``, ``unavailable`` (connection errors, 5xx), ``malformed`` (unexpected body),
    ``http`` (any other status).
    """

    def __init__(self, source: str, message: str, kind: str = "unavailable") -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message
        self.kind = kind

    def info(self) -> SourceErrorInfo:
        return SourceErrorInfo(self.source, self.message, self.kind)


def failure_for(failures: Iterable[SourceFailure], what: str) -> MovieAggError:
    """The error for a lookup every asked source failed: configuration problems (every failure
    an auth failure) are exit 3, the rest exit 4."""
    failures = list(failures)
    infos = [f.info() for f in failures]
    detail = "; ".join(f"{f.source}: {f.message}" for f in failures)
    if failures and all(f.kind == "auth" for f in failures):
        return ConfigurationError(f"{what}: {detail}", infos)
    return AllSourcesFailed(f"{what}: {detail}", infos)
