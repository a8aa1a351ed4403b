"""Case-insensitive Alor paths (clients.md: ``/md/v2/Clients`` and ``/md/v2/clients`` alike,
``stopLimit`` and ``stoplimit`` alike; AlorPy's ``/commandapi/api/orderGroups<id>``).

Invariant: a pure ASGI middleware that rewrites only the static segments of this dialect's two
prefixes (``/md/v2/clients/...``, ``/commandapi/...``) to their canonical casing, inserts
the missing ``/`` of ``orderGroups<id>`` and drops trailing slashes (``orderGroups/`` is
answered as ``orderGroups``, not redirected with a 307); path parameters (exchange,
portfolio, order and group ids) are never changed. Other paths pass untouched. (``actions/<kind>`` and
``orders|stoporders`` are matched case-insensitively by the routes themselves.)
"""

from __future__ import annotations

_MD = ("md", "v2", "Clients")
_ORDERS = ("commandapi", "warptrans", "TRADE", "v2", "client", "orders")
_GROUPS = ("commandapi", "api", "orderGroups")
_STATIC_AFTER_ORDERS = {"actions": "actions", "all": "all", "estimate": "estimate"}


def _canon(segs: list[str], canon: tuple[str, ...]) -> bool:
    n = len(canon)
    if len(segs) < n + 1 or [s.lower() for s in segs[1 : n + 1]] != [c.lower() for c in canon]:
        return False
    segs[1 : n + 1] = canon
    return True


def canonical(path: str) -> str:
    """``path`` with this dialect's static segments in canonical casing."""
    low = path.lower()
    if not (low.startswith("/md/") or low.startswith("/commandapi/")):
        return path
    path = path.rstrip("/")  # answered directly, not redirected (307) to the slashless path
    segs = path.split("/")
    if _canon(segs, _MD):
        return "/".join(segs)
    if _canon(segs, _ORDERS):
        n = len(_ORDERS) + 1
        if len(segs) > n:
            segs[n] = _STATIC_AFTER_ORDERS.get(segs[n].lower(), segs[n])
            if segs[n] == "estimate" and len(segs) > n + 1 and segs[n + 1].lower() == "all":
                segs[n + 1] = "all"
        return "/".join(segs)
    if _canon(segs, _GROUPS):
        return "/".join(segs)
    if len(segs) >= 4 and segs[1].lower() == "commandapi" and segs[2].lower() == "api":
        head = segs[3]
        if head.lower().startswith("ordergroups") and len(head) > len("orderGroups"):
            segs[1:4] = ["commandapi", "api", "orderGroups", head[len("orderGroups") :]]
            return "/".join(segs)
    return path


class AlorPaths:
    """ASGI middleware applying ``canonical`` to http and websocket scopes."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket"):
            path = scope.get("path", "")
            new = canonical(path)
            if new != path:
                scope = dict(scope)
                scope["path"] = new
                scope["raw_path"] = new.encode()
        await self.app(scope, receive, send)
