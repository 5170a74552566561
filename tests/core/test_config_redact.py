from __future__ import annotations

import logging
from pathlib import Path

import pytest

from movieagg.core.config import Secret, Settings
from movieagg.core.errors import ConfigurationError
from movieagg.core.redact import RedactingFilter, redact


def test_env_wins_over_config_file(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('OMDB_API_KEY = "from-file"\nMOVIEAGG_TIMEOUT = 3\n')
    s = Settings.from_env({"MOVIEAGG_HOME": str(tmp_path), "MOVIEAGG_TIMEOUT": "5"})
    assert s.timeout == 5.0 and s.get("OMDB_API_KEY") == "from-file"
    assert s.url("tmdb", "https://api.themoviedb.org/3") == "https://api.themoviedb.org/3"
    assert Settings.from_env({"MOVIEAGG_TMDB_URL": "http://127.0.0.1:1/x"}, read_file=False).url("tmdb", "d") == "http://127.0.0.1:1/x"


def test_bad_settings_are_configuration_errors(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("this is = = not toml")
    with pytest.raises(ConfigurationError, match=r"config\.toml"):
        Settings.from_env({"MOVIEAGG_HOME": str(tmp_path)})
    with pytest.raises(ConfigurationError):
        Settings.from_env({"MOVIEAGG_TIMEOUT": "soon"}, read_file=False)


def test_the_resilience_settings_have_defaults_and_checked_values() -> None:
    s = Settings.from_env({}, read_file=False)
    assert (s.lookup_deadline, s.breaker_failures, s.breaker_cooldown) == (12.0, 3, 30.0)
    assert s.max_response_bytes == 8 * 1024 * 1024
    custom = Settings.from_env(
        {"MOVIEAGG_LOOKUP_DEADLINE": "2.5", "MOVIEAGG_BREAKER_FAILURES": "5", "MOVIEAGG_BREAKER_COOLDOWN": "60",
         "MOVIEAGG_MAX_RESPONSE_MB": "2"}, read_file=False,
    )  # fmt: skip
    assert (custom.lookup_deadline, custom.breaker_failures, custom.breaker_cooldown) == (2.5, 5, 60.0)
    assert custom.max_response_bytes == 2 * 1024 * 1024
    for name, bad in [("MOVIEAGG_BREAKER_FAILURES", "0"), ("MOVIEAGG_BREAKER_COOLDOWN", "-1"),
                      ("MOVIEAGG_MAX_RESPONSE_MB", "0"), ("MOVIEAGG_MAX_RESPONSE_MB", "1.5")]:  # fmt: skip
        settings = Settings.from_env({name: bad}, read_file=False)
        with pytest.raises(ConfigurationError, match=name):
            _ = (settings.breaker_failures, settings.breaker_cooldown, settings.max_response_bytes)


def test_secret_never_shows_itself() -> None:
    s = Secret("abc123secret")
    assert "abc123" not in repr(s) + str(s) + f"{s}" + repr([s])
    assert s.reveal() == "abc123secret"
    settings = Settings.from_env({"OMDB_API_KEY": "abc123secret"}, read_file=False)
    assert "abc123secret" not in repr(settings)
    assert "abc123secret" in settings.secrets()


def test_redact_urls_and_messages() -> None:
    assert redact("GET https://x/?apikey=abc&i=tt1") == "GET https://x/?apikey=***&i=tt1"
    assert redact("https://x/?api_key=0123456789abcdef0123456789abcdef&q=1") == "https://x/?api_key=***&q=1"
    assert redact("Authorization: Bearer eyJabc.def") == "Authorization: Bearer ***"
    assert redact("postgresql://user:hunter2@db/x") == "postgresql://user:***@db/x"
    assert redact("key mykey-1234 leaked", ["mykey-1234"]) == "key *** leaked"


def test_redacting_filter(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("movieagg.test")
    handler_filter = RedactingFilter(["s3cr3t-value"])
    logger.addFilter(handler_filter)
    try:
        with caplog.at_level(logging.INFO, logger="movieagg.test"):
            logger.info("calling %s with %s", "https://x/?apikey=s3cr3t-value", "s3cr3t-value")
    finally:
        logger.removeFilter(handler_filter)
    assert "s3cr3t-value" not in caplog.text and "***" in caplog.text
