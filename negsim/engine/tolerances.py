"""The engine's tolerances, in one place (utilities live on the 0 to 1 scale)."""

from __future__ import annotations

__all__ = [
    "BORDERLINE",
    "CYCLE_MEMORY",
    "MAX_COALITIONS",
    "STATIONARY_MAX_ROUNDS",
    "STATIONARY_TOL",
    "TOL",
]

#: A proposer's value within TOL of its continuation is a deal; offers within TOL tie.
TOL = 1e-9
#: Above this many coalitions to choose from, the proposer buys the cheapest votes.
MAX_COALITIONS = 64
#: The stationary tail's value iteration stops when no value moves by more than this.
STATIONARY_TOL = 1e-12
#: The stationary tail's value iteration gives up after at most this many rounds.
STATIONARY_MAX_ROUNDS = 50_000
#: |lam| within which a linear program's feasibility is left to the general solver.
BORDERLINE = 1e-6
#: Value iterates kept to see which coalitions a cycling stationary tail uses.
CYCLE_MEMORY = 20
