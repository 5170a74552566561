"""Cache keys and payloads: namespaced, versioned, bounded, and never holding a secret.

Titles are hashed so keys stay short and safe for any backend; the schema version lets a new
release ignore entries an older one wrote in another shape.
"""

from __future__ import annotations

import json
from typing import Any

try:  # CPython's built-in SHA-256 (the same digests): hashlib would load OpenSSL's libcrypto
    from _sha256 import sha256  # type: ignore[import-not-found,unused-ignore]  # 3.11
except ImportError:  # pragma: no cover - other versions and interpreters
    try:
        from _sha2 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]  # 3.12+
    except ImportError:
        from hashlib import sha256  # type: ignore[assignment,unused-ignore]

from movieagg.core.models import Movie
from movieagg.core.text import normalize_title

NAMESPACE = "movieagg"
SCHEMA_VERSION = "v1"
# Every key this release writes starts so; `cache clear` and `cache stats` touch these only (not
# another app's `movieagg:sessions:…`, nor an older release's `movieagg:v0:…` during an upgrade).
KEY_PREFIX = f"{NAMESPACE}:{SCHEMA_VERSION}:"


def _key(*parts: str) -> str:
    return ":".join((NAMESPACE, SCHEMA_VERSION, *parts))


def digest(text: str, size: int = 40) -> str:
    """The first ``size`` hex digits of ``text``'s SHA-256 (keys outside this module: tvhint)."""
    return str(sha256(text.encode()).hexdigest()[:size])


def identity_key(title: str, year: int | None) -> str:
    digest = sha256(normalize_title(title).encode()).hexdigest()[:24]
    return _key("id", str(year) if year is not None else "-", digest)


def imdb_identity_key(imdb_id: str) -> str:
    return _key("imdb", imdb_id)


TITLE_SHARDS = 16  # the index of titles already resolved ("did you mean"), in a few small entries


def titles_key(title: str) -> str:
    """The shard of the known-titles index a title belongs to."""
    shard = sha256(normalize_title(title).encode()).digest()[0] % TITLE_SHARDS
    return _key("titles", str(shard))


def all_titles_keys() -> list[str]:
    return [_key("titles", str(i)) for i in range(TITLE_SHARDS)]


def tmdb_identity_key(tmdb_id: int) -> str:
    return _key("tmdb", str(int(tmdb_id)))


def movie_ref(movie: Movie) -> str | None:
    """The id that names a film in rating keys: IMDb id, else TMDB id."""
    if movie.imdb_id:
        return movie.imdb_id
    if movie.tmdb_id is not None:
        return f"tmdb{movie.tmdb_id}"
    return None


def ratings_key(source: str, ref: str) -> str:
    return _key("ratings", source, ref)


def lock_key(*parts: object) -> str:
    """The single-flight lease for one lookup (query and sources), hashed like identity keys."""
    raw = "\x1f".join(normalize_title(p) if isinstance(p, str) else repr(p) for p in parts)
    return _key("lock", sha256(raw.encode()).hexdigest()[:24])


def encode(data: Any) -> bytes:
    """Compact JSON; a NaN or an infinity is a ValueError, never an entry JSON readers reject."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def decode(raw: bytes | None) -> Any:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def watch_key(kind: str, tmdb_id: int, region: str) -> str:
    """Where to watch one film (``kind``: movie or tv) in one country."""
    return _key("watch", kind, str(int(tmdb_id)), region)
