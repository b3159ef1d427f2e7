"""Benchmark: negsim.models.normal_form against Nashpy and QuantEcon on the same games.

Not a test.  Prints two tables.  The first, against Nashpy:

* ``solve_2x2_batch`` vs a loop of ``nashpy.Game.support_enumeration`` on 10,000
  random 2x2 games (goal: >= 1,000x), with the equilibria compared;
* ``solve`` vs Nashpy support enumeration on random 3x3 (goal >= 10x) and 5x5
  (goal >= 50x) games, with the number of games where Nashpy's list differs
  (Nashpy misses equilibria of some games; see ``tests/test_normal_form.py``);
* ``solve`` on random 8x8 games (must finish; Nashpy's support enumeration is
  not timed there, it takes seconds per game).

The second, against QuantEcon's ``support_enumeration`` (numba-compiled), on
random 3x3, 5x5 and 10x10 games: the time per game of each, the ratio
negsim / QuantEcon (goal: at most 1), and the number of games whose
equilibrium lists differ.  QuantEcon's side includes building its
``NormalFormGame`` from the same two matrices (negsim's includes validating
them), and its numba compilation is excluded by a warm-up call.  QuantEcon is
a benchmark-only extra (``pip install -e '.[bench]'``); without it the second
table is skipped.  At 3x3 and 5x5 negsim's time is mostly one compiled call
(``_normal_form_enum.solve_plain``: enumeration, degeneracy test, agreement of
support and vertex enumeration, verification); at 10x10 (more than ``CHUNK``
support pairs) it is the chunked enumeration with its Python steps between.

Both sides are timed in the same process on the same games, each as the best
of several runs (five for the millisecond-long batch and for the ``solve``
loops, which alternate with Nashpy's; Nashpy's 2x2 loop, seconds long, once),
because the machine is shared and a single run can be slowed by other work.

Run: ``.venv/bin/python benchmarks/normal_form.py``.
"""

from __future__ import annotations

import time
import warnings

import nashpy
import numpy as np

from negsim.models.normal_form import solve, solve_2x2_batch


def _nashpy_all(games):
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for A, B in games:
            out.append(list(nashpy.Game(A, B).support_enumeration()))
    return out


def _same(eqs, ref) -> bool:
    if len(eqs) != len(ref):
        return False
    got = [np.concatenate([e.row_strategy, e.col_strategy]) for e in eqs]
    want = [np.concatenate(r) for r in ref]
    return all(min(np.max(np.abs(g - w)) for w in want) <= 1e-9 for g in got)


def _best_of(repeats, *runs):
    """Shortest wall time of each of ``runs`` over ``repeats`` rounds, and their last results.

    The runs take turns within each round, so a stretch of load from other work
    on the machine slows both sides alike; the minimum is taken, as timeit does.
    """
    best = [float("inf")] * len(runs)
    out = [None] * len(runs)
    for _ in range(repeats):
        for k, run in enumerate(runs):
            t = time.perf_counter()
            out[k] = run()
            best[k] = min(best[k], time.perf_counter() - t)
    return best, out


def bench_2x2(rows, n_games=10_000, seed=0):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n_games, 2, 2))
    B = rng.normal(size=(n_games, 2, 2))
    solve_2x2_batch(A[:10], B[:10])  # warm-up
    ((ours,), (sol,)) = _best_of(5, lambda: solve_2x2_batch(A, B))  # a few milliseconds
    ((theirs,), (ref,)) = _best_of(1, lambda: _nashpy_all(zip(A, B, strict=True)))  # seconds
    differ = sum(not _same(sol.equilibria(g), ref[g]) for g in range(n_games))
    rows.append(("2x2 batch", n_games, ours, theirs, differ, "1,000x"))


