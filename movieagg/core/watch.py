"""Where to watch a film: JustWatch's availability as TMDB serves it, in one shape for every face.

Pure (no I/O): the answer's shape (:class:`WatchOptions`), country codes (``--region``,
``MOVIEAGG_REGION``, the locale's country) and reading TMDB's ``watch/providers`` body, whose
values are untrusted and checked here. TMDB's terms require the data be credited to JustWatch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from movieagg.core import bounds
from movieagg.core.errors import InvalidQuery

ATTRIBUTION = "JustWatch"
LOGO_BASE = "https://image.tmdb.org/t/p/w92"
KINDS = ("flatrate", "rent", "buy", "free", "ads")  # TMDB's monetisation types, in this order
DEFAULT_REGION = "US"
MAX_PROVIDERS = 60  # per kind; a real answer lists at most a few dozen
_REGION = re.compile(r"^[A-Z]{2}$")
_LINK = re.compile(r"^https://www\.themoviedb\.org/(movie|tv)/[0-9][^\s\"'<>]*$")
_LOGO = re.compile(r"^/[A-Za-z0-9_.-]{1,120}$")


@dataclass(frozen=True, slots=True)
class Provider:
    """A streaming service, shop or free channel: its name, logo (TMDB's image CDN) and TMDB id."""

    name: str
    id: int
    logo: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "logo": self.logo, "id": self.id}

    @classmethod
    def from_dict(cls, raw: object) -> Provider:
        if not isinstance(raw, dict):
            raise bounds.Invalid(f"provider {bounds.show(raw)} is not an object")
        logo = raw.get("logo")
        if logo is not None and not (isinstance(logo, str) and logo.startswith(LOGO_BASE + "/")):
            raise bounds.Invalid(f"provider logo {bounds.show(logo)} is not a TMDB image")
        return cls(
            name=bounds.text(raw.get("name"), "provider name", required=True) or "",
            id=bounds.ident(raw.get("id"), "provider id", required=True) or 0,
            logo=logo,
        )


@dataclass(frozen=True, slots=True)
class WatchOptions:
    """Where a film can be watched in one country, by kind: ``flatrate`` (subscription),
    ``rent``, ``buy``, ``free`` and ``ads`` (free with ads), each best first; ``link`` is
    TMDB's page of the offers (it links on to JustWatch)."""

    region: str
    link: str | None = None
    flatrate: tuple[Provider, ...] = ()
    rent: tuple[Provider, ...] = ()
    buy: tuple[Provider, ...] = ()
    free: tuple[Provider, ...] = ()
    ads: tuple[Provider, ...] = ()
    attribution: str = ATTRIBUTION

    @property
    def empty(self) -> bool:
        return not any(getattr(self, kind) for kind in KINDS)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"region": self.region, "link": self.link}
        for kind in KINDS:
            data[kind] = [p.to_dict() for p in getattr(self, kind)]
        data["attribution"] = self.attribution
        return data

    @classmethod
    def from_dict(cls, raw: object) -> WatchOptions:
        """Inverse of :meth:`to_dict` (cache entries, API clients); raises bounds.Invalid."""
        if not isinstance(raw, dict):
            raise bounds.Invalid(f"watch {bounds.show(raw)} is not an object")
        link = raw.get("link")
        if link is not None and not (isinstance(link, str) and _LINK.match(link)):
            raise bounds.Invalid(f"watch link {bounds.show(link)} is not a TMDB page")
        lists: dict[str, tuple[Provider, ...]] = {}
        for kind in KINDS:
            items = raw.get(kind) or []
            if not isinstance(items, list) or len(items) > MAX_PROVIDERS:
                raise bounds.Invalid(f"watch {kind} is not a short list")
            lists[kind] = tuple(Provider.from_dict(item) for item in items)
        try:
            region = parse_region(raw.get("region"))
        except InvalidQuery as exc:
            raise bounds.Invalid(str(exc)) from None
        return cls(region, link, lists["flatrate"], lists["rent"], lists["buy"], lists["free"], lists["ads"])

    def summary(self) -> str:
        """One line for a terminal: ``stream on Netflix · rent/buy on Apple TV`` (untrusted
        names: pass it through ``printable`` before printing)."""
        parts: list[str] = []
        if self.flatrate:
            parts.append("stream on " + _names(self.flatrate))
        free = self.free + tuple(p for p in self.ads if p not in self.free)
        if free:
            parts.append("free on " + _names(free))
        shops = self.rent + tuple(p for p in self.buy if p.id not in {r.id for r in self.rent})
        if shops:
            verb = "rent/buy" if self.rent and self.buy else "rent" if self.rent else "buy"
            parts.append(f"{verb} on " + _names(shops))
        return " · ".join(parts) if parts else "not offered anywhere JustWatch knows"


