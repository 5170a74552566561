"""Secrets from AWS Systems Manager Parameter Store, mapped onto settings names.

Parameters live under a prefix such as ``/movieagg/prod/``; each one's last path segment is
the environment name it fills (``/movieagg/prod/TMDB_API_KEY`` → ``TMDB_API_KEY``). They are
read once per cold start with ``GetParametersByPath`` (``WithDecryption=True``, so
SecureStrings arrive decrypted) and kept for ``MOVIEAGG_SSM_TTL`` seconds (default 300).

Why a small boto3 facade and not Powertools' parameters utility: Powertools would add its own
import (~40–60 ms on a cold start, measured with ``python -X importtime``) on top of boto3,
which we need anyway, and we use one paginated API call. boto3 itself is imported only when
``MOVIEAGG_SSM_PREFIX`` is set.

Values never appear in a message, a log line or an exception; names do.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from movieagg.core.config import Settings
from movieagg.core.errors import ConfigurationError

log = logging.getLogger("movieagg.aws.params")

DEFAULT_TTL = 300.0
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PREFIX_RE = re.compile(r"^/[A-Za-z0-9_.\-/]+/$")


def normalise_prefix(prefix: str) -> str:
    """``movieagg/prod`` → ``/movieagg/prod/``; anything else that is not a path is an error."""
    cleaned = "/" + prefix.strip().strip("/") + "/"
    if not _PREFIX_RE.match(cleaned) or "//" in cleaned:
        raise ConfigurationError("MOVIEAGG_SSM_PREFIX is not a parameter path like /movieagg/prod/")
    return cleaned


def _client(region: str | None) -> Any:
    import boto3  # only here: no boto3 import unless Parameter Store is used
    from botocore.config import Config

    config = Config(connect_timeout=3, read_timeout=5, retries={"max_attempts": 3, "mode": "standard"})
    return boto3.client("ssm", region_name=region, config=config)


def fetch(prefix: str, client: Any) -> dict[str, str]:
    """Every parameter directly under ``prefix``, decrypted, keyed by its last path segment."""
    from botocore.exceptions import BotoCoreError, ClientError

    found: dict[str, str] = {}
    try:
        paginator = client.get_paginator("get_parameters_by_path")
        for page in paginator.paginate(Path=prefix, Recursive=False, WithDecryption=True, MaxResults=10):
            for param in page.get("Parameters", []):
                name = str(param.get("Name", ""))[len(prefix) :]
                if _NAME_RE.match(name):
                    found[name] = str(param.get("Value", ""))
                else:
                    log.warning("ignoring SSM parameter %s%s: not a settings name", prefix, name[:64])
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "ClientError")
        raise ConfigurationError(f"cannot read SSM parameters under {prefix} ({code})") from None
    except BotoCoreError as exc:
        raise ConfigurationError(
            f"cannot read SSM parameters under {prefix} ({type(exc).__name__})"
        ) from None
    return found


class ParameterStore:
    """Parameters under one prefix, fetched on first use and again after ``ttl`` seconds.

    A refresh that fails keeps serving the values already known (and logs a warning); only the
    first fetch, when nothing is known yet, raises.
    """

    def __init__(
        self,
        prefix: str,
        *,
        required: tuple[str, ...] = (),
        ttl: float = DEFAULT_TTL,
        region: str | None = None,
        client_factory: Callable[[], Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.prefix = normalise_prefix(prefix)
        self.required = required
        self.ttl = ttl
        self._factory = client_factory or (lambda: _client(region))
        self._client: Any = None
        self._clock = clock
        self._values: dict[str, str] | None = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()
        self.fetches = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> ParameterStore | None:
        """The store MOVIEAGG_SSM_PREFIX names (None without one): required names, TTL, region."""
        prefix = settings.ssm_prefix
        if prefix is None:
            return None
        required = settings.ssm_required
        bad = [n for n in required if not _NAME_RE.match(n)]
        if bad:
            raise ConfigurationError(
                f"MOVIEAGG_SSM_REQUIRED holds names that are not settings names: {', '.join(bad)}"
            )
        ttl = settings.ssm_ttl(DEFAULT_TTL)
        return cls(prefix, required=required, ttl=ttl, region=settings.aws_region)

    @property
    def expired(self) -> bool:
        return self._values is None or self._clock() - self._fetched_at >= self.ttl

    def get_all(self) -> dict[str, str]:
        """The current parameters (name → value); fetches when none are known or the TTL ran out."""
        with self._lock:
            if not self.expired and self._values is not None:
                return dict(self._values)
            try:
                values = self._fetch()
            except ConfigurationError:
                if self._values is None:
                    raise
                log.warning(
                    "could not refresh SSM parameters under %s; keeping the known values", self.prefix
                )
                self._fetched_at = self._clock()  # retry after another TTL, not on every request
                return dict(self._values)
            self._values, self._fetched_at = values, self._clock()
            return dict(values)

    def _fetch(self) -> dict[str, str]:
        if self._client is None:
            try:
                self._client = self._factory()
            except ConfigurationError:
                raise
            except Exception as exc:
                raise ConfigurationError(f"cannot create an SSM client ({type(exc).__name__})") from None
        values = fetch(self.prefix, self._client)
        self.fetches += 1
        missing = [n for n in self.required if not values.get(n)]
        if missing:
            names = ", ".join(self.prefix + n for n in missing)
            raise ConfigurationError(f"missing SSM parameter{'s' if len(missing) > 1 else ''}: {names}")
        if not values:
            raise ConfigurationError(f"no SSM parameters found under {self.prefix}")
        return values


def open_parameter_store(settings: Settings) -> ParameterStore | None:
    """The Lambda service's parameter opener (:class:`movieagg.web.service.ParameterSource`)."""
    return ParameterStore.from_settings(settings)


__all__ = ["DEFAULT_TTL", "ParameterStore", "fetch", "normalise_prefix", "open_parameter_store"]
