"""The Coasean logic of screening: with few rounds the uninformed proposer screens; as rounds
get shorter the offers converge (issue 17).

Coase (1972) conjectured, and Gul, Sonnenschein & Wilson (1986, J. Econ. Theory 39) proved
for the gap case, that an uninformed proposer who can make offers ever more often loses the
power to screen: the offers it makes over time converge to one another and trade becomes
immediate. Here the length of a round is ``D`` with the
calendar held fixed (Fudenberg & Tirole 1991, sec. 10.2's game stretched over two units of
time): ``2 / D`` rounds, B's discount ``0.5 ** D`` per round and the pragmatic type's war
cost ``0.1 * D`` per round. Each solve is checked against closed forms and brute force in
``tests/test_screening.py``; this file checks what the sequence shows: the spread between
the first offer and the last one made on the path shrinks with ``D`` (roughly in proportion),
and the proposer's expected payoff falls (it loses the value of screening).
"""

from __future__ import annotations

import negsim

LENGTHS = [1.0, 0.5, 0.25, 0.1]


def _path(length: float) -> tuple[float, float, float]:
    """(first offer, last offer on the path, A's expected payoff) with rounds of ``length``."""
    base = negsim.load("textbook/screening")
    scenario = base.with_changes(
        {
            "rounds": int(round(2 / length)),
            "actors.b.discount": 0.5**length,
            "types.b.pragmatic.changes": {"actors.b.war_cost": 0.1 * length},
        }
    )
    result = negsim.solve(scenario, ["spe"], ex_ante=False)
    chosen = result.screening[result.screening["chosen"]].sort_values("round")
    offers = chosen["return"].to_numpy()  # A's share of the territory in the offer made
    return (
        float(offers[0]),
        float(offers[-1]),
        result.metadata["screening"]["expected_payoffs"]["a"],
    )


def test_offers_converge_as_rounds_get_shorter() -> None:
    paths = [_path(length) for length in LENGTHS]
    spreads = [first - last for first, last, _ in paths]
    assert spreads[0] > 0.15  # two long rounds: A screens (1.0 then 0.8)
    assert all(later < earlier for earlier, later in zip(spreads, spreads[1:], strict=False))
    assert spreads[-1] < 0.15 * spreads[0]  # rounds ten times shorter: spread ~ D
    payoffs = [a for *_, a in paths]
    assert all(later < earlier for earlier, later in zip(payoffs, payoffs[1:], strict=False))
