"""Wire-compatible dialects of the broker APIs that started the project (seeds 000-004).

Each dialect is one sub-package (``tradestation``, ``alor``, ``sway``, ``alphapoint``) with the
same file set: ``schemas`` (its wire objects), ``mapping`` (to engine commands and from engine
state), ``routes`` (its HTTP/WebSocket endpoints), ``errors`` (its own error format), and an
``install(app)`` that mounts them. Dialects translate; they hold no business rule (groups,
matching and sessions live in the engine) and never import each other (an import-linter
contract).

``install_all(app, names)`` mounts the dialects that ``Settings.dialects`` names (empty: every
dialect found here), so an existing client works by changing only its base URL.
"""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import FastAPI


def available() -> tuple[str, ...]:
    """The dialect packages present, sorted by name."""
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg))


def install_all(app: FastAPI, names: list[str] | tuple[str, ...] = ()) -> tuple[str, ...]:
    """Mount ``names`` (empty: all ``available()``); return what was mounted. Raises
    ValueError naming a dialect that does not exist."""
    have = available()
    chosen = tuple(names) or have
    unknown = [n for n in chosen if n not in have]
    if unknown:
        raise ValueError(f"unknown dialect(s) {unknown}; available: {list(have)}")
    for name in chosen:
        importlib.import_module(f"{__name__}.{name}").install(app)
    return chosen
