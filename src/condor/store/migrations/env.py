"""Alembic environment: runs on the connection handed over by ``condor.store.migrations``
(or opens one from ``sqlalchemy.url`` when run by the ``alembic`` command)."""

from __future__ import annotations

from alembic import context

from condor.store.journal import create_db
from condor.store.schema import metadata

cfg = context.config


def run() -> None:
    conn = cfg.attributes.get("connection")
    if conn is not None:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    db = create_db(cfg.get_main_option("sqlalchemy.url"))
    with db.begin() as c:
        context.configure(connection=c, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    db.dispose()


run()
