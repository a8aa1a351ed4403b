"""The store: one database (SQLite file or PostgreSQL) holding journal, events and read models.

Invariant: ``append`` writes a batch of inputs, the events they produced, the state rows they
changed and their idempotency keys in ONE transaction; when it returns, the batch is durable
(SQLite: WAL with ``synchronous=FULL``, so the commit has been fsynced; PostgreSQL: the commit
has been flushed to its WAL with the server's default ``synchronous_commit=on``). When it
raises, nothing of the batch is stored, and the caller must not acknowledge any of it.

URLs: ``sqlite:///path/to/condor.db`` (the parent directory is created on first start) or
``postgresql+psycopg://user@host:5432/db`` (add ``?options=-csearch_path%3Dname`` for a
schema). ``Store.open`` creates the schema in an empty database through the Alembic migrations,
refuses a database of another application, a corrupt file, or one that needs
``condor db upgrade``, with a ``StoreError`` that says which.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine as SAEngine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from condor.store import codec
from condor.store import schema as S
from condor.store.errors import StoreError

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class Batch:
    """Rows of one group commit. ``state`` maps a read-model table name to its rows (upserted,
    one per primary key: the state after the batch's last input)."""

    inputs: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    idempotency: list[dict] = field(default_factory=list)
    state: dict[str, list[dict]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.inputs)


class Store:
    """A Condor database. Build with ``Store.open(url)``; ``close()`` when done."""

    def __init__(self, url: str, db: SAEngine) -> None:
        self.url = url
        self.db = db
        self.dialect = db.dialect.name
        self._upsert = {t.name: self._upsert_stmt(t) for t in S.STATE_TABLES}
        self._sql = _batch_sql(self.dialect)
        self._driver_error = db.dialect.loaded_dbapi.Error

    # -- opening ------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str, *, create: bool = True, echo: bool = False) -> Store:
        """Open (and on first start create) the database at ``url``. Raises StoreError."""
        from condor.store.migrations import HEAD, current_revision, upgrade

        u = make_url(url)
        if u.get_backend_name() == "sqlite":
            _check_sqlite_file(u.database, create)
        db = create_db(url, echo=echo)
        try:
            with db.connect() as c:
                rev = current_revision(c)
                tables = set(sa.inspect(c).get_table_names())
        except DBAPIError as e:
            db.dispose()
            raise StoreError(f"cannot open database {_safe(url)}: {_reason(e)}") from e
        if rev is None:
            if tables:
                db.dispose()
                raise StoreError(
                    f"{_safe(url)} is not a Condor database (it holds tables "
                    f"{', '.join(sorted(tables)[:5])} and no alembic_version); refusing to use it"
                )
            if not create:
                db.dispose()
                raise StoreError(f"{_safe(url)} has no Condor schema; run `condor db upgrade`")
            upgrade(url, engine=db)
        elif rev != HEAD:
            db.dispose()
            raise StoreError(
                f"{_safe(url)} is at schema revision {rev}, this Condor needs {HEAD}; "
                "run `condor db upgrade`"
            )
        return cls(url, db)

    def close(self) -> None:
        self.db.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------
    def _upsert_stmt(self, t: sa.Table):
        ins = (sqlite.insert if self.dialect == "sqlite" else postgresql.insert)(t)
        pk = [c.name for c in t.primary_key.columns]
        cols = {c.name: ins.excluded[c.name] for c in t.columns if c.name not in pk}
        return ins.on_conflict_do_update(index_elements=pk, set_=cols)

    def append(self, batch: Batch) -> None:
        """Write ``batch`` in one transaction; return once it is durable. Raises StoreError
        when the commit failed: nothing of the batch is then stored, except when the
        connection was lost at COMMIT, where only the database knows (``has_input``; the
        group committer asks it)."""
        if not batch.inputs:
            return
        sql = self._sql
        try:
            with self.db.begin() as c:
                # the driver's executemany on prepared text: one statement per table, rows as
                # tuples (SQLAlchemy's per-row processing costs more than the rows' writing)
                # (PostgreSQL: all statements in one pipeline, one round trip before COMMIT)
                dbapi = c.connection.dbapi_connection
                pipeline = dbapi.pipeline() if self.dialect == "postgresql" else nullcontext()
                cur = dbapi.cursor()
                try:
                    with pipeline:
                        for name, rows in (
                            ("journal", batch.inputs),
                            ("events", batch.events),
                            ("idempotency_keys", batch.idempotency),
                            *batch.state.items(),
                        ):
                            if rows:
                                text, values = sql[name]
                                cur.executemany(text, list(map(values, rows)))
                finally:
                    cur.close()
        except (DBAPIError, self._driver_error) as e:
            raise StoreError(f"commit failed: {_reason(e)}") from e

    def write_state(self, engine) -> None:
        """Upsert every read-model row of ``engine`` (the initial state on first start)."""
        from condor.store.rows import all_rows

        try:
            with self.db.begin() as c:
                for name, table_rows in all_rows(engine).items():
                    if table_rows:
                        c.execute(self._upsert[name], list(table_rows.values()))
        except DBAPIError as e:
            raise StoreError(f"initial state not written: {_reason(e)}") from e

    def write_snapshot(self, input_seq: int, event_seq: int, fmt: str, ts_ns: int, data: bytes):
        try:
            with self.db.begin() as c:
                c.execute(
                    S.snapshots.insert(),
                    {
                        "input_seq": input_seq,
                        "event_seq": event_seq,
                        "format": fmt,
                        "ts_ns": ts_ns,
                        "data": data,
                    },
                )
                # keep the two newest: one may be unreadable by a newer Condor
                keep = sa.select(S.snapshots.c.input_seq).order_by(
                    S.snapshots.c.input_seq.desc()
                ).limit(2)  # fmt: skip
                c.execute(S.snapshots.delete().where(S.snapshots.c.input_seq.not_in(keep)))
        except DBAPIError as e:
            raise StoreError(f"snapshot not written: {_reason(e)}") from e

    # -- reading ------------------------------------------------------------------------
    def last_input_seq(self) -> int:
        with self.db.connect() as c:
            return c.execute(sa.select(sa.func.max(S.journal.c.seq))).scalar() or 0

    def has_input(self, seq: int) -> bool:
        """Whether journal input ``seq`` is stored (a primary-key read on a new connection:
        how a writer learns the outcome of a commit whose connection was lost). Raises
        StoreError when the database cannot be asked."""
        j = S.journal
        try:
            with self.db.connect() as c:
                return c.execute(sa.select(j.c.seq).where(j.c.seq == seq)).first() is not None
        except (DBAPIError, self._driver_error) as e:
            raise StoreError(f"cannot read the journal: {_reason(e)}") from e

    def last_event_seq(self) -> int:
        with self.db.connect() as c:
            return c.execute(sa.select(sa.func.max(S.events.c.seq))).scalar() or 0

    def last_stream_seq(self) -> int:
        """The event-stream head journaled with the newest input that has one (0: none)."""
        j = S.journal
        q = sa.select(j.c.stream_seq).where(j.c.stream_seq.is_not(None))
        with self.db.connect() as c:
            return c.execute(q.order_by(j.c.seq.desc()).limit(1)).scalar() or 0

    def first_input_ts(self) -> int | None:
        """The engine clock of journal input 1 (None for an empty journal)."""
        j = S.journal
        with self.db.connect() as c:
            return c.execute(sa.select(j.c.ts_ns).where(j.c.seq == 1)).scalar()

    def first_retention(self) -> tuple[int, int | None] | None:
        """(input seq, limit) of the journal's first ``SetRetention`` input, or None when it
        has none (an empty journal, or one written before Condor journaled the limit): the
        limit a replay builds its engine with (``engine/retention.py``). Written at the first
        start (input 1 or 2), so the read stops at once; a journal that predates it is scanned
        up to the one its first start under this Condor appended."""
        j = S.journal
        q = (
            sa.select(j.c.seq, j.c.payload)
            .where(j.c.type == "SetRetention")
            .order_by(j.c.seq)
            .limit(1)
        )
        with self.db.connect() as c:
            row = c.execute(q).first()
        if row is None:
            return None
        return row.seq, codec.decode(row.payload).retain_terminal

    def has_state(self) -> bool:
        """Whether any read-model table holds a row (False: no server has started on it)."""
        with self.db.connect() as c:
            return any(
                c.execute(sa.select(sa.literal(1)).select_from(t).limit(1)).first() is not None
                for t in S.STATE_TABLES
            )

    def fills(
        self,
        after: int = 0,
        before: int | None = None,
        chunk: int = 20_000,
        descending: bool = False,
    ) -> Iterator[sa.Row]:
        """Stored execution reports that may be fills (``ExecutionReport`` rows whose payload
        names ``last_qty``, i.e. a non-zero one: the codec leaves defaults out), by seq (newest
        first when ``descending``), with ``after < seq < before`` (``before`` None: no upper
        bound), read ``chunk`` rows at a time."""
        e = S.events
        order = e.c.seq.desc() if descending else e.c.seq
        while True:
            q = sa.select(e.c.seq, e.c.payload).where(e.c.seq > after, *_fill_candidates())
            if before is not None:
                q = q.where(e.c.seq < before)
            with self.db.connect() as c:
                rows = c.execute(q.order_by(order).limit(chunk)).all()
            if not rows:
                return
            yield from rows
            if descending:
                before = rows[-1][0]
            else:
                after = rows[-1][0]

    def order_reports(self, order_ids, chunk: int = 500) -> Iterator[sa.Row]:
        """Stored ``ExecutionReport`` events of the orders ``order_ids`` as ``(seq, order_id,
        payload)`` rows, by seq within each query of at most ``chunk`` ids (the index
        ``ix_events_order_id``): every report the engine ever made for them, the read side of
        an order's versions (wire-formats.md sections 3.8, 4.6)."""
        e = S.events
        ids = sorted(set(order_ids))
        for i in range(0, len(ids), chunk):
            q = (
                sa.select(e.c.seq, e.c.order_id, e.c.payload)
                .where(e.c.order_id.in_(ids[i : i + chunk]), e.c.type == "ExecutionReport")
                .order_by(e.c.seq)
            )
            with self.db.connect() as c:
                rows = c.execute(q).all()
            yield from rows

    def newest_fills_start(self, n: int) -> int:
        """The seq just before the ``n`` newest stored fill candidates (0 when there are at
        most ``n``): ``fills(after=...)`` then reads only those."""
        e = S.events
        q = (
            sa.select(e.c.seq)
            .where(*_fill_candidates())
            .order_by(e.c.seq.desc())
            .offset(n)
            .limit(1)
        )
        with self.db.connect() as c:
            return c.execute(q).scalar() or 0

    def inputs(self, after: int = 0, chunk: int = 20_000) -> Iterator[sa.Row]:
        """Journal rows with ``seq > after`` in order (seq, kind, type, ts_ns, payload,
        first_event, last_event), read in chunks so that a long journal is never in memory."""
        j = S.journal
        cols = (j.c.seq, j.c.kind, j.c.type, j.c.ts_ns, j.c.payload, j.c.first_event,
                j.c.last_event)  # fmt: skip
        while True:
            with self.db.connect() as c:
                rows = c.execute(
                    sa.select(*cols).where(j.c.seq > after).order_by(j.c.seq).limit(chunk)
                ).all()
            if not rows:
                return
            yield from rows
            after = rows[-1][0]

    def events_between(self, first: int, last: int) -> list[sa.Row]:
        """Stored events with ``first <= seq <= last`` in order."""
        e = S.events
        with self.db.connect() as c:
            return c.execute(
                sa.select(e).where(e.c.seq >= first, e.c.seq <= last).order_by(e.c.seq)
            ).all()

    def latest_snapshot(self) -> sa.Row | None:
        s = S.snapshots
        with self.db.connect() as c:
            return c.execute(sa.select(s).order_by(s.c.input_seq.desc()).limit(1)).first()

    def snapshots(self) -> list[sa.Row]:
        s = S.snapshots
        with self.db.connect() as c:
            return c.execute(sa.select(s).order_by(s.c.input_seq.desc())).all()

    def idempotency_keys(
        self, recent: int | None = None, kept: int | None = None
    ) -> dict[tuple[str, str], tuple[int, str | None]]:
        """(scope, key) -> (input_seq, first answer as JSON text) of the stored keys: every key,
        or with ``kept`` the ``kept`` newest; with ``recent``, the answers of only the
        ``recent`` newest keys (None for the others: read them with ``idempotency_response``)."""
        t = S.idempotency_keys
        with self.db.connect() as c:
            if recent is None and kept is None:
                q = sa.select(t.c.scope, t.c.key, t.c.input_seq, t.c.response)
                return {(r.scope, r.key): (r.input_seq, r.response) for r in c.execute(q)}
            q = sa.select(t.c.scope, t.c.key, t.c.input_seq)
            if kept is not None:
                q = q.order_by(t.c.input_seq.desc()).limit(kept)
            out: dict[tuple[str, str], tuple[int, str | None]] = {
                (r.scope, r.key): (r.input_seq, None) for r in c.execute(q)
            }
            newest = (
                sa.select(t.c.scope, t.c.key, t.c.input_seq, t.c.response)
                .order_by(t.c.input_seq.desc())
                .limit(recent if recent is not None else kept)
            )
            for r in c.execute(newest):
                out[(r.scope, r.key)] = (r.input_seq, r.response)
            return out

    def idempotency_entry(self, scope: str, key: str) -> tuple[int, str] | None:
        """(input_seq, first answer as JSON text) of a stored key, or None (primary key read)."""
        t = S.idempotency_keys
        q = sa.select(t.c.input_seq, t.c.response).where(t.c.scope == scope, t.c.key == key)
        with self.db.connect() as c:
            r = c.execute(q).first()
        return None if r is None else (r.input_seq, r.response)

    def idempotency_response(self, scope: str, key: str) -> str | None:
        """The stored first answer (JSON text) of ``(scope, key)``, or None."""
        t = S.idempotency_keys
        q = sa.select(t.c.response).where(t.c.scope == scope, t.c.key == key)
        with self.db.connect() as c:
            return c.execute(q).scalar()

    def state_rows(self, table: str) -> dict[tuple, dict]:
        """Every row of a read-model table by primary key (for ``check``)."""
        t = S.metadata.tables[table]
        pk = [c.name for c in t.primary_key.columns]
        with self.db.connect() as c:
            return {tuple(r[k] for k in pk): dict(r) for r in c.execute(sa.select(t)).mappings()}

    # -- read models: queries that never touch the engine --------------------------------
    def orders_of_account(
        self, account: str, status: str | None = None, limit: int = 1000, after_id: int = 0
    ) -> list[dict]:
        """Orders of ``account`` (optionally one status), by order id, keyset-paginated."""
        o = S.orders
        q = sa.select(o).where(o.c.account == account, o.c.order_id > after_id)
        if status is not None:
            q = q.where(o.c.status == status)
        with self.db.connect() as c:
            return [dict(r) for r in c.execute(q.order_by(o.c.order_id).limit(limit)).mappings()]

    def orders_between(self, first_id: int, last_id: int) -> list[dict]:
        """Rows of the orders with ids in [first_id, last_id], by id (a primary-key range)."""
        o = S.orders
        q = sa.select(o).where(o.c.order_id >= first_id, o.c.order_id <= last_id)
        with self.db.connect() as c:
            return [dict(r) for r in c.execute(q.order_by(o.c.order_id)).mappings()]

    def orders_by_ids(self, ids) -> list[dict]:
        """Rows of the orders with these ids (any order)."""
        o = S.orders
        with self.db.connect() as c:
            return [dict(r) for r in c.execute(sa.select(o).where(o.c.order_id.in_(list(ids))))
                    .mappings()]  # fmt: skip

    def newest_order_by_code(self, accounts, cl_ord_id: str) -> dict | None:
        """The row of the newest (highest id) order of one of ``accounts`` whose ClOrdID (FIX
        11) is ``cl_ord_id``, or None (index ``ix_orders_cl_ord_id``)."""
        o = S.orders
        q = (
            sa.select(o)
            .where(o.c.account.in_(list(accounts)), o.c.cl_ord_id == cl_ord_id)
            .order_by(o.c.order_id.desc())
            .limit(1)
        )
        with self.db.connect() as c:
            r = c.execute(q).mappings().first()
        return None if r is None else dict(r)

    def group_by_id(self, group_id: str) -> dict | None:
        """The row of one group, or None."""
        g = S.groups
        with self.db.connect() as c:
            r = c.execute(sa.select(g).where(g.c.group_id == group_id)).mappings().first()
        return None if r is None else dict(r)

    def orders_by_status(self, status: str, limit: int = 1000, after_id: int = 0) -> list[dict]:
        o = S.orders
        q = sa.select(o).where(o.c.status == status, o.c.order_id > after_id)
        with self.db.connect() as c:
            return [dict(r) for r in c.execute(q.order_by(o.c.order_id).limit(limit)).mappings()]

    def orders_created_between(self, t0_ns: int, t1_ns: int, limit: int = 1000) -> list[dict]:
        o = S.orders
        q = sa.select(o).where(o.c.ts_created >= t0_ns, o.c.ts_created < t1_ns)
        with self.db.connect() as c:
            return [
                dict(r)
                for r in c.execute(q.order_by(o.c.ts_created, o.c.order_id).limit(limit)).mappings()
            ]

    def groups_of_owner(self, owner: str, limit: int = 1000) -> list[dict]:
        g = S.groups
        q = sa.select(g).where(g.c.owner == owner).order_by(g.c.created_ns, g.c.group_id)
        with self.db.connect() as c:
            return [dict(r) for r in c.execute(q.limit(limit)).mappings()]


def _fill_candidates() -> tuple:
    """WHERE terms of the events that may be fills: ``ExecutionReport`` rows whose payload
    names ``last_qty`` (the codec leaves a zero out)."""
    e = S.events
    return (e.c.type == "ExecutionReport", e.c.payload.contains('"last_qty"'))


# -- engines and URLs -------------------------------------------------------------------
def create_db(url: str, echo: bool = False) -> SAEngine:
    """A SQLAlchemy engine for ``url`` with Condor's durability settings."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        db = sa.create_engine(u, echo=echo, connect_args={"check_same_thread": False})

        @sa_event.listens_for(db, "connect")
        def _pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            try:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=FULL")
                cur.execute("PRAGMA busy_timeout=5000")
            finally:
                cur.close()

        return db
    return sa.create_engine(u, echo=echo, pool_pre_ping=True)


def _batch_sql(dialect: str) -> dict[str, tuple[str, Callable[[dict], tuple]]]:
    """Per table: the insert (journal, events, idempotency keys) or upsert (read models) as
    driver SQL text with positional parameters, and the function that makes a row's tuple.
    The same text serves SQLite (>= 3.24) and PostgreSQL: ``ON CONFLICT .. DO UPDATE``."""
    ph = "?" if dialect == "sqlite" else "%s"

    def names(cols) -> str:
        return ", ".join('"' + c + '"' for c in cols)

    out = {}
    for t in (S.journal, S.events, S.idempotency_keys, *S.STATE_TABLES):
        cols = [c.name for c in t.columns]
        text = f'INSERT INTO "{t.name}" ({names(cols)}) VALUES ({", ".join([ph] * len(cols))})'
        if t in S.STATE_TABLES:
            pk = [c.name for c in t.primary_key.columns]
            sets = ", ".join(f'"{c}" = excluded."{c}"' for c in cols if c not in pk)
            text += f" ON CONFLICT ({names(pk)}) DO UPDATE SET {sets}"
        out[t.name] = (text, itemgetter(*cols))
    return out


def _check_sqlite_file(path: str | None, create: bool) -> None:
    if not path or path == ":memory:":
        raise StoreError("an in-memory SQLite database is not durable; give a file path")
    p = Path(path)
    if p.exists():
        if p.is_dir():
            raise StoreError(f"{p} is a directory, not a SQLite database file")
        with p.open("rb") as f:
            head = f.read(16)
        if head and head != SQLITE_MAGIC:
            raise StoreError(f"{p} is not a SQLite database (corrupt or foreign file); refusing")
    elif create:
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot create the data directory {p.parent}: {e}") from e
    else:
        raise StoreError(f"{p} does not exist")


def _reason(e: BaseException) -> str:
    orig = getattr(e, "orig", None)
    text = str(orig if orig is not None else e).strip().splitlines()
    msg = text[0] if text else type(e).__name__
    if "disk" in msg.lower() and "full" in msg.lower():
        msg += " (disk full?)"
    return msg


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
