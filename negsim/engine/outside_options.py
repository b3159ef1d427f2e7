r"""Outside options: an actor may end the negotiation by taking its option.

Each round, an actor that is not proposing may, instead of answering, take its outside
option: the game ends and every actor j gets ``O_i[j](t)``. So a responder accepts an offer
only if it gives at least ``max(C_i(t), O_i[i](t))`` -- its continuation value or its
option -- and, when no acceptable offer is made, the first actor (in file order) whose
option beats its continuation value takes it. The proposer therefore pays a responder
its option only when the option beats what waiting is worth: the outside option
principle (Binmore, Rubinstein & Wolinsky 1986; Muthoo 1999, Proposition 5.4,
:func:`negsim.models.outside_option_share`).
"""

from __future__ import annotations

import numpy as np

from negsim.scenario import Scenario

__all__ = ["opt_out", "outside_arrays"]


def outside_arrays(s: Scenario) -> np.ndarray | None:
    """(T, N, N) payoffs ``O[t, i, j]`` to actor j when actor i opts out at round t (NaN
    rows for actors without an option), or None when nobody has one."""
    if all(a.outside_option is None for a in s.actors.values()):
        return None
    names = list(s.actors)
    out = np.full((s.rounds, len(names), len(names)), np.nan)
    for i, actor in enumerate(s.actors.values()):
        if actor.outside_option is not None:
            for j, name in enumerate(names):
                out[:, i, j] = s.series(actor.outside_option.payoffs[name])
    return out


def opt_out(
    options: np.ndarray, t: int, proposer: int, continuation: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """Who opts out when an offer is refused or none is made at round t, for n points.

    ``continuation``: (n, N). Returns ``taken`` (n,), True where some responder's own
    option beats its continuation value (by more than ``tol``), and (n, N) the payoffs of
    the first such responder's option (NaN where nobody opts out).
    """
    n, N = continuation.shape
    taken = np.zeros(n, dtype=bool)
    payoffs = np.full((n, N), np.nan)
    for i in range(options.shape[1]):
        if i == proposer:
            continue
        takes = ~taken & (options[t, i, i] > continuation[:, i] + tol)
        payoffs[takes] = options[t, i]
        taken |= takes
    return taken, payoffs
