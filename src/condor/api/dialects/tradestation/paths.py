"""Case-insensitive ``/v2`` paths (wire-formats.md 1.2: "URLs are not case sensitive").

Invariant: only the static segments of TradeStation's own route patterns are rewritten to their
canonical lowercase form; path parameters (order ids, account keys, user ids) pass unchanged;
a path that matches no pattern keeps its segments, only its ``/v2`` prefix is lowercased (so
that the dialect's fallback answers it in TradeStation's format). A trailing slash is dropped
(seed 001 posts to ``/v2/orders/``).
"""

from __future__ import annotations

PREFIX = "v2"
_PARAM = None

# each pattern: segments after "/v2"; None marks a path parameter
PATTERNS: tuple[tuple[str | None, ...], ...] = (
    ("security", "authorize"),
    ("authorize",),
    ("orders",),
    ("orders", "confirm"),
    ("orders", "groups"),
    ("orders", "groups", "confirm"),
    ("orders", _PARAM),
    ("accounts", _PARAM, "orders"),
    ("users", _PARAM, "accounts"),
    ("orderexecution", "activationtriggers"),
    ("orderexecution", "exchanges"),
    ("jsonp", "orders", "send"),
    ("jsonp", "orders", "confirm"),
    ("jsonp", "orders", "groups", "confirm"),
    ("jsonp", "orders", _PARAM, "cancel"),
    ("jsonp", "orders", _PARAM, "cancelreplace"),
)


def canonical(path: str) -> str | None:
    """The canonical form of a ``/v2`` path, or None when it is not one of ours."""
    parts = path.rstrip("/").split("/")
    if len(parts) < 3 or parts[0] != "" or parts[1].lower() != PREFIX:
        return None
    rest = parts[2:]
    for pat in PATTERNS:  # static patterns come before parameterised ones of equal length
        if len(pat) != len(rest):
            continue
        if all(p is None or p == s.lower() for p, s in zip(pat, rest, strict=True)):
            out = [s if p is None else p for p, s in zip(pat, rest, strict=True)]
            return "/" + PREFIX + "/" + "/".join(out)
    return None


class CaseInsensitivePaths:
    """Pure ASGI middleware: rewrites ``scope["path"]`` (and ``raw_path``) of ``/v2`` requests
    to ``canonical(path)``."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope["path"] if scope["type"] == "http" else ""
        if path[:4].lower() == "/v2/" or path.lower() == "/v2":
            new = canonical(path) or "/v2/" + path[4:]
            if new != path:
                scope = dict(scope)
                scope["path"] = new
                scope["raw_path"] = new.encode()
        await self.app(scope, receive, send)
