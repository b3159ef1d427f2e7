r"""Private types: a perfect Bayesian equilibrium with skimming (cutoff belief states).

One actor ``k`` (the *informed* actor) has private types :math:`\theta_1..\theta_M` with a
prior every other actor shares; a type changes only k's own fields (war cost, private
benefit, discount, reservation utility, red lines, deadline penalties), so every type
values a settlement alike and differs in what it gets by rejecting: its continuation value.

**Belief states.** Types are ordered by k's complete-information SPE value at round 0
(single crossing: a type that is better off fighting on is better off in every belief
state). The public belief is the prior truncated to an upper set
:math:`S_s = \{\theta_s, .., \theta_M\}` (index ``s`` = lowest types already screened out),
so there are M belief states, not :math:`2^M`. Values are kept for **every** type in every
state (an off-path type's value is what it gets by best-responding there), shape
``(T + 1, R, M_states, M_types, N)``.

**Uninformed proposer j** in state :math:`S_s` picks a cutoff ``c`` (``s <= c <= M``): types
:math:`\theta_s..\theta_{c-1}` accept, the rest reject and the state becomes :math:`S_c`
(``c = M``: everybody accepts; a rejection off the path is read as the top type,
:math:`S_{M-1}`). The offer is the engine's best proposal with k's floor the largest
continuation among the accepting types given the next state,
:math:`\max_{\theta<c} C_k^\theta(t, S_c)` (the marginal type's), and other coalition
members' floors their expected continuation under the posterior
:math:`\pi(\theta|S_s) = \pi_\theta / \sum_{\theta' \in S_s} \pi_{\theta'}`. j's payoff is

.. math:: U_j(c) = \sum_{\theta<c} \pi(\theta|S_s)\, u_j(x_c)
                   + \sum_{\theta \ge c} \pi(\theta|S_s)\, C_j^\theta(t, S_c),

and j picks the best cutoff (ties: the larger cutoff, i.e. the deal, as the engine does).
``c = s`` is no deal (everybody rejects, nothing is learnt).

**Informed proposer k**: every type that proposes makes the same offer -- the engine's
best proposal with the responders' floors their expected continuation under the current
posterior (k's utility of a settlement does not depend on its type, so no type gains by
offering anything else to responders who cannot tell them apart). The types whose
continuation exceeds that offer wait instead (an unacceptable offer) and so reveal
themselves: the state becomes the upper set of waiting types. The largest consistent set of
proposing types is taken.

**Mixing.** Pure skimming is not always an equilibrium (Fudenberg & Tirole 1991, sec. 10.2):
when the marginal type is worse off rejecting *with* the types above it than being
believed stronger, :math:`C_k^{\theta_{c-1}}(t, S_{c-1}) < C_k^{\theta_{c-1}}(t, S_c)`, offers
in between have no pure continuation (the marginal type must randomise) and the proposer may
prefer one of them. negsim does not compute that mixed equilibrium; it detects such a gap
at every belief state reached with positive probability and raises :class:`SolveError`
rather than return a pure profile that may not be an equilibrium. Gaps at belief states
off the path are counted in the verification.

**Verification** (as the stage-game solver reports it): at every node, every type's
accept/reject decision is a best response (residual: the largest gain of a type by
switching), and the proposer's cutoff is optimal over all cutoffs (by construction); the
largest residual is returned and a residual above 1e-7 (single crossing fails) raises
:class:`SolveError`.

With one type of prior 1 the recursion is the engine's, number for number.

References
----------
.. [1] J. Sobel, I. Takahashi, "A multistage model of bargaining", Review of Economic
   Studies 50(3), 411-426, 1983.
.. [2] D. Fudenberg, D. Levine, J. Tirole, "Infinite-horizon models of bargaining with
   one-sided incomplete information", in A. Roth (ed.), Game-Theoretic Models of
   Bargaining, 1985.
.. [3] D. Fudenberg, J. Tirole, *Game Theory*, MIT Press, 1991, sec. 10.2.
.. [4] J. D. Fearon, "Rationalist explanations for war", International Organization 49(3),
   379-414, 1995 (the risk-return trade-off).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from negsim.engine.arrays import RoundArrays
from negsim.engine.bellman import proposer_choice, proposers
from negsim.engine.solve import solve_arrays
from negsim.engine.states import StateSpace, state_space
from negsim.engine.terminal import war_utilities
from negsim.errors import Problem, ScenarioError, SolveError
from negsim.models import spatial
from negsim.scenario import Scenario

__all__ = ["Branch", "Screening", "solve_types"]

_TOL = 1e-9
_VERIFY_TOL = 1e-7


def _complete_information_rank(
    arrays: list[RoundArrays], transition: np.ndarray, k: int
) -> tuple[float, float]:
    """k's complete-information SPE value at the start, then (to break ties where a deal
    pins it down) its continuation values summed over rounds and regimes."""
    space = StateSpace([str(r) for r in range(len(arrays))], arrays, transition)
    sol = solve_arrays(space, "war", ("spe",))
    return float(sol.value[0, 0, k]), float(sol.continuation[:, :, k].sum())


# -- results --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Branch:
    """One proposer's move at one node (round t, regime r, belief state s)."""

    proposer: int
    probability: float
    informed: bool  # the informed actor proposes
    cutoff: int  # types s..cutoff-1 settle; the others go on to state ``next_state``
    next_state: int
    settlement: spatial.Settlement | None
    accepts: np.ndarray  # (M,) bool: each type (on or off the path) settles
    risk: np.ndarray  # (M + 1,) per cutoff: probability of rejection (NaN if infeasible)
    ret: np.ndarray  # (M + 1,) per cutoff: the proposer's utility if accepted
    expected: np.ndarray  # (M + 1,) per cutoff: the proposer's expected payoff


