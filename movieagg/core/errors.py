"""One exception tree for movieagg; foreign errors are mapped where they enter.

Every error carries the CLI exit code it maps to, so the CLI translates errors in one place.
Messages never contain secrets: adapters build them from status codes, not from URLs.
"""

from __future__ import annotations

from dataclasses import dataclass


class MovieAggError(Exception):
    """Base of every error movieagg raises on purpose."""

    exit_code = 1
    code = "error"


class InvalidQuery(MovieAggError, ValueError):
    """The caller asked something malformed (empty title, impossible year, bad id)."""

    exit_code = 2
    code = "invalid_input"


class NotFound(MovieAggError):
    """No film matches the query."""

    exit_code = 1
    code = "not_found"


class ConfigurationError(MovieAggError):
    """No usable source: keys missing or rejected, unknown source names, bad settings."""

    exit_code = 3
    code = "configuration"


class AllSourcesFailed(MovieAggError):
    """Every selected source failed for reasons other than configuration."""

    exit_code = 4
    code = "upstream_unavailable"

    def __init__(self, message: str, errors: list[SourceErrorInfo] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


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
