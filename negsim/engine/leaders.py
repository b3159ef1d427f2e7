r"""Leaders who decide for their states: tenure risk tied to the terms of a settlement.

A leader judged on position issue k loses office after a deal with probability

.. math::

    q_i(x) = q_0 + b \, \max\bigl(0, |x_k - a_{ik}| - |r_i(t) - a_{ik}|\bigr),

how much further the settlement is from the actor's ideal ``a`` than the reference ``r``
(a fixed position, or the battlefield control ``p(t)`` when the deal is made: "territory
held"); ``q_0 + b <= 1`` keeps q a probability. The leader's utility of a deal is the
state's less the expected loss on removal L,

.. math:: u^L_i(x) = u_i(x) - q_i(x) \, L_i,

and war or no deal carry no removal risk (the leader keeps office while fighting: Downs &
Rocke 1994; Goemans 2000 *War and Punishment*; Chiozza & Goemans 2011; Croco 2011). The
leader's horizon is the actor's ``horizon``. The leader decides: the proposer offers
what leaders accept and, when it has a leader itself, maximises its leader's utility.
With a constant risk (``slope`` 0) the leader's floor is the state's plus ``q_0 L``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from negsim.models.spatial import Penalty
from negsim.scenario import Scenario

__all__ = ["LeaderArrays", "expected_losses", "leader_arrays", "penalties"]


@dataclass(frozen=True)
class LeaderArrays:
    """The leaders of one scenario over T rounds and N actors (only leaders whose removal
    risk can cost something: ``removal_loss * (base_risk + slope) > 0``)."""

    actors: np.ndarray  # (M,) actor indices
    issue: np.ndarray  # (M,) position-issue indices
    ideal: np.ndarray  # (T, M) the actor's ideal on its issue
    reference: np.ndarray  # (T, M) NaN where the reference is the battlefield control
    base_risk: np.ndarray  # (M,)
    slope: np.ndarray  # (M,)
    loss: np.ndarray  # (M,)


def leader_arrays(s: Scenario, positions: list[str]) -> LeaderArrays | None:
    """The scenario's leaders as arrays, or None when no leader risks anything."""
    rows = []
    for i, actor in enumerate(s.actors.values()):
        lead = actor.leader
        if lead is None or lead.removal_loss * (lead.base_risk + lead.slope) <= 0:
            continue
        ref = np.full(s.rounds, np.nan if lead.reference == "control" else float(lead.reference))
        ideal = s.series(actor.ideal[lead.issue])
        rows.append((i, positions.index(lead.issue), ideal, ref, lead))
    if not rows:
        return None
    return LeaderArrays(
        actors=np.array([r[0] for r in rows]),
        issue=np.array([r[1] for r in rows]),
        ideal=np.stack([r[2] for r in rows], axis=1),
        reference=np.stack([r[3] for r in rows], axis=1),
        base_risk=np.array([r[4].base_risk for r in rows]),
        slope=np.array([r[4].slope for r in rows]),
        loss=np.array([r[4].removal_loss for r in rows]),
    )


def penalties(leaders: LeaderArrays, control: np.ndarray, t: int) -> list[Penalty]:
    """Every leader's expected removal loss ``q(x) L`` at round t as a :class:`Penalty`."""
    out = []
    for m, actor in enumerate(leaders.actors.tolist()):
        ref = leaders.reference[t, m]
        ref = control[t] if np.isnan(ref) else ref
        centre = float(leaders.ideal[t, m])
        out.append(
            Penalty(
                actor=actor,
                issue=int(leaders.issue[m]),
                centre=centre,
                free=abs(float(ref) - centre),
                constant=float(leaders.loss[m] * leaders.base_risk[m]),
                slope=float(leaders.loss[m] * leaders.slope[m]),
            )
        )
    return out


def expected_losses(pens: list[Penalty], n_actors: int, x: np.ndarray) -> np.ndarray:
    """(N,) expected removal loss ``q_i(x) L_i`` of each actor's leader (0 without one)."""
    out = np.zeros(n_actors)
    for pen in pens:
        out[pen.actor] += pen.of(x)
    return out