def _names(providers: tuple[Provider, ...], most: int = 4) -> str:
    names = [p.name for p in providers[:most]]
    more = len(providers) - most
    return ", ".join(names) + (f" +{more} more" if more > 0 else "")


def parse_region(raw: object) -> str:
    """An ISO 3166-1 alpha-2 country code (``gb`` → ``GB``); anything else is InvalidQuery."""
    text = raw.strip().upper() if isinstance(raw, str) else ""
    if not _REGION.match(text):
        shown = bounds.show(raw) if raw is not None else "nothing"
        raise InvalidQuery(f"region must be a two-letter country code like GB or US, not {shown}")
    return text


def region_of_locale(locale: str | None) -> str | None:
    """The country of a POSIX locale name (``en_GB.UTF-8`` → ``GB``); None for ``C``/``POSIX``."""
    if not locale:
        return None
    stem = locale.split(".", 1)[0].split("@", 1)[0]
    _, sep, country = stem.partition("_")
    country = country.upper()
    return country if sep and _REGION.match(country) else None


def read_providers(body: object, region: str) -> WatchOptions | None:
    """TMDB's ``watch/providers`` answer for one country, or None when it has none there.

    ``body`` is ``{"id", "results": {"GB": {"link", "flatrate": [{"provider_id",
    "provider_name", "logo_path", "display_priority"}], "rent": …}}}``. A provider without a
    usable id or name is left out (noted); a body not of this shape is bounds.Invalid.
    """
    if not isinstance(body, dict) or not isinstance(body.get("results"), dict):
        raise bounds.Invalid("watch providers answer has no results object")
    offers = body["results"].get(region)
    if offers is None:
        return None
    if not isinstance(offers, dict):
        raise bounds.Invalid(f"watch providers for {region} are not an object")
    link = offers.get("link")
    if not (isinstance(link, str) and _LINK.match(link) and len(link) <= bounds.MAX_URL):
        if link is not None:
            bounds.note(f"watch link {bounds.show(link)} dropped: not a TMDB page")
        link = None
    lists = {kind: _providers(offers.get(kind), kind) for kind in KINDS}
    options = WatchOptions(
        region, link, lists["flatrate"], lists["rent"], lists["buy"], lists["free"], lists["ads"]
    )
    return None if options.empty else options


def _providers(raw: object, kind: str) -> tuple[Provider, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        bounds.note(f"watch {kind} {bounds.show(raw)} dropped: not a list")
        return ()
    ranked: list[tuple[float, int, Provider]] = []
    seen: set[int] = set()
    for index, item in enumerate(raw[: MAX_PROVIDERS * 2]):
        with bounds.dropping(f"{kind} provider dropped"):
            if not isinstance(item, dict):
                raise bounds.Invalid(f"provider {bounds.show(item)} is not an object")
            ident = bounds.ident(item.get("provider_id"), "provider_id", required=True) or 0
            name = bounds.text(item.get("provider_name"), "provider_name", required=True, limit=100) or ""
            priority = bounds.lenient(
                bounds.number, item.get("display_priority"), "display_priority", lo=0, hi=1e6
            )
            if ident in seen:
                continue
            seen.add(ident)
            path = item.get("logo_path")
            logo = f"{LOGO_BASE}{path}" if isinstance(path, str) and _LOGO.match(path) else None
            ranked.append((priority if priority is not None else 1e6, index, Provider(name, ident, logo)))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return tuple(p for _, _, p in ranked[:MAX_PROVIDERS])


__all__ = [
    "ATTRIBUTION",
    "DEFAULT_REGION",
    "KINDS",
    "LOGO_BASE",
    "Provider",
    "WatchOptions",
    "parse_region",
    "read_providers",
    "region_of_locale",
]
