"""The pure domain of movieagg: models, protocols, matching, scoring and the aggregator.

Nothing here imports the CLI, AWS code, HTTP clients, caches or databases: adapters and
backends plug in through the protocols in :mod:`movieagg.core.protocols`.
"""
