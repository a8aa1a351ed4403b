"""Exact JSON encoding of the engine's inputs (commands, market data) and outputs (events).

Invariant: ``decode(encode(x)) == x`` and ``repr(decode(encode(x))) == repr(x)`` for every
command, market event and engine event, nested causes included. The encoding is:

- a NamedTuple of a registered type: ``{"@": "TypeName", "field": value, ...}`` (fields equal
  to their default, same type and value, are left out);
- an Enum of a registered type: ``{"$": "EnumName", "v": value}``;
- a tuple: a JSON array (every array decodes to a tuple: these types hold no lists);
- ``None``, ``bool``, ``int`` and ``str`` as themselves.

Registered types are looked up by class name, so renaming a class or an enum member is a
journal format change (bump ``CODEC_VERSION`` and migrate). Decimals and floats never occur:
prices are int ticks, sizes int lots, times int ns. Raises ``CodecError`` for anything else.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import Enum
from typing import Any

import orjson

from condor.domain.errors import RejectReason
from condor.domain.groups import commands as G
from condor.domain.groups.model import GroupStatus, Rule, RuleAction, RuleEvent
from condor.domain.groups.templates import GroupKind
from condor.domain.market import (
    Aggressor,
    BookSide,
    L2Delta,
    L2Snapshot,
    QuoteTick,
    TradeTick,
)
from condor.domain.orders import commands as C
from condor.domain.orders import enums as E
from condor.domain.orders.activation import ActivationSpec, PriceCondition
from condor.domain.orders.events import (
    Cause,
    CauseKind,
    CommandRejected,
    ExecutionReport,
    TrailUpdated,
)
from condor.domain.orders.group_events import GroupUpdated

CODEC_VERSION = 1

COMMAND_TYPES: tuple[type, ...] = (
    C.SubmitOrder,
    C.CancelOrder,
    C.ModifyOrder,
    C.ReplaceOrder,
    C.ActivateOrder,
    C.CancelAllOrders,
    C.SubmitBlockTrade,
    C.AdvanceClock,
    C.SetRetention,
    G.CreateGroup,
    G.EditGroup,
    G.DeleteGroup,
)
MARKET_TYPES: tuple[type, ...] = (QuoteTick, TradeTick, L2Snapshot, L2Delta)
EVENT_TYPES: tuple[type, ...] = (ExecutionReport, TrailUpdated, CommandRejected, GroupUpdated)
_PARTS: tuple[type, ...] = (C.TrailSpec, G.MemberSpec, Rule, Cause, ActivationSpec, PriceCondition)
_ENUMS: tuple[type[Enum], ...] = (
    E.Side,
    E.OrdType,
    E.TimeInForce,
    E.OrdStatus,
    E.ExecType,
    E.TriggerBasis,
    E.TriggerCondition,
    E.TrailKind,
    E.PositionEffect,
    RejectReason,
    CauseKind,
    Aggressor,
    BookSide,
    GroupKind,
    GroupStatus,
    RuleEvent,
    RuleAction,
)

TUPLES: dict[str, type] = {
    t.__name__: t for t in (*COMMAND_TYPES, *MARKET_TYPES, *EVENT_TYPES, *_PARTS)
}
ENUMS: dict[str, type[Enum]] = {e.__name__: e for e in _ENUMS}
_FIELDS: dict[type, tuple[str, ...]] = {t: t._fields for t in TUPLES.values()}
_DEFAULTS: dict[type, dict] = {t: t._field_defaults for t in TUPLES.values()}
_NO_DEFAULT = object()
_SCALARS = frozenset((str, int, bool, type(None)))


class CodecError(ValueError):
    """A value the journal cannot represent exactly, or a document it does not understand."""


def _tuple_encoder(t: type, skip: frozenset[str] = frozenset()) -> Callable[[Any], dict]:
    """The encoder of one registered NamedTuple type: its fields in order, a field equal to
    its default (same type and value: exact) left out, scalars inline. A field in ``skip``
    (one whose default is None) is encoded as if it were None: left out."""
    tag = t.__name__
    defaults = t._field_defaults
    plan = tuple(
        (name, _SKIP if name in skip else defaults.get(name, _NO_DEFAULT)) for name in t._fields
    )
    scalars = _SCALARS
    enum_forms = _ENUM_FORMS

    def encode_tuple(x) -> dict:
        d: dict = {"@": tag}
        for (name, dv), v in zip(plan, x, strict=True):
            if v is dv or dv is _SKIP:
                continue
            tv = type(v)
            if tv is type(dv) and v == dv:
                continue
            if tv in scalars:
                d[name] = v
            elif (form := enum_forms.get(tv)) is not None:
                d[name] = {"$": form[0], "v": form[1][v]}
            else:
                d[name] = to_jsonable(v)
        return d

    return encode_tuple


_SKIP = object()
# per registered enum: its name and each member's value (members of two str enums with the
# same value are equal, so they are looked up within their own enum only)
_ENUM_FORMS: dict[type, tuple[str, dict]] = {
    e: (e.__name__, {m: m.value for m in e}) for e in _ENUMS
}
_ENCODERS: dict[type, Callable[[Any], dict]] = {t: _tuple_encoder(t) for t in TUPLES.values()}
_WITHOUT_CAUSE: dict[type, Callable[[Any], dict]] = {
    t: _tuple_encoder(t, frozenset({"cause"}))
    for t in EVENT_TYPES
    if t._field_defaults.get("cause", _NO_DEFAULT) is None
}


def to_jsonable(x: Any) -> Any:
    """The JSON-ready form of ``x`` (dicts, lists, scalars). Raises CodecError."""
    t = type(x)
    if t in _SCALARS:
        return x
    enc = _ENCODERS.get(t)
    if enc is not None:
        return enc(x)
    if isinstance(x, Enum):
        if ENUMS.get(t.__name__) is not t:
            raise CodecError(f"unregistered enum {t.__name__}")
        return {"$": t.__name__, "v": x.value}
    if t is tuple:
        return [to_jsonable(v) for v in x]
    raise CodecError(f"cannot encode {t.__name__}: {x!r}")


def from_jsonable(d: Any) -> Any:
    """Inverse of ``to_jsonable``. Raises CodecError for an unknown type or field."""
    t = type(d)
    if t is dict:
        name = d.get("@")
        if name is not None:
            cls = TUPLES.get(name)
            if cls is None:
                raise CodecError(f"unknown type {name!r}")
            try:
                return cls(**{k: from_jsonable(v) for k, v in d.items() if k != "@"})
            except TypeError as e:
                raise CodecError(f"bad fields for {name}: {e}") from None
        ename = d.get("$")
        if ename is not None:
            enum = ENUMS.get(ename)
            if enum is None:
                raise CodecError(f"unknown enum {ename!r}")
            return enum(d["v"])
        raise CodecError(f"untagged object {d!r}")
    if t is list:
        return tuple(from_jsonable(v) for v in d)
    if t is float:  # orjson reads an int beyond 64 bits as a float: re-read exactly
        raise _Inexact
    return d


class _Inexact(Exception):
    pass


def dumps(obj: Any) -> str:
    """JSON text of an already JSON-ready value (orjson; Python json beyond 64-bit ints)."""
    try:
        return orjson.dumps(obj).decode()
    except TypeError:
        return json.dumps(obj, separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    """Parse JSON text (orjson; see ``decode`` for integers beyond 64 bits)."""
    return orjson.loads(text)


def encode(x: Any) -> str:
    """JSON text of a command, market event or engine event (exact)."""
    return dumps(to_jsonable(x))


def encode_without_cause(ev: Any) -> str:
    """``encode(ev._replace(cause=None))`` for an engine event, without building the copy."""
    enc = _WITHOUT_CAUSE.get(type(ev))
    if enc is None:
        return encode(ev._replace(cause=None))
    return dumps(enc(ev))


def decode(text: str | bytes) -> Any:
    """The value ``encode`` wrote. Raises CodecError."""
    try:
        return from_jsonable(orjson.loads(text))
    except _Inexact:
        return from_jsonable(json.loads(text))
