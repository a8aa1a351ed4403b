"""Condor: a broker-side order management system for conditional orders.

Layers (dependencies point inward): ``domain`` <- ``engine`` <- (``store``, ``marketdata``,
``api``) <- ``cli``. See STYLE.md in the shared folder and README.md.
"""

__version__ = "0.1.0"
