"""Download IMDb's dataset files, each streamed to disk and renamed only when complete."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from movieagg.sources.imdb_datasets.files import DatasetError, Progress


async def download(
    base_url: str,
    names: Sequence[str],
    directory: Path,
    *,
    timeout: float = 60.0,  # noqa: ASYNC109 - per request, not for the whole call
    progress: Progress | None = None,
    transport: Any = None,
) -> None:
    """Stream each file to ``directory`` (a temporary name, renamed when complete)."""
    import httpx

    from movieagg.sources._http import USER_AGENT

    directory.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240
    base = base_url if base_url.endswith("/") else base_url + "/"
    limits = httpx.Timeout(timeout, connect=min(timeout, 10.0))
    async with httpx.AsyncClient(
        timeout=limits, headers={"User-Agent": USER_AGENT}, follow_redirects=True, transport=transport
    ) as client:
        for name in names:
            part = directory / f"{name}.download"
            try:
                async with client.stream("GET", base + name) as response:
                    if response.status_code != 200:
                        raise DatasetError(f"downloading {name} failed (HTTP {response.status_code})")
                    total = int(response.headers.get("Content-Length", "0")) or None
                    done = 0
                    with open(part, "wb") as fh:  # noqa: ASYNC230 - sequential chunks, local disk
                        async for chunk in response.aiter_bytes(1 << 20):
                            fh.write(chunk)
                            done += len(chunk)
                            if progress is not None:
                                progress(f"download {name}", done, total)
            except httpx.TimeoutException:
                part.unlink(missing_ok=True)
                raise DatasetError(f"downloading {name} timed out after {timeout:g}s") from None
            except httpx.TransportError as exc:
                part.unlink(missing_ok=True)
                raise DatasetError(f"downloading {name} failed ({type(exc).__name__})") from None
            except BaseException:
                part.unlink(missing_ok=True)
                raise
            os.replace(part, directory / name)
