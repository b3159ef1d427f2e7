"""Deadlines: what passing one without a deal costs, as the solve anticipates it.

A deadline belongs to the actor who set it. If round ``t_d`` passes without a deal the
setter pays ``penalty`` in that round and, for a ``public`` deadline, an audience cost
``c`` (Fearon 1994): once (in round ``t_d``) or in every round from ``t_d`` on
(``audience_cost_paid: every_round``). These costs enter the setter's per-round payoff of
disagreement ``w_i(t)``, so they lower its threat point and continuation values before
the deadline and make it concede more to settle in time. A deadline with
``credible: false`` is one that nobody expects to be enforced: its costs are left out of
everyone's continuation values, so it cannot change the equilibrium.

What deadlines cannot do: they do not end the negotiation, do not force a deal, and
cost nobody but their setter; a deadline that falls after the equilibrium agreement, or
whose cost is too small to change who gains by waiting, changes nothing (the summary
says so by solving the scenario without it).
"""

from __future__ import annotations

import numpy as np

from negsim.scenario import Scenario

__all__ = ["deadline_costs"]


def deadline_costs(s: Scenario) -> np.ndarray:
    """(T, N) the cost each actor's credible deadlines add to its per-round payoff of
    disagreement in each round (subtracted from ``w_i(t)``)."""
    cost = np.zeros((s.rounds, len(s.actors)))
    for i, actor in enumerate(s.actors.values()):
        for d in actor.deadlines:
            if not d.credible:
                continue
            cost[d.round, i] += d.penalty
            if d.public and d.audience_cost > 0:
                if d.audience_cost_paid == "once":
                    cost[d.round, i] += d.audience_cost
                else:
                    cost[d.round :, i] += d.audience_cost
    return cost
