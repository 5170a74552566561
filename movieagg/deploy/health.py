"""One line on the deployed API's health: ``GET <api>/api/health`` with a short, hard timeout.

Run in a daemon thread joined with a deadline, so a resolver that hangs (no network) cannot hold
the deploy up either. What the API answers is reduced to known words before it is shown.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from typing import Any

DEFAULT_TIMEOUT = 5.0
_WORD = re.compile(r"^[A-Za-z0-9_.+-]{1,40}$")


def _word(value: Any) -> str:
    text = str(value)
    return text if _WORD.match(text) else "?"


def _summary(status: int, body: bytes, elapsed: float) -> str:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        data = None
    took = f"{elapsed * 1000:.0f} ms"
    if not isinstance(data, dict):
        return f"HTTP {status}, not a health answer ({took})"
    found = data.get("checks")
    checks: dict[str, Any] = found if isinstance(found, dict) else {}
    parts = [
        f"{_word(name)} {_word(check.get('status'))}"
        for name, check in sorted(checks.items())
        if isinstance(check, dict) and name in ("cache", "store")
    ]
    detail = "; ".join([f"version {_word(data.get('version'))}", *parts])
    return f"{_word(data.get('status'))} (HTTP {status}; {detail}; {took})"


def check_health(api_url: str, *, timeout: float = DEFAULT_TIMEOUT) -> str:
    """``ok (HTTP 200; version …; cache ok; store ok; 120 ms)``, or why there is no answer."""
    if not api_url.startswith(("https://", "http://")):
        return "not checked (no API URL)"
    url = api_url.rstrip("/") + "/api/health"
    result: list[str] = []

    def probe() -> None:
        started = time.monotonic()
        request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 - http(s) only
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                result.append(_summary(response.status, response.read(65536), time.monotonic() - started))
        except urllib.error.HTTPError as exc:
            result.append(_summary(exc.code, exc.read(65536), time.monotonic() - started))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            result.append(f"not reachable ({type(reason).__name__})")

    thread = threading.Thread(target=probe, name="movieagg-health", daemon=True)
    thread.start()
    thread.join(timeout + 1.0)
    return result[0] if result else f"no answer within {timeout:.0f} s"


__all__ = ["DEFAULT_TIMEOUT", "check_health"]
