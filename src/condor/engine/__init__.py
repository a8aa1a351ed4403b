"""The single writer: command handlers, matching on the simulated venue, cascades, timers."""
