"""Reproducible archives: sorted entries, fixed timestamps and modes, so a SHA-256 is a content address.

An unchanged build gets the same S3 key, CloudFormation sees no change, and a second
``movieagg deploy`` does nothing.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tarfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
SKIP_DIRS = frozenset({"__pycache__", "_infra", ".mypy_cache"})


@dataclass(frozen=True)
class Artifact:
    path: Path
    key: str  # content-addressed S3 key
    sha256: str
    size: int
    content_type: str = "application/octet-stream"
    notes: tuple[str, ...] = field(default=())


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def walk(root: Path) -> list[Path]:
    """Every file under ``root`` in a stable order (``__pycache__`` kept, other skips dropped)."""
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS or d == "__pycache__")
        out.extend(Path(dirpath) / f for f in sorted(filenames))
    return sorted(out, key=lambda p: p.relative_to(root).as_posix())


def write_zip(root: Path, dest: Path, level: int = 9) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for path in walk(root):
            info = zipfile.ZipInfo(path.relative_to(root).as_posix(), date_time=ZIP_DATE)
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes(), compresslevel=level)


def write_tar_gz(files: Iterable[tuple[str, Path]], dest: Path) -> None:
    """A tar.gz of (archive name, file) pairs with fixed owner, mode and time."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, path in sorted(files):
            data = path.read_bytes()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            info.mode = 0o755 if name.endswith(".py") else 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            tar.addfile(info, io.BytesIO(data))
    with dest.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(buf.getvalue())


def artifact(
    path: Path, prefix: str, suffix: str, content_type: str, notes: tuple[str, ...] = ()
) -> Artifact:
    """The built file under its content-addressed key ``prefix/<sha256[:32]>suffix``."""
    sha = digest(path)
    return Artifact(path, f"{prefix}/{sha[:32]}{suffix}", sha, path.stat().st_size, content_type, notes)


__all__ = ["Artifact", "artifact", "digest", "walk", "write_tar_gz", "write_zip"]
