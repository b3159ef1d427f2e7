"""Delay incentives for n points: :func:`negsim.models.delay.delay_incentives` with the
points flattened onto its actor axis (the model is per actor, so this is exact)."""

from __future__ import annotations

import numpy as np

from negsim.models.delay import delay_incentives

__all__ = ["delay_over_points"]


def delay_over_points(
    flow: np.ndarray, discount: np.ndarray, payoff: np.ndarray, transition: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Gain and preferred delay (n, T, S, N) from flows and discounts (n, S, T, N) and
    payoffs (n, T + 1, S, N)."""
    n, S, T, N = flow.shape

    def flat(v: np.ndarray) -> np.ndarray:  # (n, T', S, N) -> (T', S, n N)
        return np.moveaxis(v, 0, 2).reshape(v.shape[1], S, n * N)

    def unflat(v: np.ndarray) -> np.ndarray:
        return np.moveaxis(v.reshape(T, S, n, N), 2, 0)

    gain, delay = delay_incentives(
        flat(flow.swapaxes(1, 2)), flat(discount.swapaxes(1, 2)), flat(payoff), transition
    )
    return unflat(gain), unflat(delay)
