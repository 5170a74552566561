"""The API's logs: one JSON object per line on stdout (CloudWatch keeps stdout), secrets masked."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from movieagg.core.redact import redact

# Access-log fields the service builds from validated values (route templates, methods,
# request ids matching its pattern, error codes): nothing in them can hold a secret.
_SAFE_FIELDS = frozenset({"request_id", "method", "route", "error", "event"})
_NOISY = ("httpx", "httpcore", "botocore", "boto3", "urllib3")


class JsonFormatter(logging.Formatter):
    """One JSON object per line; the fields come from ``extra={"fields": {...}}``."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            payload.update(fields)
        if record.exc_text:
            payload["exc"] = record.exc_text
        return json.dumps(payload, ensure_ascii=False, default=str)


class SecretFilter(logging.Filter):
    """Masks every secret in a record's message and its free-text fields."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != "request" or record.args:  # the access line's message is a constant
            record.msg = redact(record.getMessage(), self.secrets)
            record.args = None
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            record.fields = {
                k: redact(v, self.secrets) if isinstance(v, str) and k not in _SAFE_FIELDS else v
                for k, v in fields.items()
            }
        return True


def configure_logging(secrets: list[str], stream: Any = None, level: str = "INFO") -> None:
    """JSON lines on ``stream`` (default stdout) for ``movieagg.*``, ``secrets`` masked."""
    root = logging.getLogger("movieagg")
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(SecretFilter(secrets))
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)


__all__ = ["JsonFormatter", "SecretFilter", "configure_logging"]