@dataclass
class Screening:
    """The perfect Bayesian equilibrium with skimming, as arrays.

    ``value[t, r, s, m, i]``: actor i's expected value at round t, regime r, belief state
    s (types s.. remain) when the informed actor's type is m (on or off the path).
    ``continuation[t, r, s, m, i]``: the same after a rejection at round t that leads to
    state s (``w(t) + delta(t) E V(t + 1)``).
    """

    actor: str
    informed: int
    types: list[str]  # ordered by the complete-information value (weakest first)
    prior: np.ndarray  # (M,)
    regimes: list[str]
    transition: np.ndarray
    arrays: list[list[RoundArrays]]  # [type][regime]
    value: np.ndarray
    continuation: np.ndarray
    branches: dict[tuple[int, int, int], list[Branch]]
    residual: float  # largest gain of any type by switching accept/reject
    gaps_off_path: int  # belief states off the path where mixing was not checked

    def posterior(self, s: int) -> np.ndarray:
        """pi(theta | S_s): the prior truncated to types s.. and renormalised."""
        p = np.where(np.arange(len(self.prior)) >= s, self.prior, 0.0)
        return p / p.sum()

    def reach(self) -> np.ndarray:
        """``reach[t, r, s, m]``: probability that type m is still bargaining at round t in
        regime r and belief state s (conditional on the type)."""
        T = self.value.shape[0] - 1
        R, M = len(self.regimes), len(self.types)
        alive = np.zeros((T + 1, R, M, M))
        alive[0, 0, 0, :] = 1.0
        for t in range(T):
            for r in range(R):
                for s in range(M):
                    mass = alive[t, r, s]
                    if not mass.any():
                        continue
                    for b in self.branches[t, r, s]:
                        go = mass * b.probability * ~b.accepts
                        alive[t + 1, :, b.next_state] += np.outer(self.transition[r], go)
        return alive


def solve_types(scenario: Scenario) -> Screening:
    """Solve the scenario's private-types game (see the module docstring)."""
    if not scenario.types:
        raise SolveError("the scenario has no private types")
    (actor, specs), *_ = scenario.types.items()
    per_type = []
    plain = scenario.model_copy(update={"types": {}})  # each type's game: no types inside
    for name, spec in specs.items():
        try:
            changed = plain.with_changes(spec.changes)
        except ScenarioError as exc:
            raise ScenarioError(
                [
                    dataclasses.replace(
                        p, path=f"types.{actor}.{name}.changes: {p.path}", file=scenario.source_file
                    )
                    if isinstance(p, Problem)
                    else p
                    for p in exc.problems
                ]
            ) from None
        space = state_space(changed)
        per_type.append((name, spec.prior, space.labels, space.transition, space.arrays))
    k = list(scenario.actors).index(actor)
    regimes, transition = per_type[0][2], per_type[0][3]
    key = [_complete_information_rank(t[4], transition, k) for t in per_type]
    order = sorted(range(len(per_type)), key=lambda m: (key[m], m))
    per_type = [per_type[m] for m in order]
    screening = _backward(
        actor,
        k,
        [t[0] for t in per_type],
        np.array([t[1] for t in per_type]),
        regimes,
        transition,
        [t[4] for t in per_type],
    )
    _check_gaps(screening)
    return screening


