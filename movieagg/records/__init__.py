"""Lookup records end to end: from the aggregator's recorder to the history store.

Every lookup leaves one record (the search log, and each fresh rating as an observation for
``movieagg history``). The path, and the one place that decides each step of it:

- :mod:`~movieagg.records.outbox`: an append-only local file takes the record on the hot path
  (stdlib only, one write), and hands records to the store in batches;
- :mod:`~movieagg.records.writer`: in a server, one thread does those appends, so a slow disk
  never stalls the event loop;
- :mod:`~movieagg.records.keeper`: when records reach the store — the flush policy of each
  kind of process (CLI, library, batch, serve, Lambda);
- :mod:`~movieagg.records.flusher`: the detached ``python -m movieagg.records.flusher`` a CLI
  run leaves behind, so its prompt comes back before SQLAlchemy is even imported.
"""
