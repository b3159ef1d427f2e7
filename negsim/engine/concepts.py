"""The solution concepts negsim computes: one registry of names and descriptions.

``spe`` is the backward induction (:mod:`negsim.engine.bellman`); the others are solved
by :data:`negsim.engine.axiomatic.AXIOMATIC` with the SPE pass's threat points
(``nash_impasse`` with the impasse point of :mod:`negsim.engine.disagreement`).
"""

from __future__ import annotations

from negsim.engine.axiomatic import AXIOMATIC

__all__ = ["CONCEPTS", "CONCEPT_NAMES", "DEFAULT_CONCEPTS"]

#: Concept -> its name in words (summaries, figure titles).
CONCEPT_NAMES = {
    "spe": "subgame-perfect equilibrium",
    "nash": "Nash bargaining solution",
    "nash_weighted": "capability-weighted Nash solution",
    "kalai_smorodinsky": "Kalai-Smorodinsky solution",
    "compromise": "capability x salience compromise",
    "nash_impasse": "Nash solution with the impasse point (Binmore-Rubinstein-Wolinsky)",
}
CONCEPTS = tuple(CONCEPT_NAMES)
#: What :func:`negsim.solve` computes unless asked: all but ``nash_impasse`` (on request).
DEFAULT_CONCEPTS = tuple(c for c in CONCEPTS if c != "nash_impasse")
assert set(CONCEPTS) == {"spe", *AXIOMATIC}, "every concept has a solver"
