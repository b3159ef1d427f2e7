"""Self-enforcing deals: a settlement nobody would later abandon for war.

With ``deals: binding`` (the default) an agreement ends the game. With
``deals: self_enforcing`` a settlement reached at round t must also be worth, to every
member of the coalition that makes it (the proposer included), at least the actor's
threat point -- the value of going back to war -- at every later round along the
projected power path:

.. math::

    u_i(x) \\ge E_i(t) = \\max_{s > t,\\ r' \\in \\mathcal{R}_s(r)} W_i(s, r'),

where ``W_i(s, r') = w_i(s) + delta_i(s) E[W_i(s+1)]`` is the engine's threat point
(discounted exactly as the engine discounts) and ``R_s(r)`` the regimes reachable from r
in ``s - t`` steps. A settlement is valued ``u_i(x)`` from whatever round it is judged,
so the condition compares like with like. Later rounds are ``t + 1 .. T - 1`` with
``terminal: war`` (after T the war outcome is imposed only if nobody agreed) and every
round after t, the repeating tail included, with ``terminal: stationary``. When power
shifts fast, some member's future threat point exceeds what any settlement acceptable to
the others can give, no self-enforcing settlement exists and the war goes on (Powell
2006).

References
----------
R. Powell, "War as a commitment problem", International Organization 60(1), 2006,
pp. 169-203.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

__all__ = ["Deals", "enforcement_floors"]

Deals = Literal["binding", "self_enforcing"]


def enforcement_floors(threat: np.ndarray, transition: np.ndarray, stationary: bool) -> np.ndarray:
    """The least utility ``E_i(t, r)`` a self-enforcing settlement must give each actor.

    Parameters
    ----------
    threat : (T + 1, R, N) threat points ``W(t, r)``; row T is the war outcome
        (``terminal: war``) or the value of the repeating tail (``terminal: stationary``).
    transition : (R, R) regime transition matrix.
    stationary : whether the last round repeats for ever (row T is then a later round of
        every round, and of the tail itself).

    Returns
    -------
    (T + 1, R, N) floors; row t for a deal at round t, row T for a deal in the repeating
    tail; ``-inf`` where no later round exists.

    Examples
    --------
    One regime, threat points rising towards the end: a deal at round 0 must beat the
    highest later one.

    >>> w = np.array([[[0.1]], [[0.3]], [[0.2]], [[0.9]]])
    >>> enforcement_floors(w, np.ones((1, 1)), stationary=False)[:, 0, 0].tolist()
    [0.3, 0.2, -inf, -inf]
    >>> enforcement_floors(w, np.ones((1, 1)), stationary=True)[:, 0, 0].tolist()
    [0.9, 0.9, 0.9, 0.9]
    """
    T = threat.shape[0] - 1
    R, N = threat.shape[1], threat.shape[2]
    reach = transition > 0  # regimes reachable in one step
    floors = np.full((T + 1, R, N), -np.inf)
    if stationary:  # the tail repeats: every regime it can reach, at every later round
        closure = np.eye(R, dtype=bool) | reach
        for _ in range(R):
            closure = closure | (closure.astype(int) @ reach.astype(int) > 0)
        tail = np.stack([threat[T][closure[r]].max(axis=0) for r in range(R)])
        floors[T] = tail
    later = floors[T].copy()  # max over rounds s > t of the threat points reachable from r
    last = T if stationary else T - 1
    for t in reversed(range(last)):
        at_next = threat[t + 1] if t + 1 < T or stationary else np.full((R, N), -np.inf)
        # reachable from r in one step, then the best from there on
        nxt = np.maximum(at_next, later)
        later = np.stack(
            [nxt[reach[r]].max(axis=0) if reach[r].any() else nxt[r] for r in range(R)]
        )
        floors[t] = later
    return floors
