"""Rate whole lists: parse watchlists and exports, rate with bounded concurrency, stream results.

The library face is :func:`arate_many` (an async iterator, results in completion order) and
:func:`rate_many` (a list in input order). The CLI's ``movieagg batch`` adds input files,
output formats, progress and resuming on top of the same pieces, one module each:

* :mod:`~movieagg.batch.items` — :class:`BatchItem`, one line or row to rate;
* :mod:`~movieagg.batch.inputs` — :func:`read_items` streams items from text (``Title`` or
  ``Title (1999)``, an IMDb id or URL per line) or CSV: any file with a title or IMDb id column,
  including Letterboxd and IMDb exports as they are;
* :mod:`~movieagg.batch.engine` — :func:`arate_many` / :func:`rate_many`, bounded and streaming;
* :mod:`~movieagg.batch.results` and :mod:`~movieagg.batch.summary` — :class:`BatchResult` per
  item, :class:`BatchSummary` per run;
* :mod:`~movieagg.batch.outputs` — :class:`OutputWriter`: csv / ndjson / json, flushed per record;
* :mod:`~movieagg.batch.resume` — :func:`prepare_resume` reads such a file back for a re-run.

Nothing here imports the CLI; the core stays free of both. ``import movieagg`` loads this
package only when one of its names is first used.
"""

from movieagg.batch.engine import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, arate_many, rate_many
from movieagg.batch.inputs import (
    CsvColumns,
    coerce_items,
    count_items,
    open_input,
    parse_text_line,
    read_items,
    split_year,
    threaded,
)
from movieagg.batch.items import BatchInputError, BatchItem
from movieagg.batch.outputs import CSV_COLUMNS, FORMATS, RESUMABLE, OutputWriter, csv_row, infer_format
from movieagg.batch.results import STATUSES, BatchResult
from movieagg.batch.resume import ResumeState, prepare_resume
from movieagg.batch.summary import BatchSummary

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_CONCURRENCY",
    "FORMATS",
    "MAX_CONCURRENCY",
    "RESUMABLE",
    "STATUSES",
    "BatchInputError",
    "BatchItem",
    "BatchResult",
    "BatchSummary",
    "CsvColumns",
    "OutputWriter",
    "ResumeState",
    "arate_many",
    "coerce_items",
    "count_items",
    "csv_row",
    "infer_format",
    "open_input",
    "parse_text_line",
    "prepare_resume",
    "rate_many",
    "read_items",
    "split_year",
    "threaded",
]
