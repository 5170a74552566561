"""The JSON Schema shipped for the rating result: real outputs of every face validate against it."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jsonschema
import pytest

import movieagg
from bench.fakeapi import FakeAPI
from movieagg.core.models import SCHEMA_VERSION
from movieagg.core.schema import rating_result_schema

OPENAPI = Path(__file__).resolve().parents[2] / "movieagg" / "web" / "openapi.json"


def strict(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with every described object closed: an undocumented field fails the test."""
    closed = copy.deepcopy(schema)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(closed)
    return closed


VALIDATOR = jsonschema.Draft202012Validator(strict(rating_result_schema()), format_checker=jsonschema.FormatChecker())


def check(document: dict[str, Any]) -> None:
    errors = sorted(VALIDATOR.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert document["schema_version"] == SCHEMA_VERSION


def test_the_schema_is_valid_and_package_data() -> None:
    jsonschema.Draft202012Validator.check_schema(rating_result_schema())
    from importlib.resources import files

    assert files("movieagg.core.schema").joinpath("rating-result.json").is_file()


def test_cli_output_validates(fake: FakeAPI) -> None:
    for args in (["Up", "--year", "2009"], ["Solaris"], ["tt0087182"], ["Venom (2018)"], ["Brand New Release"]):
        out = subprocess.run(
            [sys.executable, "-m", "movieagg", "rate", *args, "--json"],
            capture_output=True, text=True, timeout=60, env={**os.environ},
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        check(json.loads(out.stdout))


async def test_library_results_validate(fake: FakeAPI) -> None:
    check((await movieagg.arate("Dune")).to_dict())
    check((await movieagg.arate("Crash", 2004, weights="critics=0.5")).to_dict())


async def test_api_answers_validate_and_the_api_serves_the_schema(fake: FakeAPI, tmp_path: Path) -> None:
    from movieagg.core.schema import rating_result_bytes
    from movieagg.web.http import Request, parse_query_string
    from movieagg.web.service import Service

    service = Service({**fake.env, "MOVIEAGG_HOME": str(tmp_path / "api")})
    try:
        response = await service.handle(Request("GET", "/api/rate", parse_query_string(urlencode({"title": "Heat (1995)"}))))
        assert response.status == 200
        check(json.loads(response.body))
        served = await service.handle(Request("GET", "/api/schema/rating-result.json"))
        assert served.status == 200 and served.body == rating_result_bytes()
        assert served.headers["Content-Type"].startswith("application/schema+json")
    finally:
        await service.aclose()


def test_the_openapi_document_links_the_schema_and_names_the_same_fields() -> None:
    spec = json.loads(OPENAPI.read_text())
    result = spec["components"]["schemas"]["RatingResult"]
    assert result["externalDocs"]["url"] == "/api/schema/rating-result.json"
    assert set(result["properties"]) == set(rating_result_schema()["properties"])
    assert set(result["required"]) == set(rating_result_schema()["required"])
    rating = spec["components"]["schemas"]["Rating"]
    assert set(rating["properties"]) == set(rating_result_schema()["$defs"]["rating"]["properties"])
    assert "/api/schema/rating-result.json" in spec["paths"]


@pytest.mark.parametrize("field", ["match", "agreement", "critics", "audience", "score_version", "schema_version"])
def test_a_document_without_a_new_field_fails(field: str) -> None:
    from movieagg.core.models import Movie, Query, RatingResult

    document = RatingResult(Query("Up", 2009), Movie("Up", 2009, "tt1049413"), (), None).to_dict()
    check(document)
    del document[field]
    assert list(VALIDATOR.iter_errors(document))
