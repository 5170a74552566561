"""A person's own ratings from a Letterboxd or IMDb export, each with the film to look up.

The film is read exactly as ``movieagg batch`` reads it (:func:`movieagg.batch.inputs.row_item`);
only the user's rating column is added here, normalised to 0–100 like every other rating.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from movieagg.batch.inputs import CsvColumns, open_input, row_item
from movieagg.batch.items import BatchInputError, BatchItem

# (column name lower-cased, export kind, top of its scale, smallest step)
RATING_COLUMNS = (("rating", "letterboxd", 5.0, 0.5), ("your rating", "imdb", 10.0, 1.0))
# IMDb's Title Type values that are not films (series, episodes, games), lower-cased without
# spaces ("tvEpisode" until 2023, "TV Episode" since): left out with a reason.
NOT_FILMS = frozenset(
    {"tvseries", "tvminiseries", "tvepisode", "videogame", "podcastseries", "podcastepisode", "tvshort"}
)


@dataclass(frozen=True, slots=True)
class TasteRow:
    """One row of the export: the film to look up, the user's rating (0–100), or why it is skipped."""

    item: BatchItem
    rating: float | None
    given: str  # the rating as written in the export ("4.5", "8")
    skip: str | None = None


@dataclass(frozen=True, slots=True)
class Export:
    kind: str  # "letterboxd" or "imdb"
    scale: float  # 5 (Letterboxd stars) or 10 (IMDb)
    rows: tuple[TasteRow, ...]

    @property
    def rated(self) -> list[TasteRow]:
        return [r for r in self.rows if r.skip is None and r.rating is not None and not r.item.error]


def _rating(text: str, scale: float, step: float) -> tuple[float | None, str | None]:
    value = text.strip()
    if not value:
        return None, "no rating in this row"
    try:
        if not value.isascii():
            raise ValueError(value)
        number = float(value)
    except ValueError:
        return None, f"rating {value[:12]!r} is not a number"
    if not (step <= number <= scale) or abs(number / step - round(number / step)) > 1e-6:
        return None, f"rating {value[:12]!r} is not on the {step:g}–{scale:g} scale"
    return number * 100.0 / scale, None


def parse_export(lines: Iterable[str]) -> Export:
    """The rows of a ratings export (its lines); a clear BatchInputError if it holds no ratings."""
    reader = csv.reader(line for line in lines if line.strip())
    try:
        header = next(reader, None)
        if header is None:
            raise BatchInputError("the export is empty")
        lowered = [h.strip().lower().lstrip("\ufeff") for h in header]
        found = next((c for c in RATING_COLUMNS if c[0] in lowered), None)
        cols = CsvColumns.from_header(header)
        if found is None or cols is None:
            raise BatchInputError(
                "not a ratings export: expected Letterboxd's ratings.csv (Name,Year,…,Rating) "
                "or IMDb's ratings export (Const,Your Rating,…)"
            )
        name, kind, scale, step = found
        at = lowered.index(name)
        kind_at = lowered.index("title type") if "title type" in lowered else None
        rows: list[TasteRow] = []
        for index, row in enumerate(reader, start=1):
            item = row_item(row, cols, index)
            if item is None:
                continue
            given = row[at].strip() if at < len(row) else ""
            rating, skip = _rating(given, scale, step)
            title_type = row[kind_at].strip() if kind_at is not None and kind_at < len(row) else ""
            if skip is None and title_type.lower().replace(" ", "") in NOT_FILMS:
                skip = f"not a film ({title_type[:20]})"
            rows.append(TasteRow(item, rating, given[:12], skip or item.error))
    except csv.Error as exc:
        raise BatchInputError(f"cannot read the export at row {reader.line_num + 1}: {exc}") from None
    return Export(kind, scale, tuple(rows))


def read_export(path: str) -> Export:
    """A Letterboxd export zip (its ratings.csv), a ratings.csv, or an IMDb ratings export."""
    from movieagg.batch.archive import is_zip

    member = "ratings" if path != "-" and (path.lower().endswith(".zip") or is_zip(path)) else None
    with open_input(path, member) as fh:
        return parse_export(fh)


def items(rows: Sequence[TasteRow]) -> list[BatchItem]:
    """The films to look up: only what the rows name (title, year, IMDb id), nothing else."""
    return [r.item for r in rows]
