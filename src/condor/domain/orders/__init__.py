"""Orders: enums (FIX vocabulary), the status transition table, the order aggregate, commands
(imperative) and events (past tense)."""