# -- backward induction over (round, regime, belief state) ----------------------------------
class _Node:
    """Everything one (t, r) needs: type arrays, continuation per (next state, type)."""

    def __init__(self, arrays: list[RoundArrays], k: int, t: int, cont: np.ndarray):
        self.arrays, self.k, self.t, self.cont = arrays, k, t, cont  # cont: (S, M, N)
        self.M = len(arrays)
        self.uniform = all(
            np.array_equal(a.reservation[t, k], arrays[0].reservation[t, k])
            and np.array_equal(a.red_low[t, k], arrays[0].red_low[t, k])
            and np.array_equal(a.red_high[t, k], arrays[0].red_high[t, k])
            for a in arrays
        )
        self._combined: dict[tuple[int, int], RoundArrays] = {}

    def combined(self, low: int, high: int) -> RoundArrays:
        """Arrays whose informed actor has the tightest reservation and red lines of types
        low..high-1 (an offer they all accept must respect each of theirs)."""
        if self.uniform:
            return self.arrays[low]
        if (low, high) not in self._combined:
            group = self.arrays[low:high]
            a0, k = group[0], self.k
            reservation = a0.reservation.copy()
            red_low, red_high = a0.red_low.copy(), a0.red_high.copy()
            reservation[:, k] = np.max([a.reservation[:, k] for a in group], axis=0)
            red_low[:, k] = np.max([a.red_low[:, k] for a in group], axis=0)
            red_high[:, k] = np.min([a.red_high[:, k] for a in group], axis=0)
            self._combined[low, high] = dataclasses.replace(
                a0, reservation=reservation, red_low=red_low, red_high=red_high
            )
        return self._combined[low, high]

    def accepts(self, settlement: spatial.Settlement, nxt: int) -> tuple[np.ndarray, np.ndarray]:
        """Each type's best response to ``settlement`` when a rejection leads to state
        ``nxt``: (accepts, gain of accepting over rejecting; -inf outside its limits)."""
        k, t = self.k, self.t
        u = settlement.utilities[k]
        gain = u - self.cont[nxt, :, k]
        for m, a in enumerate(self.arrays):
            outside = np.any(settlement.x < a.red_low[t, k] - 1e-9) or np.any(
                settlement.x > a.red_high[t, k] + 1e-9
            )
            if outside or u < a.reservation[t, k] - 1e-9:
                gain[m] = -np.inf
        return gain >= -_TOL, gain


def _backward(
    actor: str,
    k: int,
    names: list[str],
    prior: np.ndarray,
    regimes: list[str],
    transition: np.ndarray,
    arrays: list[list[RoundArrays]],
) -> Screening:
    M, R = len(names), len(regimes)
    a0 = arrays[0][0]
    T, N = a0.rounds, len(a0.actors)
    value = np.zeros((T + 1, R, M, M, N))
    continuation = np.zeros((T, R, M, M, N))
    for m in range(M):
        value[T, :, :, m] = war_utilities(StateSpace(regimes, arrays[m], transition))[:, None]
    branches: dict[tuple[int, int, int], list[Branch]] = {}
    screening = Screening(
        actor, k, names, prior, regimes, transition, arrays, value, continuation, branches, 0.0, 0
    )
    residual = 0.0
    for t in reversed(range(T)):
        states = range(1) if t == 0 else range(M)  # only the full set is reached at round 0
        for r in range(R):
            expected_next = np.einsum("q,qsmn->smn", transition[r], value[t + 1])
            for m in range(M):
                a = arrays[m][r]
                continuation[t, r, :, m] = a.flow[t] + a.discount[t] * expected_next[:, m]
            node = _Node([arrays[m][r] for m in range(M)], k, t, continuation[t, r])
            for s in states:
                post = screening.posterior(s)
                found = []
                for j, probability in proposers(arrays[0][r], t):
                    if j == k:
                        branch, res = _informed_branch(node, s, post, j, probability)
                    else:
                        branch, res = _uninformed_branch(node, s, post, j, probability)
                    residual = max(residual, res)
                    found.append(branch)
                    outcome = np.where(
                        branch.accepts[:, None],
                        branch.settlement.utilities[None, :]
                        if branch.settlement is not None
                        else 0.0,
                        continuation[t, r, branch.next_state],
                    )
                    value[t, r, s] += probability * outcome
                branches[t, r, s] = found
    if residual > _VERIFY_TOL:
        raise SolveError(
            f"the skimming profile is not an equilibrium (a type gains {residual:.3g} by "
            "switching between accepting and rejecting): the types are not ordered the same "
            "way in every round and belief state (single crossing fails), e.g. types that "
            "differ in discount factors or red lines in opposite directions; give the types "
            "changes that rank them the same way throughout"
        )
    screening.residual = residual
    return screening


def _floors(node: _Node, s: int, post: np.ndarray) -> np.ndarray:
    """Everyone's expected continuation under the posterior of state s (no one learns)."""
    return post @ node.cont[s]


