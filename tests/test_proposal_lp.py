"""The engine's warm HiGHS models of the proposer's linear program (negsim.engine.proposal_lp).

Checked against the closed form of a two-actor program (one position issue, one pie),
solved with one set of models across many floors and saliences so that every in-place
update (row bounds, costs, matrix coefficients) is exercised; ambiguous optima must be
left to :func:`negsim.models.spatial.best_proposal`; the engine's single solve of a
linear scenario must not reach scipy's ``linprog``.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import negsim
from negsim.engine.proposal_lp import WarmProposals
from negsim.models import spatial


def _space(position: tuple[float, float], pie: tuple[float, float]) -> spatial.SettlementSpace:
    """Actor 0 wants x = 0, actor 1 x = 1; both share one pie."""
    return spatial.SettlementSpace(
        ideal=np.array([[0.0], [1.0]]),
        salience_position=np.array([[position[0]], [position[1]]]),
        salience_pie=np.array([[pie[0]], [pie[1]]]),
        curvature=np.ones(2),
        members=np.ones((2, 1), dtype=bool),
        low=np.zeros(1),
        high=np.ones(1),
    )


def _closed_form(
    position: tuple[float, float], pie: tuple[float, float], floor: float
) -> tuple[float, float] | None:
    """Proposer 0's best (x, y_1) giving actor 1 at least ``floor``: starting from its
    ideal (x = 0, the whole pie), it concedes first on the issue where actor 1 gains
    most per unit it gives up (the larger of s_1/s_0 on the position, p_1/p_0 on the
    pie), then on the other; each concession is at most 1. Responder's utility
    ``u_1 = s_1 x + p_1 y_1`` (both start at 0)."""
    if floor > position[1] + pie[1] + 1e-12:
        return None
    steps = [("x", position[1], position[1] / position[0]), ("y", pie[1], pie[1] / pie[0])]
    steps.sort(key=lambda s: -s[2])
    conceded = {"x": 0.0, "y": 0.0}
    need = max(floor, 0.0)
    for name, gain, _ in steps:
        conceded[name] = min(need / gain, 1.0)
        need -= conceded[name] * gain
    return conceded["x"], conceded["y"]


CASES = [
    ((1.0, 0.5), (0.5, 1.0)),  # the responder values the pie more: pie first
    ((0.5, 1.0), (1.0, 0.5)),  # the position first
    ((0.3, 0.9), (0.7, 0.4)),
]


def test_closed_form_with_models_updated_in_place() -> None:
    proposals = WarmProposals()
    for position, pie in CASES:
        space = _space(position, pie)
        for floor in (0.0, 0.2, 0.45, 0.7, 0.95, 1.3, 2.0):
            got = proposals.best(space, 0, np.array([np.nan, floor]))
            want = _closed_form(position, pie, floor)
            if want is None:
                assert got is None, (position, pie, floor)
                continue
            assert got is not None, (position, pie, floor)
            assert got.x[0] == pytest.approx(want[0], abs=1e-12)
            assert got.y[1, 0] == pytest.approx(want[1], abs=1e-12)
            assert got.y[0, 0] == pytest.approx(1.0 - want[1], abs=1e-12)
    assert len(proposals.models) == 1  # one shape: every case updated the same model
    assert proposals.runs == 3 * 7


def test_ties_are_left_to_best_proposal() -> None:
    """A pie the proposer does not weigh and two responders weigh equally: any split
    meeting their floors is optimal, so the answer is best_proposal's."""
    space = spatial.SettlementSpace(
        ideal=np.zeros((3, 0)),
        salience_position=np.zeros((3, 0)),
        salience_pie=np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]),
        curvature=np.ones(3),
        members=np.ones((3, 2), dtype=bool),
        low=np.zeros(0),
        high=np.zeros(0),
    )
    floors = np.array([np.nan, 0.2, 0.3])
    proposals = WarmProposals()
    got = proposals.best(space, 0, floors)
    want = spatial.best_proposal(space, 0, floors)
    assert proposals.referred == 1
    assert got is not None and want is not None
    assert np.array_equal(got.y, want.y) and np.array_equal(got.x, want.x)


def test_pickled_without_its_solvers() -> None:
    proposals = WarmProposals()
    space = _space(*CASES[0])
    proposals.best(space, 0, np.array([np.nan, 0.45]))
    copy = pickle.loads(pickle.dumps(proposals))
    assert copy.models == {}
    got = copy.best(space, 0, np.array([np.nan, 0.45]))
    assert got is not None and got.y[1, 0] == pytest.approx(0.45, abs=1e-12)


def test_engine_solve_does_not_call_linprog(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every offer of the complete-information Ukraine scenario has a unique optimum, so
    its SPE needs no call to scipy's linprog (it made 88 before the warm models)."""
    calls = []

    def counting_linprog(*args: object, **kwargs: object) -> object:
        calls.append(1)
        raise AssertionError("linprog on the engine's hot path")

    monkeypatch.setattr(spatial, "linprog", counting_linprog)
    negsim.solve(negsim.load("variants/complete_information"), concepts=["spe"])
    assert calls == []
