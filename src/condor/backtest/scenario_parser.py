"""The scenario file parser: YAML/TOML data -> a checked ``condor.backtest.scenario.Scenario``.

Invariant: every failure raises ``ScenarioError`` naming the field path (``placements[2].
members[1].price``) and, for YAML, the line of the offending key (or of its mapping): YAML
mappings are loaded as ``_Map`` dicts that remember their lines. Nothing here touches the
engine; prices and quantities are converted on the instrument's grids, never rounded.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from condor.backtest.scenario import (
    CONDITION_RE,
    PRICE_RE,
    AccountSpec,
    Condition,
    OrderSpec,
    Placement,
    PriceExpr,
    Scenario,
    ScenarioError,
    Trigger,
    WallTime,
    utc_ns,
)
from condor.domain.book.external import FillModel
from condor.domain.errors import DomainError
from condor.domain.groups.templates import GroupKind, rules_for
from condor.domain.instruments import AssetClass, Instrument
from condor.domain.orders.enums import OrdType, Side, TimeInForce, TrailKind, TriggerBasis
from condor.domain.values import to_decimal


class _Map(dict):
    """A YAML mapping that remembers its line and each key's line (1-based)."""

    line: int | None = None
    key_lines: dict


class YamlLoader(yaml.SafeLoader):
    pass


def _construct_map(loader: YamlLoader, node: yaml.MappingNode) -> _Map:
    m = _Map(loader.construct_pairs(node, deep=True))
    m.line = node.start_mark.line + 1
    m.key_lines = {k.value: k.start_mark.line + 1 for k, _ in node.value if hasattr(k, "value")}
    return m


YamlLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)


