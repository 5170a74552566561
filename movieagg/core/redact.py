"""Keep secrets out of anything printed: URLs, log lines, messages."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable

MASK = "***"


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Compiled on first use: a command that logs nothing (a cached lookup) compiles none."""
    return (
        re.compile(r"(?i)((?:api_?key|apikey|access_token|token|password|secret|client_id)=)[^&\s#\"']+"),
        re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
        re.compile(r"(?i)([a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+(@)"),
    )


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask known secret values, secret-looking query parameters, bearer tokens and URL passwords."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    secret_params, bearer, url_password = _patterns()
    text = secret_params.sub(rf"\g<1>{MASK}", text)
    text = bearer.sub(rf"\g<1>{MASK}", text)
    return url_password.sub(rf"\g<1>{MASK}\g<2>", text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every record's final message (and drops its args)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must not break logging
            message = str(record.msg)
        record.msg = redact(message, self.secrets)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            # Formatted tracebacks may quote URLs; keep only the type unless debugging locally.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), self.secrets)
            record.exc_info = None
        return True
