"""Condor's store: journal, events and read models on SQLite or PostgreSQL (SQLAlchemy Core).

Event sourcing on the engine's inputs. The engine is deterministic, so the journal of inputs
(commands and market data, with the engine clock each ran at) is the truth; events and the
read-model tables (orders, groups, positions, accounts, idempotency keys) are written with it in
the same transaction for queries and audits, and snapshots bound recovery time.

- ``journal.Store``: open/create a database (``sqlite:///...`` or ``postgresql+psycopg://...``),
  ``append`` a batch in one durable transaction, read the journal, read-model queries.
- ``recorder.Recorder``: applies inputs to the engine, numbers them, builds batches.
- ``committer.GroupCommitter``: asyncio group commit; acknowledges after the commit only.
- ``recovery.recover`` / ``open_recorder``: snapshot + journal tail -> engine, verified.
- ``writer.open_journal`` / ``JournalWriter``: all of the above as a server's single writer
  (recovery at start, group commit, publication hooks, snapshot at a clean stop); the API
  loads it by name (``api.writer``), so neither package imports the other.
- ``snapshot``: engine snapshots; ``check.check``: ``condor db check``;
  ``migrations.upgrade``: ``condor db upgrade``; ``codec``: exact JSON of inputs and events.

Dependencies point inward: the store imports the engine and the domain, never the reverse.
"""