class Parser:
    """Checks one scenario document; ``path`` is only used in error messages."""

    def __init__(self, path) -> None:
        self.path = path

    # errors name the field and, for YAML, the line of the key (or of the mapping)
    def fail(self, text: str, field: str, where: Any = None, key: str | None = None):
        line = None
        if isinstance(where, _Map):
            line = where.key_lines.get(key, where.line) if key is not None else where.line
        raise ScenarioError(text, field, line, self.path)

    def mapping(self, v, field: str, parent=None, key=None) -> dict:
        if not isinstance(v, dict):
            self.fail("must be a mapping", field, parent, key)
        return v

    def only(self, m: dict, allowed: set[str], field: str) -> None:
        for k in m:
            if k not in allowed:
                known = ", ".join(sorted(allowed))
                self.fail(f"unknown field {k!r} (known: {known})", f"{field}.{k}".lstrip("."), m, k)  # fmt: skip

    def get_str(self, m, key, field, default=None, required=False) -> str | None:
        v = m.get(key, default)
        if v is None:
            if required:
                self.fail("is required", f"{field}.{key}".lstrip("."), m)
            return None
        if not isinstance(v, (str, int)) or isinstance(v, bool):
            self.fail("must be a string", f"{field}.{key}".lstrip("."), m, key)
        return str(v)

    def decimal(self, m, key, field) -> Decimal:
        v = m.get(key)
        try:
            return to_decimal(v, key)
        except DomainError as e:
            self.fail(e.text, f"{field}.{key}".lstrip("."), m, key)

    def enum(self, m, key, enum, field, default=None):
        v = m.get(key, default)
        if v is None or isinstance(v, enum):
            return v
        for e in enum:
            if str(v).replace("_", "").lower() in (e.value.replace("-", "").lower(), e.name.replace("_", "").lower()):  # fmt: skip
                return e
        allowed = ", ".join(e.value for e in enum)
        self.fail(f"{v!r} is not one of {allowed}", f"{field}.{key}".lstrip("."), m, key)

    def positive_int(self, m, key, field, required=True) -> int | None:
        v = m.get(key)
        if v is None and not required:
            return None
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            self.fail("must be a positive whole number", f"{field}.{key}".lstrip("."), m, key)
        return v

    # -- top level -------------------------------------------------------------------------
    def scenario(self, data) -> Scenario:
        top = self.mapping(data, "(file)")
        self.only(top, {"instrument", "timezone", "sessions", "fill_model", "accounts",
                        "placements", "end"}, "")  # fmt: skip
        self.inst = self.instrument(self.mapping(top.get("instrument"), "instrument", top, "instrument"))  # fmt: skip
        tzname = self.get_str(top, "timezone", "", default="America/New_York")
        try:
            self.tz = ZoneInfo(tzname)
        except (ZoneInfoNotFoundError, ValueError):
            self.fail(f"unknown time zone {tzname!r}", "timezone", top, "timezone")
        sessions = top.get("sessions", True)
        if not isinstance(sessions, bool):
            self.fail("must be true or false", "sessions", top, "sessions")
        fill = self.enum(top, "fill_model", FillModel, "", FillModel.TOUCH)
        accounts = self.accounts(top.get("accounts"), top)
        self.account_ids = {a.account_id for a in accounts}
        pl = top.get("placements")
        if not isinstance(pl, list) or not pl:
            self.fail("must be a non-empty list", "placements", top, "placements")
        placements = tuple(self.placement(p, f"placements[{i}]", i) for i, p in enumerate(pl))
        names = [p.name for p in placements]
        for i, n in enumerate(names):
            if names.index(n) != i:
                self.fail(f"duplicate placement name {n!r}", f"placements[{i}].name", pl[i], "name")  # fmt: skip
        end = self.wall(top, "end", "") if "end" in top else None
        return Scenario(self.inst, self.tz, sessions, fill, accounts, placements, end)

    def instrument(self, m) -> Instrument:
        f = "instrument"
        self.only(m, {"symbol", "tick", "lot", "currency", "asset_class", "venue", "calendar",
                      "multiplier", "quotes_only"}, f)  # fmt: skip
        symbol = self.get_str(m, "symbol", f, required=True)
        ac = self.enum(m, "asset_class", AssetClass, f, AssetClass.EQUITY)
        qo = m.get("quotes_only", False)
        if not isinstance(qo, bool):
            self.fail("must be true or false", f"{f}.quotes_only", m, "quotes_only")
        try:
            return Instrument(
                symbol, ac, self.get_str(m, "venue", f, default="SIM"),
                self.decimal(m, "tick", f) if "tick" in m else Decimal("0.01"),
                self.decimal(m, "lot", f) if "lot" in m else Decimal(1),
                currency=self.get_str(m, "currency", f, default="USD"),
                calendar=self.get_str(m, "calendar", f, default="us-equity"),
                multiplier=self.decimal(m, "multiplier", f) if "multiplier" in m else Decimal(1),
                has_trades=not qo,
            )  # fmt: skip
        except ValueError as e:
            self.fail(str(e), f, m)

    def accounts(self, v, top) -> tuple[AccountSpec, ...]:
        if v is None:
            return (AccountSpec("BACKTEST", Decimal(10) ** 12),)
        if not isinstance(v, list) or not v:
            self.fail("must be a non-empty list", "accounts", top, "accounts")
        out = []
        for i, a in enumerate(v):
            f = f"accounts[{i}]"
            m = self.mapping(a, f)
            self.only(m, {"id", "cash", "position", "position_price"}, f)
            aid = self.get_str(m, "id", f, required=True)
            cash = self.decimal(m, "cash", f) if "cash" in m else Decimal(10) ** 12
            pos = m.get("position", 0)
            if not isinstance(pos, int) or isinstance(pos, bool):
                self.fail("must be a whole number of lots", f"{f}.position", m, "position")
            pp = self.price_abs(m, "position_price", f) if pos else 0
            out.append(AccountSpec(aid, cash, pos, pp))
        return tuple(out)

    def price_abs(self, m, key, field) -> int:
        try:
            return self.inst.price_to_ticks(m.get(key), key)
        except DomainError as e:
            self.fail(e.text, f"{field}.{key}", m, key)

    def wall(self, m, key, field) -> WallTime:
        v = m.get(key)
        f = f"{field}.{key}".lstrip(".")
        if isinstance(v, datetime):
            if v.tzinfo is None:
                v = v.replace(tzinfo=self.tz)
            return WallTime(ns=utc_ns(v))
        if isinstance(v, time):  # TOML local time
            return WallTime(of_day=v)
        if isinstance(v, int) and not isinstance(v, bool) and ":" not in str(v):
            # YAML 1.1 reads 10:00 as a sexagesimal int (600): take it back as minutes
            return WallTime(of_day=time(v // 60 % 24, v % 60)) if v < 24 * 60 else self.fail(
                "must be a time HH:MM[:SS] or an ISO date-time", f, m, key)  # fmt: skip
        if isinstance(v, str):
            s = v.strip()
            try:
                if "T" in s or " " in s:
                    dt = datetime.fromisoformat(s)
                    if dt.tzinfo is None:
                        dt = dt.replace(tzinfo=self.tz)
                    return WallTime(ns=utc_ns(dt))
                return WallTime(of_day=time.fromisoformat(s))
            except ValueError:
                pass
        if isinstance(v, date):
            self.fail("a date needs a time of day", f, m, key)
        self.fail(f"{v!r} is not a time HH:MM[:SS] or an ISO date-time", f, m, key)

    # -- placements ------------------------------------------------------------------------
    def placement(self, p, field: str, i: int) -> Placement:
        m = self.mapping(p, field)
        self.only(m, {"name", "at", "when", "every", "count", "after", "before", "order",
                      "group", "bracket", "account"}, field)  # fmt: skip
        name = self.get_str(m, "name", field, default=f"p{i + 1}")
        trig = self.trigger(m, field)
        bodies = [k for k in ("order", "group", "bracket") if k in m]
        if len(bodies) != 1:
            self.fail("needs exactly one of order, group, bracket", field, m)
        acct = self.get_str(m, "account", field)
        if acct is None and len(self.account_ids) == 1:
            acct = next(iter(self.account_ids))
        body = bodies[0]
        if body == "order":
            o = self.order(m["order"], f"{field}.order", acct, "order")
            return Placement(name, trig, None, (o,))
        if body == "bracket":
            kind, members = GroupKind.BRACKET, self.bracket(m["bracket"], f"{field}.bracket", acct)
            return Placement(name, trig, kind, members)
        g = self.mapping(m["group"], f"{field}.group", m, "group")
        self.only(g, {"kind", "members"}, f"{field}.group")
        kind = self.enum(g, "kind", GroupKind, f"{field}.group")
        if kind is None or kind is GroupKind.CUSTOM:
            self.fail("a named group kind is required (Custom needs rules)", f"{field}.group.kind", g, "kind")  # fmt: skip
        ms = g.get("members")
        if not isinstance(ms, list) or len(ms) < 2:
            self.fail("must list at least two orders", f"{field}.group.members", g, "members")
        members = tuple(
            self.order(o, f"{field}.group.members[{j}]", acct, f"m{j}") for j, o in enumerate(ms)
        )
        try:
            rules_for(kind, len(members), [o.role for o in members])
        except ValueError as e:
            self.fail(str(e), f"{field}.group", g)
        return Placement(name, trig, kind, members)

    def trigger(self, m, field) -> Trigger:
        kinds = [k for k in ("at", "when", "every") if k in m]
        if len(kinds) != 1:
            self.fail("needs exactly one of at, when, every", field, m)
        at = self.wall(m, "at", field) if "at" in m else None
        when = None
        if "when" in m:
            s = m["when"]
            mt = CONDITION_RE.match(s) if isinstance(s, str) else None
            if mt is None:
                self.fail(f"{s!r} is not '<touch|bid|ask|mid|last> <op> <price>'", f"{field}.when", m, "when")  # fmt: skip
            try:
                ticks = self.inst.price_to_ticks(mt[3], "when")
            except DomainError as e:
                self.fail(e.text, f"{field}.when", m, "when")
            when = Condition(mt[1], mt[2], ticks)
        every = self.positive_int(m, "every", field) if "every" in m else None
        count = self.positive_int(m, "count", field, required=False)
        if count is not None and every is None:
            self.fail("count goes with every", f"{field}.count", m, "count")
        after = self.wall(m, "after", field) if "after" in m else None
        before = self.wall(m, "before", field) if "before" in m else None
        if at is not None and (after or before):
            self.fail("after/before go with when or every", field, m)
        return Trigger(at, when, every, count, after, before)

    def bracket(self, b, field, acct) -> tuple[OrderSpec, ...]:
        m = self.mapping(b, field)
        self.only(m, {"side", "qty", "entry", "offset", "take_profit", "stop_loss", "tif",
                      "account"}, field)  # fmt: skip
        acct = self.get_str(m, "account", field, default=acct)
        self.check_account(acct, m, field)
        side = self.enum(m, "side", Side, field)
        if side not in (Side.BUY, Side.SELL):
            self.fail("must be Buy or Sell", f"{field}.side", m, "side")
        qty = self.lots(m, "qty", field)
        off = self.positive_int(m, "offset", field, required=False)
        tp = self.positive_int(m, "take_profit", field, required=False) or off
        sl = self.positive_int(m, "stop_loss", field, required=False) or off
        if tp is None or sl is None:
            self.fail("needs offset, or take_profit and stop_loss (ticks from the touch)", field, m)  # fmt: skip
        tif = self.enum(m, "tif", TimeInForce, field, TimeInForce.GTC)
        entry = m.get("entry", "market")
        if isinstance(entry, str) and entry.strip().lower() == "market":
            e_type, e_price = OrdType.MARKET, None
        else:
            e_type, e_price = OrdType.LIMIT, self.price(m, "entry", field)
        buy = side is Side.BUY
        open_side = Side.BUY if buy else Side.SELL_SHORT
        close = Side.SELL if buy else Side.BUY_TO_COVER
        ref_e = e_price if e_price is not None else PriceExpr("touch", 0)
        sign = 1 if buy else -1
        tp_px = PriceExpr(ref_e.ref, ref_e.ticks + sign * tp)
        sl_px = PriceExpr(ref_e.ref, ref_e.ticks - sign * sl)
        return (
            OrderSpec("entry", acct, open_side, e_type, qty, price=e_price, tif=tif),
            OrderSpec("take_profit", acct, close, OrdType.LIMIT, qty, price=tp_px, tif=tif),
            OrderSpec("stop_loss", acct, close, OrdType.STOP_MARKET, qty, stop=sl_px, tif=tif),
        )

    def check_account(self, acct, m, field) -> None:
        if acct is None:
            self.fail("an account is required (several accounts are defined)", f"{field}.account", m)  # fmt: skip
        if acct not in self.account_ids:
            self.fail(f"unknown account {acct!r}", f"{field}.account", m, "account")

    def lots(self, m, key, field) -> int:
        if key not in m:
            self.fail("is required", f"{field}.{key}", m)
        try:
            q = self.inst.qty_to_lots(m[key], key)
        except DomainError as e:
            self.fail(e.text, f"{field}.{key}", m, key)
        if q <= 0:
            self.fail("must be positive", f"{field}.{key}", m, key)
        return q

    def price(self, m, key, field) -> PriceExpr | None:
        v = m.get(key)
        if v is None:
            return None
        if isinstance(v, str) and (mt := PRICE_RE.match(v)):
            n = int(mt[3] or 0)
            return PriceExpr(mt[1], -n if mt[2] == "-" else n)
        try:
            return PriceExpr(None, self.inst.price_to_ticks(v, key))
        except DomainError as e:
            self.fail(f"{e.text} (or use touch|bid|ask|mid|last +/- N ticks)", f"{field}.{key}", m, key)  # fmt: skip

    def order(self, o, field, acct, default_role) -> OrderSpec:
        m = self.mapping(o, field)
        self.only(m, {"role", "account", "side", "type", "qty", "price", "stop", "tif",
                      "extended", "display_qty", "expire", "trail", "basis"}, field)  # fmt: skip
        acct = self.get_str(m, "account", field, default=acct)
        self.check_account(acct, m, field)
        role = self.get_str(m, "role", field, default=default_role)
        side = self.enum(m, "side", Side, field)
        if side is None:
            self.fail("is required", f"{field}.side", m)
        ot = self.enum(m, "type", OrdType, field)
        if ot is None or ot is OrdType.BLOCK_TRADE:
            self.fail("is required (Market, Limit, StopMarket, StopLimit, TrailingStopMarket, TrailingStopLimit)", f"{field}.type", m, "type")  # fmt: skip
        qty = self.lots(m, "qty", field)
        price = self.price(m, "price", field)
        stop = self.price(m, "stop", field)
        if ot.has_limit and price is None:
            self.fail(f"a {ot.value} order needs a price", f"{field}.price", m)
        if ot in (OrdType.STOP_MARKET, OrdType.STOP_LIMIT) and stop is None:
            self.fail(f"a {ot.value} order needs a stop", f"{field}.stop", m)
        tif = self.enum(m, "tif", TimeInForce, field, TimeInForce.DAY)
        ext = m.get("extended", False)
        if not isinstance(ext, bool):
            self.fail("must be true or false", f"{field}.extended", m, "extended")
        disp = self.lots(m, "display_qty", field) if "display_qty" in m else None
        expire = self.wall(m, "expire", field) if "expire" in m else None
        if (tif is TimeInForce.GTD) != (expire is not None):
            self.fail("expire goes with tif GTD (and GTD needs it)", f"{field}.expire", m)
        basis = self.enum(m, "basis", TriggerBasis, field)
        kind = off = lim = act = None
        if ot.is_trailing:
            kind, off, lim, act = self.trail(m.get("trail"), f"{field}.trail", m)
            if ot is OrdType.TRAILING_STOP_LIMIT and lim is None:
                self.fail("a TrailingStopLimit needs trail.limit_offset", f"{field}.trail", m, "trail")  # fmt: skip
        elif "trail" in m:
            self.fail(f"a {ot.value} order has no trail", f"{field}.trail", m, "trail")
        return OrderSpec(role, acct, side, ot, qty, price, stop, tif, ext, disp, expire,
                         kind, off, lim, act, basis)  # fmt: skip

    def trail(self, t, field, parent):
        m = self.mapping(t, field, parent, "trail")
        self.only(m, {"ticks", "amount", "percent", "limit_offset", "activation"}, field)
        given = [k for k in ("ticks", "amount", "percent") if k in m]
        if len(given) != 1:
            self.fail("needs exactly one of ticks, amount, percent", field, m)
        k = given[0]
        if k == "ticks":
            kind, off = TrailKind.TICKS, self.positive_int(m, "ticks", field)
        elif k == "amount":
            kind, off = TrailKind.AMOUNT, self.price_abs(m, "amount", field)
        else:
            pct = self.decimal(m, "percent", field)
            ppm = pct * 10_000
            if ppm != int(ppm) or ppm <= 0:
                self.fail("must be a positive percentage with at most 4 decimals", f"{field}.percent", m, "percent")  # fmt: skip
            kind, off = TrailKind.PERCENT, int(ppm)
        if off <= 0:
            self.fail("must be positive", f"{field}.{k}", m, k)
        lim = self.positive_int(m, "limit_offset", field, required=False)
        act = self.price(m, "activation", field)
        return kind, off, lim, act
