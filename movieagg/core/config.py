"""Settings from an environment mapping plus an optional TOML config file (env wins).

The config file is ``config.toml`` in MOVIEAGG_HOME if set, else in the platform's config
dir; it holds the same names as the environment (``OMDB_API_KEY = "…"``). Secrets are wrapped
in :class:`Secret` so that printing settings, logging them or putting them in an exception
can never show a key.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from movieagg.core.errors import ConfigurationError

APP_NAME = "movieagg"
DEFAULT_TIMEOUT = 10.0
DEFAULT_IDENTITY_TTL = 30 * 24 * 3600.0
DEFAULT_RATINGS_TTL = 12 * 3600.0
SECRET_NAMES = frozenset(
    {"TMDB_API_KEY", "TMDB_ACCESS_TOKEN", "OMDB_API_KEY", "TRAKT_CLIENT_ID", "MOVIEAGG_REDIS_TOKEN"}
)


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


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number of seconds, not {raw[:30]!r}") from None
    if value <= 0:
        raise ConfigurationError(f"{name} must be greater than 0")
    return value


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
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read config file {path}: {exc}") from None
    return {str(k).upper(): str(v) for k, v in data.items() if not isinstance(v, dict | list)}


@dataclass(frozen=True)
class Settings:
    """Everything the factory needs; build with :meth:`from_env`."""

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
        return cls(
            env=merged,
            home=Path(home).expanduser() if home else None,
            cache_url=merged.get("MOVIEAGG_CACHE", "disk").strip() or "disk",
            database_url=merged.get("MOVIEAGG_DATABASE_URL") or None,
            sources=sources or None,
            timeout=_float(merged, "MOVIEAGG_TIMEOUT", DEFAULT_TIMEOUT),
            identity_ttl=_float(merged, "MOVIEAGG_IDENTITY_TTL", DEFAULT_IDENTITY_TTL),
            ratings_ttl=_float(merged, "MOVIEAGG_RATINGS_TTL", DEFAULT_RATINGS_TTL),
            config_path=path,
        )

    def get(self, name: str) -> str | None:
        value = self.env.get(name)
        return value if value else None

    def secret(self, name: str) -> Secret | None:
        value = self.get(name)
        return Secret(value) if value else None

    def secrets(self) -> list[str]:
        """Every secret value in effect, for redaction filters (never for display)."""
        return [v for k, v in self.env.items() if (k in SECRET_NAMES or _looks_secret(k)) and v]

    def url(self, source: str, default: str) -> str:
        """``MOVIEAGG_<NAME>_URL`` overrides a source's base URL (proxies, fakes)."""
        key = f"MOVIEAGG_{source.upper().replace('-', '_')}_URL"
        return self.get(key) or default

    def dir(self, kind: str) -> Path:
        """Where config/cache/data live: MOVIEAGG_HOME for all, else the platform dirs."""
        return self.home if self.home is not None else _platform_dir(kind)


def _looks_secret(name: str) -> bool:
    upper = name.upper()
    return any(part in upper for part in ("API_KEY", "TOKEN", "PASSWORD", "SECRET", "CLIENT_ID"))
