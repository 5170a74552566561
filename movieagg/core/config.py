"""Settings: the only reader of the environment and the config file (the environment wins).

The config file is ``config.toml`` in MOVIEAGG_HOME if set, else in the platform's config
dir; it holds the same names as the environment (``OMDB_API_KEY = "…"``). Every setting has a
typed accessor here, parsed one way: seconds by :meth:`Settings.seconds`, booleans by
:meth:`Settings.flag`, counts by :meth:`Settings.count`. A bad value is a
:class:`ConfigurationError` that names the variable. Secrets are wrapped in :class:`Secret`
so that printing settings, logging them or putting them in an exception never shows a key.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from movieagg.core.errors import ConfigurationError, InvalidQuery

if TYPE_CHECKING:
    from movieagg.core.pins import Pin
    from movieagg.core.weights import Weights

APP_NAME = "movieagg"
DEFAULT_TIMEOUT = 10.0
DEFAULT_LOOKUP_DEADLINE = 12.0  # well under API Gateway's 29 s and nginx's 35 s
DEFAULT_MAX_RESPONSE_MB = 8
DEFAULT_IDENTITY_TTL = 30 * 24 * 3600.0
DEFAULT_RATINGS_TTL = 12 * 3600.0
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_SECRET_PARTS = ("API_KEY", "TOKEN", "PASSWORD", "SECRET", "CLIENT_ID")
# Settings `movieagg deploy` generates and keeps in Parameter Store (it writes them by name).
DATABASE_PASSWORD = "MOVIEAGG_DATABASE_PASSWORD"  # noqa: S105 - a name, not a value
REDIS_TOKEN = "MOVIEAGG_REDIS_TOKEN"  # noqa: S105 - a name, not a value


class Secret:
    """A value that never shows itself in repr/str/format; call reveal() where it is sent."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


def env_name(source: str, what: str) -> str:
    """``MOVIEAGG_<SOURCE>_<WHAT>``: the per-source setting names (``imdb-datasets`` → IMDB_DATASETS)."""
    return f"MOVIEAGG_{source.upper().replace('-', '_')}_{what}"


def _platform_dir(kind: str) -> Path:
    import platformdirs  # small, and only needed when MOVIEAGG_HOME is not set

    getter = {
        "config": platformdirs.user_config_dir,
        "cache": platformdirs.user_cache_dir,
        "data": platformdirs.user_data_dir,
    }[kind]
    return Path(getter(APP_NAME, appauthor=False))


def config_file_path(env: Mapping[str, str]) -> Path:
    home = env.get("MOVIEAGG_HOME")
    base = Path(home).expanduser() if home else _platform_dir("config")
    return base / "config.toml"


def read_config_file(path: Path) -> dict[str, str]:
    """Read the flat TOML config; a broken file is a configuration error with its path."""
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return {}  # the usual case: no config file, and no TOML parser to import
    except OSError as exc:
        raise ConfigurationError(f"cannot read config file {path}: {exc}") from None
    import tomllib

    try:
        with fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read config file {path}: {exc}") from None
    return {str(k).upper(): str(v) for k, v in data.items() if not isinstance(v, dict | list)}


