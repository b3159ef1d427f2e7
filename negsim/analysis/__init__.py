"""Economic readings of a solved scenario beyond its tables.

* :mod:`negsim.analysis.bargaining_range` -- the zone of possible agreement per round;
* :mod:`negsim.sensitivity` (to move here) -- tornado tables and Sobol indices.

Later: claims and the delay decomposition. May import :mod:`negsim.results`,
:mod:`negsim.engine`, :mod:`negsim.models`; never plots, reports or the CLI.
"""
