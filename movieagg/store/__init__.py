"""Rating history and search logs.

:mod:`movieagg.store.outbox` (stdlib only) takes every lookup's record on the hot path;
:mod:`movieagg.store.sql` (SQLModel: SQLite or PostgreSQL) is where they end up. Importing
this package imports neither SQLAlchemy nor SQLModel.
"""
