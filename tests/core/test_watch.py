"""Where to watch: TMDB's watch/providers body read per country, regions, the JSON shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from movieagg.core import bounds
from movieagg.core.errors import InvalidQuery
from movieagg.core.watch import (
    LOGO_BASE,
    WatchOptions,
    parse_region,
    read_providers,
    region_of_locale,
)

FIXTURE = Path(__file__).parents[1] / "corpus" / "upstream" / "tmdb" / "movie-10195-watch-providers.json"


def recorded() -> dict[str, object]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_reads_a_recorded_answer_for_one_country() -> None:
    gb = read_providers(recorded(), "GB")
    assert gb is not None
    assert gb.region == "GB"
    assert gb.link == "https://www.themoviedb.org/movie/10195-thor/watch?locale=GB"
    assert [p.name for p in gb.flatrate] == ["Disney Plus"]
    assert gb.flatrate[0].logo == f"{LOGO_BASE}/7rwgEs15tFwyR9NPQ5vpzxTj19Q.jpg"
    assert gb.flatrate[0].id == 337
    assert [p.name for p in gb.rent] == ["Apple TV", "Sky Store", "Rakuten TV"]
    assert [p.name for p in gb.buy][:3] == ["Amazon Video", "Apple TV", "Google Play Movies"]
    assert gb.free == () and gb.ads == ()
    assert gb.attribution == "JustWatch"


def test_other_countries_differ_and_a_missing_one_is_none() -> None:
    body = recorded()
    ghana = read_providers(body, "GH")
    assert ghana is not None and ghana.flatrate == () and [p.name for p in ghana.rent] == ["Apple TV"]
    assert read_providers(body, "US") is None  # not in the trimmed recording: no data there


def test_providers_are_sorted_by_display_priority_and_deduplicated() -> None:
    body = {
        "id": 1,
        "results": {
            "GB": {
                "link": "https://www.themoviedb.org/movie/1/watch?locale=GB",
                "flatrate": [
                    {
                        "provider_id": 9,
                        "provider_name": "Prime Video",
                        "logo_path": "/p.jpg",
                        "display_priority": 3,
                    },
                    {
                        "provider_id": 8,
                        "provider_name": "Netflix",
                        "logo_path": "/n.jpg",
                        "display_priority": 1,
                    },
                    {
                        "provider_id": 8,
                        "provider_name": "Netflix",
                        "logo_path": "/n.jpg",
                        "display_priority": 1,
                    },
                ],
                "ads": [{"provider_id": 73, "provider_name": "Tubi", "display_priority": 20}],
            }
        },
    }
    gb = read_providers(body, "GB")
    assert gb is not None
    assert [p.name for p in gb.flatrate] == ["Netflix", "Prime Video"]
    assert gb.ads[0].logo is None  # no logo_path: the faces show the name


def test_untrusted_values_are_dropped_and_noted() -> None:
    body = {
        "id": 1,
        "results": {
            "GB": {
                "link": "javascript:alert(1)",
                "flatrate": [
                    {"provider_id": "x", "provider_name": "Bad"},
                    {"provider_id": 8, "provider_name": None},
                    {"provider_id": 2, "provider_name": "Apple TV", "logo_path": "https://evil/x.png"},
                ],
                "rent": "nope",
            }
        },
    }
    with bounds.noting() as notes:
        gb = read_providers(body, "GB")
    assert gb is not None and gb.link is None
    assert [(p.name, p.logo) for p in gb.flatrate] == [("Apple TV", None)]
    assert gb.rent == ()
    assert any("watch link" in n for n in notes) and any("provider dropped" in n for n in notes)


def test_a_body_of_another_shape_is_invalid_and_empty_offers_are_none() -> None:
    with pytest.raises(bounds.Invalid):
        read_providers({"id": 1}, "GB")
    assert read_providers({"id": 1, "results": {"GB": {"link": None}}}, "GB") is None


def test_json_shape_round_trips() -> None:
    gb = read_providers(recorded(), "GB")
    assert gb is not None
    data = gb.to_dict()
    assert list(data) == ["region", "link", "flatrate", "rent", "buy", "free", "ads", "attribution"]
    assert data["flatrate"] == [
        {"name": "Disney Plus", "logo": f"{LOGO_BASE}/7rwgEs15tFwyR9NPQ5vpzxTj19Q.jpg", "id": 337}
    ]
    assert WatchOptions.from_dict(json.loads(json.dumps(data))) == gb


def test_from_dict_refuses_foreign_logos_and_links() -> None:
    with pytest.raises(bounds.Invalid):
        WatchOptions.from_dict({"region": "GB", "link": "https://evil.example/", "flatrate": []})
    with pytest.raises(bounds.Invalid):
        WatchOptions.from_dict(
            {"region": "GB", "flatrate": [{"name": "x", "id": 1, "logo": "https://evil.example/x.png"}]}
        )


def test_summary_reads_like_a_sentence() -> None:
    gb = read_providers(recorded(), "GB")
    assert gb is not None
    assert gb.summary() == (
        "stream on Disney Plus · rent/buy on Apple TV, Sky Store, Rakuten TV, Amazon Video +4 more"
    )


@pytest.mark.parametrize(("raw", "code"), [("gb", "GB"), (" US ", "US"), ("de", "DE")])
def test_regions(raw: str, code: str) -> None:
    assert parse_region(raw) == code


@pytest.mark.parametrize("raw", ["", "G", "GBR", "1A", "Ü1", "en_GB", None])
def test_bad_regions_are_a_clear_error(raw: object) -> None:
    with pytest.raises(InvalidQuery, match="two-letter country code"):
        parse_region(raw)


@pytest.mark.parametrize(
    ("locale", "code"),
    [
        ("en_GB.UTF-8", "GB"),
        ("de_DE", "DE"),
        ("fr_CA.utf8@euro", "CA"),
        ("C", None),
        ("POSIX", None),
        ("C.UTF-8", None),
        ("", None),
        (None, None),
        ("en", None),
    ],
)
def test_region_of_locale(locale: str | None, code: str | None) -> None:
    assert region_of_locale(locale) == code
