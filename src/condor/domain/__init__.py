"""Pure domain model: no I/O, no asyncio, no framework. Prices are integer ticks, quantities
integer lots; Decimal appears only at the edges (``values``)."""