def _uninformed_branch(
    node: _Node, s: int, post: np.ndarray, j: int, probability: float
) -> tuple[Branch, float]:
    M, k = node.M, node.k
    risk = np.full(M + 1, np.nan)
    ret = np.full(M + 1, np.nan)
    expected = np.full(M + 1, np.nan)
    base = _floors(node, s, post)
    expected[s] = base[j]
    risk[s] = 1.0
    options: dict[int, tuple[spatial.Settlement, np.ndarray, int, tuple[int, ...]]] = {}
    for c in range(s + 1, M + 1):
        nxt = min(c, M - 1)
        floors = base.copy()
        floors[k] = node.cont[nxt, s:c, k].max()
        choice = proposer_choice(node.combined(s, c), node.t, j, floors, probability)
        if choice.settlement is None:
            continue
        settlement = choice.settlement
        if k in choice.coalition:
            accepts, _ = node.accepts(settlement, nxt)
        else:  # the deal does not need the informed actor: it comes whatever its type
            accepts = np.ones(M, dtype=bool)
        accepted = post[accepts].sum()
        risk[c] = 1.0 - accepted
        ret[c] = settlement.utilities[j]
        expected[c] = accepted * ret[c] + post[~accepts] @ node.cont[nxt, ~accepts, j]
        options[c] = (settlement, accepts, nxt, choice.coalition)
    best = np.nanmax(expected)
    chosen = max(c for c in range(s, M + 1) if expected[c] >= best - _TOL)
    if chosen == s:
        accepts = np.zeros(M, dtype=bool)
        return Branch(j, probability, False, s, s, None, accepts, risk, ret, expected), 0.0
    settlement, accepts, nxt, coalition = options[chosen]
    intended = (np.arange(M) >= s) & (np.arange(M) < chosen)
    _, gain = node.accepts(settlement, nxt)
    # verification: the types in play respond as the cutoff says
    residual = 0.0
    if k in coalition:
        on = np.arange(M) >= s
        wrong_accept = np.where(on & intended, np.maximum(-gain, 0.0), 0.0)
        wrong_reject = np.where(on & ~intended, np.maximum(gain, 0.0), 0.0)
        wrong_accept[~np.isfinite(wrong_accept)] = np.inf
        residual = float(max(wrong_accept.max(), wrong_reject.max()))
        accepts = (accepts & ~on) | intended  # in play: the cutoff (ties resolved by it)
    branch = Branch(j, probability, False, chosen, nxt, settlement, accepts, risk, ret, expected)
    return branch, residual


def _informed_branch(
    node: _Node, s: int, post: np.ndarray, k: int, probability: float
) -> tuple[Branch, float]:
    """The informed actor proposes: the proposing types pool on one offer, the others wait."""
    M = node.M
    base = _floors(node, s, post)
    nan = np.full(M + 1, np.nan)
    for c in range(M, s, -1):  # the largest consistent set of proposing types s..c-1
        nxt = min(c, M - 1)
        floors = base.copy()
        floors[k] = node.cont[nxt, s:c, k].max()  # unused for the proposer itself
        choice = proposer_choice(node.combined(s, c), node.t, k, floors, probability)
        if choice.settlement is None:
            continue
        proposes, gain = node.accepts(choice.settlement, nxt)
        on = np.arange(M) >= s
        if np.all(proposes[s:c]) and not np.any(gain[c:] > _TOL):
            accepts = (proposes & ~on) | (on & (np.arange(M) < c))
            return Branch(
                k, probability, True, c, nxt, choice.settlement, accepts, nan, nan, nan
            ), 0.0
    return Branch(k, probability, True, s, s, None, np.zeros(M, bool), nan, nan, nan), 0.0


def _check_gaps(screening: Screening) -> None:
    """Refuse where the marginal type may have to randomise on the path (module docstring)."""
    reach = screening.reach()
    M, k = len(screening.types), screening.informed
    off = 0
    for (t, r, s), found in screening.branches.items():
        cont = screening.continuation[t, r]
        for b in found:
            if b.informed:
                continue
            for c in range(s + 1, M):
                m = c - 1
                width = cont[c, m, k] - cont[m, m, k]
                if width <= 1e-9:
                    continue
                if reach[t, r, s].sum() > 0:
                    raise SolveError(
                        f"at {t=} (regime '{screening.regimes[r]}', types "
                        f"{', '.join(screening.types[s:])} in play) pure skimming may not be an "
                        f"equilibrium: type '{screening.types[m]}' is worth {width:.3g} more "
                        f"rejecting when believed to be above it than when pooled with it, so "
                        "offers in between need it to randomise (the mixing region of "
                        "Fudenberg & Tirole 1991, sec. 10.2: the stronger types are rare). "
                        "negsim does not compute mixed screening equilibria; raise the prior "
                        "of the stronger types or shorten the horizon"
                    )
                off += 1
                break
    screening.gaps_off_path = off
