"""The axiomatic concepts at every signal node stay as pinned (``pin_beliefs_axiomatic.py``)
to 1e-9, however the cells are solved."""

from __future__ import annotations

import json

import numpy as np

from negsim.engine.beliefs import solve_beliefs
from tests.pin_beliefs_axiomatic import CONCEPTS, PINNED, numbers, scenario


def test_axiomatic_settlements_at_every_node_are_as_pinned() -> None:
    pinned = json.loads(PINNED.read_text())
    sol, _ = solve_beliefs(scenario(), CONCEPTS)
    now = numbers(sol)
    assert sorted(now) == sorted(pinned)
    for concept, tables in pinned.items():
        for name, values in tables.items():
            expected = np.array([np.nan if v is None else v for v in values])
            got = np.array([np.nan if v is None else v for v in now[concept][name]])
            assert np.isnan(expected).sum() < len(expected) / 2, (concept, name)  # not vacuous
            np.testing.assert_allclose(
                got, expected, rtol=0, atol=1e-9, err_msg=f"{concept}.{name}"
            )
