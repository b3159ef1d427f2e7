"""The shipped scenarios solve to exactly the numbers pinned before issue 18's mechanisms
(leaders, public deadlines, ratifiers, outside options) were added: without these sections
the engine is unchanged. ``tests/data/engine_pin_issue18.json`` was written by the engine
of commit ad88e6c (values rounded to 12 decimals)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import negsim

FIRST_EDITION = Path(__file__).resolve().parent / "data" / "ukraine_first_edition"  # issue 19

PIN = json.loads((Path(__file__).parent / "data" / "engine_pin_issue18.json").read_text())


@pytest.mark.parametrize("name", sorted(PIN))
def test_shipped_scenarios_unchanged(name):
    # the pinned Ukraine numbers are the first edition's (the shipped one is the second, issue 19)
    first = name == "ukraine_2025" or name.startswith("variants/")
    result = negsim.solve(negsim.load(FIRST_EDITION / f"{name}.yaml" if first else name))
    sol, pinned = result.solution, PIN[name]
    np.testing.assert_allclose(sol.value, pinned["value"], rtol=0, atol=2e-12)
    np.testing.assert_allclose(sol.deal["spe"], pinned["deal"], rtol=0, atol=2e-12)
    np.testing.assert_allclose(np.nan_to_num(sol.x["spe"], nan=-1), pinned["x"], rtol=0, atol=2e-12)
    np.testing.assert_allclose(np.nan_to_num(sol.y["spe"], nan=-1), pinned["y"], rtol=0, atol=2e-12)

    # every line of the old summary is still there, in order (new lines may follow), but
    # the leverage sentence, which issue 20 replaced (ex-ante values and their trend)
    def kept(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.startswith("Leverage")]

    old, new = kept(pinned["summary"]), kept(result.summary())
    assert new[: len(old)] == old
