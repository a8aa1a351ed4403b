"""Condor's native HTTP/WebSocket API: app factory, settings, auth, routes and event stream.

Invariant: nothing here runs at import time; ``create_app(settings)`` builds everything, and the
engine is reached only through ``runtime.Runtime`` (the single writer's one door).
"""
