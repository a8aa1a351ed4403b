"""Alembic migrations of the store schema, runnable without an ``alembic.ini``.

Invariant: ``HEAD`` is the newest revision under ``versions/``; ``upgrade(url)`` brings any
Condor database (or an empty one) to it; revisions are frozen copies of the schema at their
time (they do not import ``schema.py``), and a test checks that HEAD equals ``schema.metadata``.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

HEAD = "0003"
_HERE = Path(__file__).resolve().parent


def config(url: str, connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(url: str, revision: str = "head", engine=None) -> None:
    """Migrate the database at ``url`` to ``revision`` (creating the schema if empty)."""
    from alembic import command

    from condor.store.journal import create_db

    db = engine if engine is not None else create_db(url)
    try:
        with db.begin() as c:
            command.upgrade(config(url, c), revision)
    finally:
        if engine is None:
            db.dispose()


def current_revision(connection) -> str | None:
    """The revision stamped in the database, None when it has no ``alembic_version`` table."""
    if "alembic_version" not in sa.inspect(connection).get_table_names():
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
