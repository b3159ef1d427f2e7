"""The headline rows of a :class:`~negsim.result.Result` that figures and analyses
read: one concept in the headline regime (the one the game starts in), checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = ["actor_rows", "check_concept", "concept_name", "issue_label", "round_rows"]


def concept_name(concept: str) -> str:
    from negsim.engine import CONCEPT_NAMES

    return CONCEPT_NAMES.get(concept, concept)


def check_concept(result: Result, concept: str) -> None:
    concepts = result.metadata.get("concepts", ["spe"])
    if concept not in concepts:
        raise ValueError(
            f"concept {concept!r} was not solved; this result has {', '.join(concepts)}"
        )


def actor_rows(result: Result, concept: str) -> pd.DataFrame:
    check_concept(result, concept)
    table = result.actors
    regime = result.headline_regime
    return table[(table["concept"] == concept) & (table["regime"] == regime)]


def round_rows(result: Result, concept: str = "spe") -> pd.DataFrame:
    check_concept(result, concept)
    table = result.rounds
    regime = result.headline_regime
    return table[(table["concept"] == concept) & (table["regime"] == regime)].sort_values("round")


def issue_label(result: Result, issue: str) -> str:
    return result.metadata.get("issues", {}).get(issue, issue)
