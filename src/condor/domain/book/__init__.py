"""The venue's data structures: client order book (price levels, FIFO), trigger index for stops
and trailing stops, and the external market's state."""
