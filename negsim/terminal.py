"""The war outcome imposed after the last round: a sure position or a lottery.

With ``terminal_outcome: position`` (the default) war gives the battlefield issue the
position ``p(T)``, side a's control at the horizon, as a sure thing. With
``terminal_outcome: lottery`` war is a gamble: side a wins the whole battlefield issue
(position 1) with probability ``p(T)`` and side b wins it (position 0) otherwise, every
other issue taking its war value either way. Each actor's war utility is then the
expected utility

.. math::

    W_i(T) = p(T)\\, u_i(x^{war}_{k \\leftarrow 1}) + (1 - p(T))\\, u_i(x^{war}_{k \\leftarrow 0}),

so an actor whose utility is concave on the issue (curvature ``rho > 1``) values the war
below the sure position, and Fearon's (1995) bargaining range widens by the risk premium.
With linear utilities (``rho = 1``) the two outcomes coincide exactly.

References
----------
J. D. Fearon, "Rationalist explanations for war", International Organization 49(3), 1995,
pp. 386-390 (risk aversion widens the bargaining range).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from negsim.models import spatial

__all__ = ["TerminalOutcome", "war_utilities"]

TerminalOutcome = Literal["position", "lottery"]


def war_utilities(
    space: spatial.SettlementSpace,
    war_position: np.ndarray,
    control: float,
    issue: int | None,
    outcome: TerminalOutcome = "position",
) -> np.ndarray:
    """Every actor's utility of the war imposed after the last round.

    Parameters
    ----------
    space : the settlement space of the last round (for the actors' utilities).
    war_position : (P,) positions war imposes; the battlefield issue holds ``p(T)``.
    control : p(T), side a's control at the horizon (its probability of winning).
    issue : index of the battlefield issue among the positions, None without a battlefield.
    outcome : ``"position"`` (the sure position p(T)) or ``"lottery"``.

    Returns
    -------
    (N,) war utilities: ``u_i(x_war)``, or ``p u_i(x_war | k = 1) + (1 - p) u_i(x_war | k = 0)``.

    Examples
    --------
    Quadratic utility (curvature 2) of an actor whose ideal is 1: the sure position 0.6 is
    worth ``1 - 0.4**2 = 0.84``, the lottery ``0.6 * 1 + 0.4 * 0 = 0.6``.

    >>> space = spatial.SettlementSpace(np.array([[1.0]]), np.array([[1.0]]),
    ...     np.zeros((1, 0)), np.array([2.0]), np.zeros((1, 0), bool), np.zeros(1), np.ones(1))
    >>> war_utilities(space, np.array([0.6]), 0.6, 0).round(12).tolist()
    [0.84]
    >>> war_utilities(space, np.array([0.6]), 0.6, 0, "lottery").round(12).tolist()
    [0.6]
    """
    shares = np.zeros(space.members.shape)
    if outcome == "position" or issue is None:
        return spatial.utilities(space, war_position, shares)
    won, lost = war_position.copy(), war_position.copy()
    won[issue], lost[issue] = 1.0, 0.0
    return control * spatial.utilities(space, won, shares) + (1.0 - control) * spatial.utilities(
        space, lost, shares
    )