def bench_solve(rows, size, n_games, goal, repeats=5, seed=1):
    rng = np.random.default_rng(seed + size)
    games = [(rng.random((size, size)), rng.random((size, size))) for _ in range(n_games)]
    solve(*games[0])  # warm-up (caches the support index arrays)
    (ours, theirs), (sols, ref) = _best_of(
        repeats, lambda: [solve(A, B) for A, B in games], lambda: _nashpy_all(games)
    )
    differ = sum(not _same(s.equilibria, r) for s, r in zip(sols, ref, strict=True))
    rows.append((f"solve {size}x{size}", n_games, ours, theirs, differ, goal))


def bench_8x8(rows, n_games=10, seed=8):
    rng = np.random.default_rng(seed)
    games = [(rng.random((8, 8)), rng.random((8, 8))) for _ in range(n_games)]
    t = time.perf_counter()
    sols = [solve(A, B) for A, B in games]
    ours = time.perf_counter() - t
    odd = sum(len(s) % 2 == 1 and max(s.verified) <= 1e-9 for s in sols)
    rows.append(("solve 8x8", n_games, ours, float("nan"), n_games - odd, "finishes"))


def _quantecon_all(games):
    from quantecon.game_theory import NormalFormGame, Player, support_enumeration

    return [support_enumeration(NormalFormGame((Player(A), Player(B.T)))) for A, B in games]


def bench_quantecon(size, n_games, repeats, seed=3):
    """Seconds per game for negsim and QuantEcon, and the games whose lists differ."""
    rng = np.random.default_rng(seed + size)
    games = [(rng.random((size, size)), rng.random((size, size))) for _ in range(n_games)]
    solve(*games[0])  # warm-up: loads the compiled kernels, caches the support index arrays
    _quantecon_all(games[:1])  # warm-up: numba compiles QuantEcon's kernel here
    (ours, theirs), (sols, ref) = _best_of(
        repeats, lambda: [solve(A, B) for A, B in games], lambda: _quantecon_all(games)
    )
    differ = sum(not _same(s.equilibria, r) for s, r in zip(sols, ref, strict=True))
    return ours / n_games, theirs / n_games, differ


def main() -> None:
    rows: list[tuple] = []
    bench_2x2(rows)
    bench_solve(rows, 3, 300, "10x")
    bench_solve(rows, 5, 40, "50x")
    bench_8x8(rows)
    print(
        f"{'case':<12} {'games':>6} {'negsim s':>10} {'nashpy s':>10} {'ratio':>9} "
        f"{'goal':>9} {'differ':>7}"
    )
    for case, n, ours, theirs, differ, goal in rows:
        ratio = theirs / ours if np.isfinite(theirs) else float("nan")
        theirs_txt = f"{theirs:10.4f}" if np.isfinite(theirs) else f"{'-':>10}"
        ratio_txt = f"{ratio:8.0f}x" if np.isfinite(ratio) else f"{'-':>9}"
        print(f"{case:<12} {n:>6} {ours:10.4f} {theirs_txt} {ratio_txt} {goal:>9} {differ:>7}")
    print(
        "differ: games where the equilibrium lists are not equal to 1e-9 "
        "(for 8x8: games not odd-and-verified)."
    )
    try:
        import quantecon  # noqa: F401
    except ImportError:
        print("\nQuantEcon not installed (pip install -e '.[bench]'): its table is skipped.")
        return
    print(
        f"\n{'case':<12} {'games':>6} {'negsim ms':>10} {'QuantEcon ms':>13} "
        f"{'negsim/QE':>10} {'goal':>6} {'differ':>7}"
    )
    for size, n_games, repeats in ((3, 300, 15), (5, 60, 15), (10, 4, 5)):
        ours, theirs, differ = bench_quantecon(size, n_games, repeats)
        print(
            f"{f'solve {size}x{size}':<12} {n_games:>6} {ours * 1e3:10.4f} {theirs * 1e3:13.4f} "
            f"{ours / theirs:10.2f} {'<= 1':>6} {differ:>7}"
        )
    print("negsim/QE: time per game of negsim divided by QuantEcon's (below 1: negsim faster).")


if __name__ == "__main__":
    main()
