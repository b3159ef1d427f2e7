"""Time paths of numeric parameters.

Every numeric parameter of a scenario may be a *schedule*: a value per round
``t = 0, 1, ..., T-1``. In YAML a bare number is a constant; a mapping names its
``kind``:

============  ==========================================  ===================================
kind          fields                                      value at round t
============  ==========================================  ===================================
constant      ``value``                                   ``value``
linear        ``start``, ``slope``                        ``start + slope * t``
exponential   ``start``, ``rate``                         ``start * (1 + rate) ** t``
steps         ``initial``, ``steps: [{round, value}]``    the value of the last step at or
                                                          before t (``initial`` before any)
piecewise     ``points: [[round, value], ...]``           linear interpolation between points,
                                                          constant beyond the first and last
============  ==========================================  ===================================

``linear`` and ``exponential`` take optional ``min`` and ``max`` to clip the path.
Every schedule may carry ``why:``, the sentence of the analysis it encodes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

__all__ = [
    "Constant",
    "Exponential",
    "Integer",
    "Linear",
    "Piecewise",
    "Real",
    "SCHEDULE_CLASSES",
    "Schedule",
    "Step",
    "Steps",
    "evaluate",
]


def _refuse_bool_and_text(value: Any, what: str) -> Any:
    """Let numbers through and refuse what YAML reads as true/false or text.

    YAML 1.1 reads ``yes``, ``no``, ``on``, ``off``, ``true`` and ``false`` as booleans, and
    Python's ``bool`` is an ``int``: without this check ``rounds: yes`` would be 1. Quoted
    numbers (``"0.9"``) are text and are refused too.
    """
    if isinstance(value, (bool, str)):
        raise PydanticCustomError("not_a_number", "expected {what}", {"what": what})
    return value


def _real(value: Any) -> Any:
    return _refuse_bool_and_text(value, "a number")


def _integer(value: Any) -> Any:
    return _refuse_bool_and_text(value, "a whole number")


#: A real number: an int or a float, never a boolean or text.
Real = Annotated[float, BeforeValidator(_real)]
#: A whole number: an int (or a float with no fractional part), never a boolean or text.
Integer = Annotated[int, BeforeValidator(_integer)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _ScheduleBase(_Strict):
    why: str | None = Field(None, description="The sentence of the analysis this value encodes.")


class Constant(_ScheduleBase):
    """The same value in every round; YAML may write just the number."""

    kind: Literal["constant"] = "constant"
    value: Real

    @model_validator(mode="before")
    @classmethod
    def _bare_number(cls, raw: Any) -> Any:
        return {"value": raw} if _is_number(raw) else raw


class _Clipped(_ScheduleBase):
    min: Real | None = Field(None, description="Lower bound the path is clipped to.")
    max: Real | None = Field(None, description="Upper bound the path is clipped to.")


class Linear(_Clipped):
    """``start + slope * t``, optionally clipped to [min, max]."""

    kind: Literal["linear"]
    start: Real
    slope: Real


class Exponential(_Clipped):
    """``start * (1 + rate) ** t``: growth (rate > 0) or decay (-1 < rate < 0)."""

    kind: Literal["exponential"]
    start: Real
    rate: Real = Field(gt=-1)


class Step(_Strict):
    round: Integer = Field(ge=0)
    value: Real


class Steps(_ScheduleBase):
    """``initial`` until the first step's round, then each step's value from its round on."""

    kind: Literal["steps"]
    initial: Real
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _rounds_increase(self) -> Steps:
        rounds = [s.round for s in self.steps]
        if rounds != sorted(set(rounds)):
            raise ValueError(f"step rounds must strictly increase, got {rounds}")
        return self


class Piecewise(_ScheduleBase):
    """Linear interpolation through ``[round, value]`` points, flat beyond the ends."""

    kind: Literal["piecewise"]
    points: list[tuple[Real, Real]] = Field(min_length=1)

    @model_validator(mode="after")
    def _rounds_increase(self) -> Piecewise:
        rounds = [r for r, _ in self.points]
        if rounds != sorted(set(rounds)):
            raise ValueError(f"point rounds must strictly increase, got {rounds}")
        return self


def _is_number(raw: Any) -> bool:
    return isinstance(raw, (int, float)) and not isinstance(raw, bool)


def _schedule_kind(raw: Any) -> str | None:
    """The schedule kind of raw input: numbers and mappings without ``kind`` are constants."""
    if _is_number(raw):
        return "constant"
    if isinstance(raw, dict):
        return raw.get("kind", "constant")
    return getattr(raw, "kind", None)


Schedule = Annotated[
    Annotated[Constant, Tag("constant")]
    | Annotated[Linear, Tag("linear")]
    | Annotated[Exponential, Tag("exponential")]
    | Annotated[Steps, Tag("steps")]
    | Annotated[Piecewise, Tag("piecewise")],
    Discriminator(_schedule_kind),
]

#: Schedule ``kind`` -> its class.
SCHEDULE_CLASSES: dict[str, type[BaseModel]] = {
    "constant": Constant,
    "linear": Linear,
    "exponential": Exponential,
    "steps": Steps,
    "piecewise": Piecewise,
}


def evaluate(
    schedule: Constant | Linear | Exponential | Steps | Piecewise, rounds: int
) -> np.ndarray:
    """Values of ``schedule`` at rounds ``0 .. rounds-1`` as a float array of shape (rounds,).

    Examples
    --------
    >>> evaluate(Linear(kind="linear", start=1.0, slope=-0.25, min=0.0), 6).tolist()
    [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    >>> evaluate(Steps(kind="steps", initial=0.0, steps=[Step(round=2, value=5.0)]), 4).tolist()
    [0.0, 0.0, 5.0, 5.0]
    """
    with np.errstate(over="ignore", invalid="ignore"):  # an overflowing path is reported
        return _evaluate(schedule, rounds)  # by the scenario's range checks, not warned


def _evaluate(
    schedule: Constant | Linear | Exponential | Steps | Piecewise, rounds: int
) -> np.ndarray:
    t = np.arange(rounds, dtype=float)
    if isinstance(schedule, Constant):
        return np.full(rounds, schedule.value)
    if isinstance(schedule, Linear):
        path = schedule.start + schedule.slope * t
    elif isinstance(schedule, Exponential):
        path = schedule.start * (1.0 + schedule.rate) ** t
    elif isinstance(schedule, Steps):
        step_rounds = np.array([s.round for s in schedule.steps])
        values = np.array([schedule.initial] + [s.value for s in schedule.steps])
        return values[np.searchsorted(step_rounds, t, side="right")]
    else:
        xs, ys = zip(*schedule.points, strict=True)
        return np.interp(t, xs, ys)
    return (
        np.clip(path, schedule.min, schedule.max)
        if (schedule.min, schedule.max) != (None, None)
        else path
    )
