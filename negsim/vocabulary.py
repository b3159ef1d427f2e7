"""A negotiation's own words: what no deal is called, what carrying on without one is,
and the unit of a round -- the ``vocabulary:`` section of a scenario, read by every
sentence and label (the summary, ``explain``, figures, reports).

Defaults are the war-and-peace words negsim started with, so a scenario without the
section reads as before. A strike reads::

    vocabulary:
      no_deal: strike
      continuing: striking on
      deal: contract
      round: week of talks
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Vocabulary", "words"]


class Vocabulary(BaseModel):
    """The words a scenario's outputs use."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    no_deal: str = Field(
        "war", min_length=1, description="What no deal is called: war, strike, no deal."
    )
    continuing: str = Field(
        "fighting on",
        min_length=1,
        description="Carrying on without a deal: fighting on, striking on, talking on.",
    )
    deal: str = Field("deal", min_length=1, description="A deal: deal, contract, agreement.")
    round: str | None = Field(
        None, description="The unit of a round in sentences (default: the time unit)."
    )

    def unit(self, time_unit: str) -> str:
        """The word for one round: ``round`` if given, else the scenario's time unit."""
        return self.round or time_unit


def words(metadata: Mapping[str, Any]) -> Vocabulary:
    """The vocabulary of a result's metadata (the defaults for results saved without one).

    >>> words({}).continuing
    'fighting on'
    >>> words({"vocabulary": {"no_deal": "strike"}}).no_deal
    'strike'
    """
    return Vocabulary(**(metadata.get("vocabulary") or {}))