@dataclass(frozen=True)
class Settings:
    """Every setting movieagg reads, typed; build with :meth:`from_env`.

    The fields are the settings every lookup needs (parsed once, up front); the other
    settings are accessors, parsed when a part that uses them asks.
    """

    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    home: Path | None = None
    cache_url: str = "disk"
    database_url: str | None = None
    sources: tuple[str, ...] | None = None
    timeout: float = DEFAULT_TIMEOUT
    identity_ttl: float = DEFAULT_IDENTITY_TTL
    ratings_ttl: float = DEFAULT_RATINGS_TTL
    config_path: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, read_file: bool = True) -> Settings:
        """Settings from ``environ`` (default: the process environment) and the config file."""
        env_in = dict(os.environ if environ is None else environ)
        path = config_file_path(env_in)
        merged: dict[str, str] = {}
        if read_file:
            merged.update(read_config_file(path))
        merged.update({k: v for k, v in env_in.items() if v != ""})
        home = merged.get("MOVIEAGG_HOME")
        sources_raw = merged.get("MOVIEAGG_SOURCES")
        sources = (
            tuple(s.strip().lower() for s in sources_raw.split(",") if s.strip()) if sources_raw else None
        )
        probe = cls(env=merged)
        return cls(
            env=merged,
            home=Path(home).expanduser() if home else None,
            cache_url=merged.get("MOVIEAGG_CACHE", "disk").strip() or "disk",
            database_url=merged.get("MOVIEAGG_DATABASE_URL") or None,
            sources=sources or None,
            timeout=probe.seconds("MOVIEAGG_TIMEOUT", DEFAULT_TIMEOUT, positive=True),
            identity_ttl=probe.seconds("MOVIEAGG_IDENTITY_TTL", DEFAULT_IDENTITY_TTL, positive=True),
            ratings_ttl=probe.seconds("MOVIEAGG_RATINGS_TTL", DEFAULT_RATINGS_TTL, positive=True),
            config_path=path,
        )

    def with_env(self, **changes: str) -> Settings:
        """These settings with some names set (``None``-free strings), re-parsed."""
        return Settings.from_env({**self.env, **changes}, read_file=False)

    def with_home(self, home: Path | str) -> Settings:
        """These settings with MOVIEAGG_HOME set (a Lambda function may only write under /tmp)."""
        return self.with_env(MOVIEAGG_HOME=str(home))

    # ------------------------------------------------------------------ parsers (one each)

    def get(self, name: str) -> str | None:
        """The raw text of a setting, or None when unset or empty."""
        value = self.env.get(name)
        return value if value else None

    def secret(self, name: str) -> Secret | None:
        value = self.get(name)
        return Secret(value) if value else None

    def seconds(self, name: str, default: float, *, positive: bool = False) -> float:
        """A number of seconds (``0`` allowed unless ``positive``); ``default`` when unset."""
        raw = self.get(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ConfigurationError(f"{name} must be a number of seconds, not {raw[:30]!r}") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise ConfigurationError(f"{name} must be a finite number of seconds")
        if positive and value <= 0:
            raise ConfigurationError(f"{name} must be greater than 0")
        if value < 0:
            raise ConfigurationError(f"{name} must not be negative")
        return value

    def flag(self, name: str, default: bool) -> bool:
        """A yes/no setting: 1/true/yes/on or 0/false/no/off (any case)."""
        raw = self.get(name)
        if raw is None:
            return default
        text = raw.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ConfigurationError(f"{name} must be 1 or 0 (true/false, yes/no, on/off), not {raw[:20]!r}")

    def count(
        self, name: str, default: int | None, *, minimum: int = 0, what: str = "a whole number"
    ) -> int | None:
        """A whole number ≥ ``minimum`` (ASCII digits only); ``default`` when unset."""
        raw = self.get(name)
        if raw is None:
            return default
        text = raw.strip()
        if not (text.isascii() and text.isdecimal()) or len(text) > 12 or int(text) < minimum:
            raise ConfigurationError(f"{name} must be {what}, not {raw[:20]!r}")
        return int(text)

    def names(self, name: str) -> tuple[str, ...]:
        """A comma-separated list, trimmed, empty items dropped."""
        raw = self.get(name) or ""
        return tuple(item.strip() for item in raw.split(",") if item.strip())

    # ------------------------------------------------------------------ places

    def dir(self, kind: str) -> Path:
        """Where config/cache/data live: MOVIEAGG_HOME for all, else the platform dirs."""
        return self.home if self.home is not None else _platform_dir(kind)

    # ------------------------------------------------------------------ sources

    def url(self, source: str, default: str) -> str:
        """``MOVIEAGG_<NAME>_URL`` overrides a source's base URL (proxies, fakes)."""
        return self.get(env_name(source, "URL")) or default

    def rate_limit(self, source: str) -> str | None:
        """``MOVIEAGG_<NAME>_RATE_LIMIT`` as written (``40/1s``, ``1000/5m``, ``off``)."""
        return self.get(env_name(source, "RATE_LIMIT"))

    def concurrency(self, source: str) -> int | None:
        """``MOVIEAGG_<NAME>_CONCURRENCY``: requests in flight to a source, at least 1."""
        name = env_name(source, "CONCURRENCY")
        return self.count(name, None, minimum=1, what="a whole number of requests above 0")

    def daily_limit(self, source: str, default: int | None) -> int | None:
        """``MOVIEAGG_<NAME>_DAILY_LIMIT``: requests a UTC day; 0 means unlimited."""
        name = env_name(source, "DAILY_LIMIT")
        return self.count(name, default, what="a whole number of requests a day (0 = unlimited)")

    def sources_with_own_limits(self) -> set[str]:
        """Source names that have a rate limit or concurrency setting of their own."""
        found: set[str] = set()
        for key in self.env:
            if key.startswith("MOVIEAGG_") and key.endswith(("_RATE_LIMIT", "_CONCURRENCY")):
                stem = key.removeprefix("MOVIEAGG_").removesuffix("_RATE_LIMIT").removesuffix("_CONCURRENCY")
                if stem and stem != "BATCH":
                    found.add(stem.lower().replace("_", "-"))
        return found

    def configured(self, keys: Iterable[str]) -> bool:
        """Whether any of these key names is set (a source needs one of its keys)."""
        return any(self.get(k) for k in keys)

    # ------------------------------------------------------------------ lookups and caches

    @property
    def lookup_deadline(self) -> float:
        """MOVIEAGG_LOOKUP_DEADLINE: seconds one lookup may take in all, every source included;
        a source still busy then is listed as timed out and the answer goes out without it."""
        return self.seconds("MOVIEAGG_LOOKUP_DEADLINE", DEFAULT_LOOKUP_DEADLINE, positive=True)

    @property
    def watch_region(self) -> str:
        """The country "where to watch" answers for: MOVIEAGG_REGION (two letters, like GB), else
        the locale's country (LC_ALL, then LANG: ``en_GB.UTF-8`` → GB), else US."""
        from movieagg.core.watch import DEFAULT_REGION, parse_region, region_of_locale

        raw = self.get("MOVIEAGG_REGION")
        if raw is not None:
            try:
                return parse_region(raw)
            except InvalidQuery as exc:
                raise ConfigurationError(f"MOVIEAGG_REGION: {exc}") from None
        for name in ("LC_ALL", "LANG"):
            if (country := region_of_locale(self.get(name))) is not None:
                return country
        return DEFAULT_REGION

    @property
    def breaker_failures(self) -> int:
        """MOVIEAGG_BREAKER_FAILURES: consecutive failures (timeouts, connection errors, 5xx)
        after which a long-lived process skips a source until its cooldown has passed."""
        value = self.count("MOVIEAGG_BREAKER_FAILURES", 3, minimum=1, what="a whole number above 0")
        assert value is not None
        return value

    @property
    def breaker_cooldown(self) -> float:
        """MOVIEAGG_BREAKER_COOLDOWN: seconds a failing source is skipped before it is tried again."""
        return self.seconds("MOVIEAGG_BREAKER_COOLDOWN", 30.0, positive=True)

    @property
    def max_response_bytes(self) -> int:
        """MOVIEAGG_MAX_RESPONSE_MB: the most an upstream answer may hold, decoded (larger: ignored)."""
        name, what = "MOVIEAGG_MAX_RESPONSE_MB", "a whole number of MB above 0"
        value = self.count(name, DEFAULT_MAX_RESPONSE_MB, minimum=1, what=what)
        assert value is not None
        return value * 1024 * 1024

    @property
    def lock_wait(self) -> float:
        """MOVIEAGG_LOCK_WAIT: seconds a lookup waits for another process fetching the same film."""
        return self.seconds("MOVIEAGG_LOCK_WAIT", 10.0)

    def memo_ttl(self, default: float) -> float:
        """MOVIEAGG_MEMO_TTL: seconds a serving process keeps decoded cache entries (0 = off)."""
        return self.seconds("MOVIEAGG_MEMO_TTL", default)

    @property
    def local_cache_entries(self) -> int:
        """MOVIEAGG_LOCAL_CACHE_ENTRIES: entries a serving process keeps in memory in front of the
        shared cache, answered from while that cache is down (0 = none)."""
        value = self.count(
            "MOVIEAGG_LOCAL_CACHE_ENTRIES", 10_000, what="a whole number of entries (0 = none)"
        )
        assert value is not None
        return value

    @property
    def redis_token(self) -> Secret | None:
        """MOVIEAGG_REDIS_TOKEN: the Redis AUTH token when the URL carries none."""
        return self.secret(REDIS_TOKEN)

    @property
    def redis_ca(self) -> str | None:
        """MOVIEAGG_REDIS_CA: a CA bundle file for rediss:// (ElastiCache with TLS)."""
        return self.get("MOVIEAGG_REDIS_CA")

    @property
    def redis_prefix(self) -> str:
        """MOVIEAGG_REDIS_PREFIX: a prefix for every key (several apps sharing one Redis)."""
        return self.env.get("MOVIEAGG_REDIS_PREFIX", "")

    @property
    def redis_timeout(self) -> str | None:
        """MOVIEAGG_REDIS_TIMEOUT as written (the cache parses it beside the URL's own)."""
        return self.get("MOVIEAGG_REDIS_TIMEOUT")

    @property
    def weights(self) -> Weights:
        """MOVIEAGG_WEIGHTS: the score's weights by rating or family (``imdb=2,critics=0.5``)."""
        from movieagg.core.weights import parse_weights

        try:
            return parse_weights(self.get("MOVIEAGG_WEIGHTS") or "")
        except InvalidQuery as exc:
            raise ConfigurationError(f"MOVIEAGG_WEIGHTS: {exc}") from None

    @property
    def pins_file(self) -> Path:
        """MOVIEAGG_PINS_FILE, else ``pins.toml`` in the config dir: the user's pins (core.pins)."""
        raw = self.get("MOVIEAGG_PINS_FILE")
        return Path(raw).expanduser() if raw else self.dir("config") / "pins.toml"

    @property
    def inline_pins(self) -> list[Pin]:
        """MOVIEAGG_PINS: pins for servers without a config dir (``Solaris=tt0069293; …``)."""
        from movieagg.core.pins import parse_inline_pins

        try:
            return parse_inline_pins(self.get("MOVIEAGG_PINS") or "")
        except InvalidQuery as exc:
            raise ConfigurationError(f"MOVIEAGG_PINS: {exc}") from None

    # ------------------------------------------------------------------ lookup records

    @property
    def database_password(self) -> Secret | None:
        """MOVIEAGG_DATABASE_PASSWORD fills in a database URL that has no password of its own."""
        return self.secret(DATABASE_PASSWORD)

    @property
    def db_auto_upgrade(self) -> bool:
        """MOVIEAGG_DB_AUTO_UPGRADE=0: never migrate on first use (`movieagg db upgrade` does)."""
        return self.flag("MOVIEAGG_DB_AUTO_UPGRADE", True)

    @property
    def flush_interval(self) -> float:
        """MOVIEAGG_FLUSH_INTERVAL: seconds between writes of a serving process's outbox when it
        sees only cache hits (fresh lookups are written at once)."""
        return self.seconds("MOVIEAGG_FLUSH_INTERVAL", 15.0, positive=True)

    @property
    def outbox_max_bytes(self) -> int:
        """MOVIEAGG_OUTBOX_MAX_MB: the outbox's bound while the store is down; past it the oldest
        cache-hit records are dropped (counted), never fresh observations."""
        raw = self.get("MOVIEAGG_OUTBOX_MAX_MB")
        if raw is None:
            return 64 * 1024 * 1024
        try:
            megabytes = float(raw)
        except ValueError:
            megabytes = float("nan")
        if not 0 < megabytes < 1_000_000:  # NaN fails too
            raise ConfigurationError(
                f"MOVIEAGG_OUTBOX_MAX_MB must be a number of megabytes above 0, not {raw[:20]!r}"
            )
        return int(megabytes * 1024 * 1024)

    @property
    def flush_inline(self) -> bool:
        """MOVIEAGG_FLUSH=inline: the CLI writes lookup records itself instead of a detached helper."""
        return (self.get("MOVIEAGG_FLUSH") or "").strip().lower() == "inline"

    # ------------------------------------------------------------------ faces

    @property
    def batch_concurrency(self) -> int:
        """MOVIEAGG_BATCH_CONCURRENCY: the default ``--concurrency`` of ``movieagg batch``."""
        value = self.count("MOVIEAGG_BATCH_CONCURRENCY", 8, minimum=1, what="a whole number above 0")
        assert value is not None
        return value

    @property
    def cors_origins(self) -> frozenset[str]:
        """MOVIEAGG_CORS_ORIGINS: browser origins allowed to call the API (``*`` = any)."""
        return frozenset(o.rstrip("/") for o in self.names("MOVIEAGG_CORS_ORIGINS"))

    @property
    def log_level(self) -> str:
        """MOVIEAGG_LOG_LEVEL for the API's JSON logs: DEBUG, INFO, WARNING or ERROR."""
        level = (self.get("MOVIEAGG_LOG_LEVEL") or "INFO").strip().upper()
        return level if level in ("DEBUG", "INFO", "WARNING", "ERROR") else "INFO"

    @property
    def frontend_dir(self) -> Path | None:
        """MOVIEAGG_FRONTEND: the built web app to serve or deploy."""
        raw = self.get("MOVIEAGG_FRONTEND")
        return Path(raw) if raw else None

    @property
    def header_timeout(self) -> float:
        """MOVIEAGG_HEADER_TIMEOUT: seconds `serve` gives a connection to send its request headers."""
        return self.seconds("MOVIEAGG_HEADER_TIMEOUT", 10.0, positive=True)

    @property
    def forwarded_allow_ips(self) -> str:
        """FORWARDED_ALLOW_IPS: proxies whose X-Forwarded-* headers `serve` trusts."""
        return self.get("FORWARDED_ALLOW_IPS") or "127.0.0.1"

    # ------------------------------------------------------------------ AWS (runtime and deploy)

    @property
    def in_lambda(self) -> bool:
        """Whether this process is an AWS Lambda function."""
        return bool(self.get("AWS_LAMBDA_FUNCTION_NAME")) and bool(
            self.env.get("AWS_EXECUTION_ENV", "AWS_Lambda")
        )

    @property
    def aws_region(self) -> str | None:
        """The AWS region as the AWS CLI finds it in the environment: AWS_REGION, then AWS_DEFAULT_REGION."""
        return self.get("AWS_REGION") or self.get("AWS_DEFAULT_REGION")

    @property
    def aws_endpoint_url(self) -> str | None:
        """AWS_ENDPOINT_URL: an emulator (moto_server) instead of AWS."""
        return self.get("AWS_ENDPOINT_URL")

    @property
    def ssm_prefix(self) -> str | None:
        """MOVIEAGG_SSM_PREFIX: the Parameter Store path the Lambda reads its settings from."""
        return (self.get("MOVIEAGG_SSM_PREFIX") or "").strip() or None

    @property
    def ssm_required(self) -> tuple[str, ...]:
        """MOVIEAGG_SSM_REQUIRED: parameter names that must exist under the prefix."""
        return self.names("MOVIEAGG_SSM_REQUIRED")

    def ssm_ttl(self, default: float) -> float:
        """MOVIEAGG_SSM_TTL: seconds before parameters are read again (rotated secrets)."""
        return self.seconds("MOVIEAGG_SSM_TTL", default, positive=True)

    @property
    def stage(self) -> str | None:
        """MOVIEAGG_STAGE: the deployment's stage name."""
        return self.get("MOVIEAGG_STAGE")

    @property
    def build_cache(self) -> Path:
        """MOVIEAGG_BUILD_CACHE: where `deploy` keeps built Lambda dependencies."""
        raw = self.get("MOVIEAGG_BUILD_CACHE")
        return Path(raw) if raw else self.dir("data") / "cache" / "lambda-build"

    @property
    def lambda_python(self) -> str | None:
        """MOVIEAGG_LAMBDA_PYTHON: the Python (the Lambda runtime's version) that builds the package."""
        return self.get("MOVIEAGG_LAMBDA_PYTHON")

    # ------------------------------------------------------------------ secrets

    def secrets(self, names: Iterable[str] = ()) -> list[str]:
        """Every secret value in effect, for redaction filters (never for display).

        A secret is a setting whose name says so (API_KEY, TOKEN, PASSWORD, SECRET, CLIENT_ID)
        or one of ``names`` (the key names the source registry declares).
        """
        wanted = set(names)
        return [v for k, v in self.env.items() if v and (k in wanted or _looks_secret(k))]


def _looks_secret(name: str) -> bool:
    upper = name.upper()
    return any(part in upper for part in _SECRET_PARTS)
