"""The solution concepts negsim computes: one registry of names and descriptions.

``spe`` is the backward induction (:mod:`negsim.engine.bellman`); the others are solved
by :data:`negsim.engine.axiomatic.AXIOMATIC` with the SPE pass's threat points.
"""

from __future__ import annotations

from negsim.engine.axiomatic import AXIOMATIC

__all__ = ["CONCEPTS", "CONCEPT_NAMES"]

#: Concept -> its name in words (summaries, figure titles).
CONCEPT_NAMES = {
    "spe": "subgame-perfect equilibrium",
    "nash": "Nash bargaining solution",
    "nash_weighted": "capability-weighted Nash solution",
    "kalai_smorodinsky": "Kalai-Smorodinsky solution",
    "compromise": "capability x salience compromise",
}
CONCEPTS = tuple(CONCEPT_NAMES)
assert set(CONCEPTS) == {"spe", *AXIOMATIC}, "every concept has a solver"
