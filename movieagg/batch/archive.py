"""One member of an export zip (Letterboxd's ``letterboxd-USER-DATE.zip``), read as a stream.

Nothing is ever extracted to disk, so member names cannot point anywhere (no zip-slip); a
member is decompressed as it is read and stops with a clear error past a size cap, whatever its
header claims (no zip bomb).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from typing import IO, BinaryIO

from movieagg.batch.items import BatchInputError

DEFAULT_MEMBER = "watched"
# Letterboxd's biggest table (diary or watched) for a 20-year user is a few MB.
ZIP_MEMBER_LIMIT = 256 * 1024 * 1024


class ArchiveError(BatchInputError):
    """The zip cannot be read, or does not hold the member asked for (exit code 2)."""


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def is_zip(path: str) -> bool:
    """A zip by its first bytes (an export renamed without ``.zip`` is still one)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _wanted(member: str) -> str:
    name = member.strip().replace("\\", "/").lstrip("/")
    return name if name.lower().endswith(".csv") else name + ".csv"


def _safe(name: str) -> bool:
    return not (name.startswith("/") or ".." in name.split("/"))


def table_names(archive: zipfile.ZipFile) -> list[str]:
    """The CSV tables the zip holds, as ``--from`` takes them (``ratings``, ``lists/NAME``)."""
    names = []
    for info in archive.infolist():
        name = info.filename
        if info.is_dir() or not name.lower().endswith(".csv") or not _safe(name):
            continue
        names.append(name[: -len(".csv")])
    return sorted(names, key=lambda n: (n.count("/"), n))


def _find(archive: zipfile.ZipFile, wanted: str) -> zipfile.ZipInfo | None:
    infos = [i for i in archive.infolist() if not i.is_dir() and _safe(i.filename)]
    for info in infos:
        if info.filename == wanted:
            return info
    # a re-zipped export may sit in one top folder: "letterboxd-user-…/ratings.csv"
    depth = wanted.count("/") + 1
    nested = [i for i in infos if i.filename.split("/", 1)[-1] == wanted and i.filename.count("/") == depth]
    return nested[0] if len(nested) == 1 else None


class _CappedReader(io.RawIOBase):
    """A member's bytes, counted as they are decompressed: past ``limit`` it is an input error."""

    def __init__(self, stream: IO[bytes], *, limit: int, name: str) -> None:
        self._stream = stream
        self._limit = limit
        self._name = name
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._stream.read(len(buffer))
        self._read += len(data)
        if self._read > self._limit:
            raise ArchiveError(f"{self._name} in the zip is larger than {_megabytes(self._limit)}")
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()


def open_member(path: str, member: str | None) -> BinaryIO:
    """The bytes of ``member`` (``watched`` when None) of the zip at ``path``, streamed."""
    wanted = _wanted(member or DEFAULT_MEMBER)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"cannot read {path} as a zip: {exc}") from None
    info = _find(archive, wanted) if _safe(wanted) else None
    if info is None:
        held = ", ".join(table_names(archive)) or "no CSV file"
        archive.close()
        table = wanted[: -len(".csv")]
        raise ArchiveError(f"{path} has no {table} (it holds: {held}); choose one with --from")
    if info.file_size > ZIP_MEMBER_LIMIT:
        archive.close()
        raise ArchiveError(f"{info.filename} in the zip is larger than {_megabytes(ZIP_MEMBER_LIMIT)}")
    try:
        stream = archive.open(info)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:  # encrypted, unknown method
        archive.close()
        raise ArchiveError(f"cannot read {info.filename} in {path}: {exc}") from None
    capped = _CappedReader(stream, limit=ZIP_MEMBER_LIMIT, name=posixpath.basename(info.filename))
    reader = io.BufferedReader(capped)
    archive.close()  # the open member keeps the file open until it is closed itself
    return reader
