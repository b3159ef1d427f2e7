r"""Private types: a perfect Bayesian equilibrium with skimming (cutoff belief states).

One actor ``k`` (the *informed* actor) has private types :math:`\theta_1..\theta_M` with a
prior every other actor shares; a type changes only k's own fields (war cost, private
benefit, discount, reservation utility, red lines, deadline penalties), so every type
values a settlement alike and differs in what it gets by rejecting: its continuation value.

**Belief states.** Types are ordered by k's complete-information SPE value at round 0
(single crossing: a type that is better off fighting on is better off in every belief
state). The public belief is the prior truncated to an upper set
:math:`S_s = \{\theta_s, .., \theta_M\}` (index ``s`` = lowest types already screened out),
so there are M *pure* belief states, not :math:`2^M`; where the marginal type randomises
(below) a state carries one more number, the residual weight ``w`` in (0, 1) of the prior
of its lowest type :math:`\theta_s` (:class:`State`). Values are kept for **every** type in
every state (an off-path type's value is what it gets by best-responding there); the pure
states' in arrays of shape ``(T + 1, R, M_states, M_types, N)``.

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

**Mixing: the randomising marginal type** (Fudenberg & Tirole 1991, sec. 10.2.1 for two
types and two periods; Fudenberg, Levine & Tirole 1985 for more). Pure skimming is not
always enough: when the marginal type :math:`m` is better off rejecting if it is then
believed to be above itself than if it is pooled with the others,
:math:`C_k^{m}(t, S_{m+1}) > C_k^{m}(t, S_m)`, an offer ``u`` between the two has no pure
continuation: if m accepted for sure a rejection would be read as stronger and m would
rather reject; if it rejected for sure it would rather accept. In equilibrium m randomises,
keeping a residual weight :math:`\rho` of its prior, so that its continuation equals the
offer: :math:`u = C_k^m(t, (m, \rho))`. That continuation is a step function of
:math:`\rho` (more weak types left, tougher next offers): it is constant between the
*thresholds* where a later proposer is indifferent between two of its choices, and at a
threshold any value between the two steps is reached by that proposer randomising between
them. For a given offer level the proposer's payoff is affine in :math:`\rho` (masses enter
linearly), so its best mixed offers are at the thresholds -- the residual is pinned by the
next proposer's indifference, the continuation by the marginal type's -- and negsim
offers, besides the pure cutoffs, for every marginal type with such a gap and every
threshold :math:`\rho^*` below its remaining weight, the two extreme offers there: the
next proposer plays the choice it makes just above :math:`\rho^*` (``side=+1``, the lower
offer) or just below (``side=-1``). A mixed option counts only if its offer leaves the
marginal type indifferent (a constrained offer that it strictly prefers is a pure cutoff).
The proposer takes the best of all of them (ties: the larger deal), which is the
proposer-optimal equilibrium continuation (Fudenberg & Tirole's selection).

The thresholds are computed exactly, as the breakpoints of the upper envelope of affine
functions: :math:`Z(\rho) U_j^o(\rho) = \alpha_o + \beta_o\rho` for each option ``o`` of
each later proposer (``Z`` the unnormalised mass of the types in play), on each interval
between the later thresholds, recursively from the last round (:class:`_Piece`). This is
exact when the later offers do not depend on :math:`\rho` -- the informed actor is the only
responder whose floor matters there and it does not propose -- which negsim checks at three
points per interval.

**Offers that move with the residual belief.** Where a later offer does depend on
:math:`\rho` -- another responder's floor is its expected continuation under the posterior
:math:`\pi(\theta|(m, \rho))`, a linear-fractional function of :math:`\rho`, or the informed
actor proposes after a randomised rejection and its pooled offer gives the responders
those floors -- :math:`Z U_j^o` is no longer affine but is continuous and piecewise smooth
in :math:`\rho`, and the values at :math:`(m, \rho)` are computed by solving the node at
that :math:`\rho` (*numeric* pieces, and every earlier round's pieces of the same marginal
type with them). The breakpoints -- where a later proposer is indifferent between two
options, or where the informed actor's set of proposing types changes -- are found on a
grid of 16 residuals per interval and then to 1e-12: by :func:`scipy.optimize.brentq` on
the difference of the two options' values (a proposer switching), by bisection otherwise.
Between breakpoints the marginal type's continuation :math:`C_k^m(t, (m, \rho))` is
continuous, so every residual there is an equilibrium continuation of the offer
:math:`u = C_k^m(t, (m, \rho))` (the type indifferent), and the proposer's best such offer
is a one-dimensional maximisation over :math:`\rho` on each piece: a grid of 8 residuals,
then a bounded scalar search (:func:`scipy.optimize.minimize_scalar`) between the best
point's neighbours; the piece ends are offered as above. Where the chosen offers do not
move, nothing of this is used and the numbers are the affine pieces' exactly. A later
proposer that itself makes the marginal type randomise again at such a state is a piece
whose key is the search's interval (its residual moves with the state) and whose value
solves that search at each :math:`\rho`. If a piece's choices cannot be reproduced at its
end, the case is not covered: a gap at a node reached with positive probability then
raises :class:`SolveError` (never a pure profile that may not be an equilibrium), one off
the path is counted (``uncovered_off_path``). Examples (``tests/test_screening.py``): A
offers, B (informed) proposes, A offers -- A's best first offer leaves the weak type a
residual strictly between the thresholds; and A, A, B, A, where A screens again after a
randomised rejection -- both against a brute force over the residual.

Example (``tests/test_screening.py``): two rounds, A makes both offers to B whose war cost
is 0 (resolute, prior q) or c (pragmatic). Below the prior threshold
:math:`q^* = c / (1 - L - p)` at which A is indifferent in the last round between the offer
H both types accept and the offer L only the pragmatic type accepts, the pragmatic type
accepts the first offer :math:`-c + \delta_B L` with probability
:math:`a^* = 1 - q(1 - q^*)/(q^*(1 - q))`, so that a rejection leaves exactly the posterior
:math:`q^*`, and A then offers L (the resolute type fights).

**Informed proposer k**: every type that proposes makes the same offer -- the engine's
best proposal with the responders' floors their expected continuation under the current
posterior (k's utility of a settlement does not depend on its type, so no type gains by
offering anything else to responders who cannot tell them apart). The types whose
continuation exceeds that offer wait instead (an unacceptable offer) and so reveal
themselves: the state becomes the upper set of waiting types. The largest consistent set of
proposing types is taken.

**Verification** (as the stage-game solver reports it): at every node reached, every
type's accept/reject decision is a best response (a randomising type indifferent), and the
proposer's option is the best of its options; the residual is the largest gain of a type by
switching or of the proposer by another option, and a residual above 1e-7 (single crossing
fails) raises :class:`SolveError`.

With one type of prior 1 the recursion is the engine's, number for number.

This module is longer than 600 lines because the pure and the mixed skimming equilibrium
are one recursion: a mixed option needs the later rounds' thresholds, which are computed
by the same node solver on the randomised states, so the pieces (:class:`_Piece`), the
node and the two passes call each other and are kept together.

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

import bisect
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from negsim.engine.arrays import RoundArrays
from negsim.engine.bellman import ProposerChoice, backward_induction, proposer_choice, proposers
from negsim.engine.offers import GeneralOffers
from negsim.engine.solve import RoundSolution
from negsim.engine.states import StateSpace, state_space
from negsim.engine.terminal import war_utilities
from negsim.errors import Problem, ScenarioError, SolveError
from negsim.models import spatial
from negsim.scenario import Scenario

__all__ = [
    "Branch",
    "ChoiceFunction",
    "Option",
    "Screening",
    "State",
    "TypeGame",
    "screen",
    "solve_types",
]

_TOL = 1e-9
_VERIFY_TOL = 1e-7
_PROBES = (0.25, 0.5, 0.75)  # where an interval between thresholds is probed
_GRID = 16  # where the choices are probed on an interval where an offer moves with rho
_SEARCH = 8  # grid of residuals before a bounded search for the best moving mixed offer
_EDGE = 1e-12  # how far inside an interval its ends are probed
_MOVING = (
    "after a randomised rejection an offer moves with the residual belief (another "
    "responder's floor, or the informed actor proposing), so the thresholds are not those of "
    "fixed offers"
)


@dataclass(frozen=True, order=True)
class State:
    """A public belief: types ``s..M-1`` remain, type s with weight ``w`` of its prior
    (``w = 1``: a pure state). At a threshold ``w`` the later proposers play what they
    play just above it (``side = +1``) or just below (``side = -1``)."""

    s: int
    w: float = 1.0
    side: int = -1

    @property
    def pure(self) -> bool:
        return self.w >= 1.0


@dataclass(frozen=True)
class Option:
    """One offer a proposer could make at a node, with the types' responses."""

    key: tuple[object, ...]  # ("none",), ("pure", c), ("mixed", m, rho, side), ("informed", c)
    settlement: spatial.Settlement | None
    accepts: np.ndarray  # (M,) probability that each type accepts (off the path: best reply)
    next_state: State
    risk: float  # probability of rejection under the posterior
    ret: float  # the proposer's utility if accepted (NaN without a settlement)
    expected: float  # the proposer's expected payoff under the posterior
    war: float  # the probability that the game ends in war, under the posterior
    outcome: np.ndarray  # (M, N + 1) per type: every actor's expected utility at ``w``, and
    # the probability of war (the last column)
    inv: np.ndarray  # (N,) type s's part that scales as 1 / w (a randomising type s)
    order: float  # ties: the larger, the more deal
    residual: float  # verification: largest gain of a type in play by responding otherwise


@dataclass(frozen=True)
class Branch:
    """One proposer's move at one node (round t, regime r, belief state)."""

    proposer: int
    probability: float
    informed: bool
    chosen: Option
    options: tuple[Option, ...]

    @property
    def accepts(self) -> np.ndarray:
        return self.chosen.accepts

    @property
    def next_state(self) -> State:
        return self.chosen.next_state

    @property
    def settlement(self) -> spatial.Settlement | None:
        return self.chosen.settlement


@dataclass
class _Piece:
    """The values at belief states (m, rho) for rho in (lo, hi): every type's values are
    constant except type m's, ``const[m] + inv / rho``; ``keys`` the proposers' options."""

    lo: float
    hi: float
    const: np.ndarray  # (M, N)
    inv: np.ndarray  # (N,)
    keys: tuple[tuple[object, ...], ...]
    numeric: bool = False  # the offers move with rho: values by solving the node at rho


class _Uncovered(SolveError):
    """The mixed equilibrium at some node is outside what negsim computes (module doc);
    caught where a mixed option is built (the node is then refused if reached)."""


class _Moving(_Uncovered):
    """An offer moves with the residual belief: the affine pieces do not apply (the
    numeric pieces do)."""


@dataclass
class Screening:
    """The perfect Bayesian equilibrium with skimming, as arrays.

    ``value[t, r, s, m, i]``: actor i's expected value at round t, regime r, pure belief
    state s (types s.. remain) when the informed actor's type is m (on or off the path).
    ``continuation[t, r, s, m, i]``: the same after a rejection at round t that leads to
    state s (``w(t) + delta(t) E V(t + 1)``). ``branches[t, r, state]``: the proposers'
    moves at every pure state and at the randomised states reached.
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
    branches: dict[tuple[int, int, State], list[Branch]]
    war: np.ndarray = field(default_factory=lambda: np.zeros(0))  # value's shape but N
    residual: float = 0.0  # verification: largest gain of a type or a proposer by deviating
    uncovered_off_path: int = 0  # nodes off the path where a needed mixing is not computed
    mixed_nodes: int = 0  # nodes reached where the marginal type randomises
    alive: dict[tuple[int, int, State], np.ndarray] = field(default_factory=dict)
    # (value, continuation after the move) (M, N + 1) per type at every node reached; the
    # last column the probability of war
    node_values: dict[tuple[int, int, State], tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict
    )

    def posterior(self, state: State | int) -> np.ndarray:
        """pi(theta | state): the prior truncated to types s.. (type s weighted by w)."""
        state = state if isinstance(state, State) else State(state)
        p = np.where(np.arange(len(self.prior)) >= state.s, self.prior, 0.0)
        p[state.s] *= state.w
        return p / p.sum()

    def reach(self) -> dict[tuple[int, int, State], np.ndarray]:
        """``reach[t, r, state]``: probability that type m is still bargaining at round t in
        regime r and that belief state (conditional on the type), for the nodes reached."""
        return self.alive


#: One type's game for :func:`screen`: its name, prior, regime labels, transition matrix,
#: arrays per regime and its rank (:func:`_rank`: k's complete-information SPE value at the
#: start, then its continuation values summed)
TypeGame = tuple[str, float, list[str], np.ndarray, list[RoundArrays], tuple[float, float]]
#: How a proposer's offer to a group of types is found (:func:`proposer_choice`'s signature)
ChoiceFunction = Callable[[RoundArrays, int, int, np.ndarray, float], ProposerChoice]


def solve_types(scenario: Scenario, base: RoundSolution | None = None) -> Screening:
    """Solve the scenario's private-types game (see the module docstring).

    ``base``: the scenario's complete-information solution
    (:func:`negsim.engine.solve_scenario`, as :func:`negsim.solve` has it) or None. A type
    whose changes leave every number of the scenario as it is (e.g. a type without
    changes) is that game: its state space and its SPE ranking value are taken from
    ``base`` instead of being built and solved again (the same numbers, bit for bit).
    """
    if not scenario.types:
        raise SolveError("the scenario has no private types")
    (actor, specs), *_ = scenario.types.items()
    k = list(scenario.actors).index(actor)
    per_type = []
    plain = scenario.model_copy(update={"types": {}})  # each type's game: no types inside
    plain_numbers = _numbers(plain) if base is not None else None
    for name, spec in specs.items():
        try:
            changed = plain.with_changes(spec.changes) if spec.changes else plain
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
        if base is not None and (changed is plain or _numbers(changed) == plain_numbers):
            space = base.space
            # the rank's backward induction has binding deals: base's SPE is it only then
            rank = _rank(base.value, base.continuation, k) if scenario.deals == "binding" else None
        else:
            space, rank = state_space(changed), None
        if rank is None:
            rank = _complete_information_rank(space.arrays, space.transition, k)
        per_type.append((name, spec.prior, space.labels, space.transition, space.arrays, rank))
    return screen(actor, k, per_type)


def screen(
    actor: str, k: int, per_type: list[TypeGame], choice: ChoiceFunction | None = None
) -> Screening:
    """The screening equilibrium of prepared type games (:func:`solve_types` after it has
    built them; the sweep builds them for many points at once,
    :mod:`negsim.engine.type_points`). ``per_type`` in the scenario's order of types; ``k``
    the informed ``actor``'s index; ``choice`` finds a proposer's offer (None:
    :func:`negsim.engine.bellman.proposer_choice`; the sweep passes one that keeps its
    HiGHS models warm across questions and points, the same offers)."""
    regimes, transition = per_type[0][2], per_type[0][3]
    order = sorted(range(len(per_type)), key=lambda m: (per_type[m][5], m))
    per_type = [per_type[m] for m in order]
    solver = _Solver(
        [t[0] for t in per_type],
        k,
        np.array([t[1] for t in per_type]),
        transition,
        [t[4] for t in per_type],
        choice,
    )
    screening = Screening(
        actor,
        k,
        [t[0] for t in per_type],
        solver.prior,
        regimes,
        transition,
        solver.arrays,
        solver.value[..., :-1],  # views: filled by the backward pass
        solver.cont_pure[..., :-1],
        {},
        war=solver.value[..., -1],
    )
    solver.backward()
    solver.forward(screening)
    return screening


def _numbers(scenario: Scenario) -> dict[str, Any]:
    """The scenario's content without its ``why`` quotes (which enter no number; a mapping
    under a user's name ``why``, e.g. an actor, is kept)."""

    def bare(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                key: bare(value)
                for key, value in node.items()
                if not (key == "why" and (value is None or isinstance(value, str)))
            }
        if isinstance(node, list):
            return [bare(value) for value in node]
        return node

    return cast(dict[str, Any], bare(scenario.model_dump()))


def _complete_information_rank(
    arrays: list[RoundArrays], transition: np.ndarray, k: int
) -> tuple[float, float]:
    """k's complete-information SPE value at the start, then (to break ties where a deal
    pins it down) its continuation values summed over rounds and regimes: the SPE pass of
    :func:`negsim.engine.solve_arrays` (binding deals, a war at the end) without the other
    concepts, the ex-ante values and the delay incentives, which the rank does not read."""
    space = StateSpace([str(r) for r in range(len(arrays))], arrays, transition)
    discount = np.stack([a.discount for a in arrays])[None]
    flow = np.stack([a.flow for a in arrays])[None]
    spe = backward_induction(space, discount, flow, GeneralOffers(space), "war", mix_ties=True)
    if not np.isfinite(spe.value).all():
        raise SolveError(
            "a type's complete-information values overflow to infinity: its war costs, "
            "benefits or penalties are too large for floating point (keep them within a few "
            "orders of magnitude of the utility scale, 0 to 1)"
        )
    return _rank(spe.value[0], spe.continuation[0], k)


def _rank(value: np.ndarray, continuation: np.ndarray, k: int) -> tuple[float, float]:
    """The rank of a type from its SPE ``value`` (T + 1, R, N) and ``continuation``."""
    return float(value[0, 0, k]), float(continuation[:, :, k].sum())


class _Solver:
    """Backward induction over (round, regime, belief state); see the module docstring."""

    def __init__(
        self,
        names: list[str],
        k: int,
        prior: np.ndarray,
        transition: np.ndarray,
        arrays: list[list[RoundArrays]],
        choice: ChoiceFunction | None = None,
    ):
        self.names, self.k, self.prior = names, k, prior
        self.choice = proposer_choice if choice is None else choice
        self.transition, self.arrays = transition, arrays
        self.M, self.R = len(arrays), len(transition)
        a0 = arrays[0][0]
        # one column more than actors: the probability of war, which follows the same
        # recursion with no flow, no discount, 0 for a deal and 1 at the end
        self.T, self.N = a0.rounds, len(a0.actors) + 1
        T, R, M, N = self.T, self.R, self.M, self.N
        self.value = np.zeros((T + 1, R, M, M, N))
        self.cont_pure = np.zeros((T, R, M, M, N))
        self.flow = [[np.pad(a.flow, ((0, 0), (0, 1))) for a in arrays[m]] for m in range(M)]
        self.discount = [
            [np.pad(a.discount, ((0, 0), (0, 1)), constant_values=1.0) for a in arrays[m]]
            for m in range(M)
        ]
        for m in range(M):
            war = war_utilities(StateSpace([str(r) for r in range(R)], arrays[m], transition))
            self.value[T, :, :, m] = np.pad(war, ((0, 0), (0, 1)), constant_values=1.0)[:, None]
        self.pieces: dict[tuple[int, int, int], list[_Piece]] = {}
        # values at randomised states on numeric pieces, [t][r][state]
        self.moving_values: list[list[dict[State, np.ndarray]]] = [
            [{} for _ in range(R)] for _ in range(T)
        ]
        self.branches: dict[tuple[int, int, State], list[Branch]] = {}
        self.uncovered: dict[tuple[int, int, State], str] = {}
        self._probed: dict[tuple[int, int, State], list[Branch]] = {}
        self._combined: dict[tuple[int, int, int], RoundArrays] = {}
        self._choices: dict[tuple[object, ...], ProposerChoice] = {}
        # the informed actor's limits per regime and type (M, T, ...), for the responses
        self.limits = [
            (
                np.stack([arrays[m][r].red_low[:, k] for m in range(self.M)]),
                np.stack([arrays[m][r].red_high[:, k] for m in range(self.M)]),
                np.stack([arrays[m][r].reservation[:, k] for m in range(self.M)]),
            )
            for r in range(self.R)
        ]
        self.uniform = [all(np.all(x == x[:1]) for x in self.limits[r]) for r in range(self.R)]
        # the same per regime and round with the responses' tolerance, each (M, ...)
        self.tolerant = [
            [(low[:, t] - 1e-9, high[:, t] + 1e-9, res[:, t] - 1e-9) for t in range(T)]
            for low, high, res in self.limits
        ]
        # flows and discounts per round and regime, (M, N): the pure continuations at once
        self.flow_rt = np.stack([np.stack(self.flow[m], axis=1) for m in range(M)], axis=2)
        self.discount_rt = np.stack([np.stack(self.discount[m], axis=1) for m in range(M)], axis=2)
        self.types = np.arange(M)
        # the regimes each regime moves to with positive probability
        self.next_regimes = [np.flatnonzero(transition[r] > 0).tolist() for r in range(R)]
        self.zero = np.zeros(N)
        self.zero.flags.writeable = False  # shared: the 1/w part of every pure state
        self._posteriors: dict[State, np.ndarray] = {}

    # -- values at belief states ---------------------------------------------------------
    def _piece(self, t: int, r: int, state: State) -> _Piece:
        pieces = self.pieces_at(t, r, state.s)
        los = [p.lo for p in pieces]
        i = bisect.bisect_right(los, state.w) - 1
        if state.side < 0 and i > 0 and state.w == pieces[i].lo:
            i -= 1
        return pieces[i]

    def value_at(self, t: int, r: int, state: State) -> tuple[np.ndarray, np.ndarray]:
        """Every type's values at (t, r, state): (M, N) at ``w`` and type s's 1/w part."""
        zero = self.zero
        if state.pure or t == self.T:
            return self.value[t, r, state.s], zero
        piece = self._piece(t, r, state)
        if piece.numeric:
            if state not in self.moving_values[t][r]:
                found = self.piece_node(t, r, state, lean=True)
                values = sum(br.probability * br.chosen.outcome for br in found)
                self.moving_values[t][r][state] = np.asarray(values, dtype=float)
            return self.moving_values[t][r][state], zero
        const = piece.const.copy()
        const[state.s] += piece.inv / state.w
        return const, piece.inv

    def piece_node(self, t: int, r: int, state: State, lean: bool = False) -> list[Branch]:
        """The moves at a randomised state, as its piece has them. At the end of a numeric
        piece where the informed actor's set of proposing types changes (at the breakpoint
        only the next piece's set is consistent), the piece's limit: the node 1e-12 inside."""
        piece = self._piece(t, r, state)
        try:
            return self.node(t, r, state, piece.keys, lean)
        except LookupError:
            if not piece.numeric:
                raise
        inside = state.w - _EDGE if state.w >= piece.hi else state.w + _EDGE
        try:
            return self.node(t, r, dataclasses.replace(state, w=inside), piece.keys, lean)
        except LookupError:
            raise _Uncovered(
                "the choices of a piece where the offers move with the residual belief are not "
                "those at its end"
            ) from None

    def cont_at(self, t: int, r: int, state: State) -> tuple[np.ndarray, np.ndarray]:
        """Continuation after a rejection at round t that leads to ``state``."""
        if state.pure:
            return self.cont_pure[t, r, state.s], self.zero
        nxt, inv = np.zeros((self.M, self.N)), np.zeros(self.N)
        for q in self.next_regimes[r]:
            v, i = self.value_at(t + 1, q, state)
            nxt += self.transition[r, q] * v
            inv += self.transition[r, q] * i
        out = np.empty_like(nxt)
        for m in range(self.M):
            out[m] = self.flow[m][r][t] + self.discount[m][r][t] * nxt[m]
        return out, self.discount[state.s][r][t] * inv

    def thresholds(self, t: int, r: int, m: int) -> list[float]:
        """The residual weights in (0, 1) where the continuation at (t, r, (m, .)) jumps."""
        if t + 1 >= self.T:
            return []
        found: set[float] = set()
        for q in self.next_regimes[r]:
            found.update(p.lo for p in self.pieces_at(t + 1, q, m)[1:])
        return sorted(found)

    def pieces_at(self, t: int, r: int, m: int) -> list[_Piece]:
        """The values at (t, r, (m, rho)) for rho in (0, 1), piece by piece (module doc):
        exact affine pieces where the later offers are fixed, numeric ones otherwise."""
        if (t, r, m) in self.pieces:
            return self.pieces[t, r, m]
        bounds = [0.0, *self.thresholds(t, r, m), 1.0]
        later = self.next_regimes[r] if t + 1 < self.T else []
        pieces: list[_Piece] | None = None
        if not any(p.numeric for q in later for p in self.pieces_at(t + 1, q, m)):
            try:
                pieces = self._exact_pieces(t, r, m, bounds)
            except _Moving:
                pieces = None
        if pieces is None:
            pieces = self._numeric_pieces(t, r, m, bounds)
        self.pieces[t, r, m] = pieces
        return pieces

    def _exact_pieces(self, t: int, r: int, m: int, bounds: list[float]) -> list[_Piece]:
        pieces: list[_Piece] = []
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            for a, b, keys in self._envelope(t, r, m, lo, hi):
                probe = State(m, 0.5 * (a + b))
                found = self.node(t, r, probe, keys)
                const = sum(br.probability * br.chosen.outcome for br in found)
                inv = sum(br.probability * br.chosen.inv for br in found)
                const = np.array(const, dtype=float)
                const[m] -= np.asarray(inv) / probe.w
                pieces.append(_Piece(a, b, const, np.asarray(inv, dtype=float), keys))
        return pieces

    def _numeric_pieces(self, t: int, r: int, m: int, bounds: list[float]) -> list[_Piece]:
        """Pieces where an offer moves with rho: on each interval between the later
        thresholds, the proposers' choices on a grid, and where they change the breakpoint
        to 1e-12 (:meth:`_breakpoint`)."""
        zero_const, zero_inv = np.zeros((self.M, self.N)), np.zeros(self.N)
        pieces: list[_Piece] = []
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            inner = lo + (hi - lo) * (np.arange(_GRID) + 0.5) / _GRID
            xs = [lo + _EDGE, *inner.tolist(), hi - _EDGE]  # the ends' choices too
            ks = [self._keys(t, r, State(m, float(x))) for x in xs]
            starts = [(lo, ks[0])]
            for i in range(len(xs) - 1):
                if ks[i] != ks[i + 1]:
                    starts += self._breakpoint(
                        t, r, m, float(xs[i]), ks[i], float(xs[i + 1]), ks[i + 1]
                    )
            ends = [a for a, _ in starts[1:]] + [hi]
            for (a, keys), b in zip(starts, ends, strict=True):
                pieces.append(_Piece(a, b, zero_const, zero_inv, keys, numeric=True))
        return pieces

    def _probe(self, t: int, r: int, state: State) -> list[Branch]:
        """Every proposer's move at a randomised state, no option imposed (kept: the
        breakpoints' search asks again for the grid's points)."""
        if (t, r, state) not in self._probed:
            self._probed[t, r, state] = self.node(t, r, state)
        return self._probed[t, r, state]

    def _keys(self, t: int, r: int, state: State) -> tuple[tuple[object, ...], ...]:
        """The proposers' choices at a randomised state (a numeric piece's keys)."""
        return tuple(_kind(b.chosen.key) for b in self._probe(t, r, state))

    def _breakpoint(
        self,
        t: int,
        r: int,
        m: int,
        a: float,
        ka: tuple[tuple[object, ...], ...],
        b: float,
        kb: tuple[tuple[object, ...], ...],
    ) -> list[tuple[float, tuple[tuple[object, ...], ...]]]:
        """Where the choices change from ``ka`` (at a) to ``kb`` (at b): [(start, keys)].
        A single uninformed proposer switching between two options: the root of the
        difference of their values (:func:`scipy.optimize.brentq`, to 1e-12); otherwise
        (the informed actor's pooled offer, or more than one change) bisection on the
        choices; a third choice found in between splits the bracket."""
        changed = [q for q in range(len(ka)) if ka[q] != kb[q]]

        def gap(x: float) -> float:
            found = self._probe(t, r, State(m, x))
            q = changed[0]
            options = {_kind(o.key): o.expected for o in found[q].options}
            return options.get(ka[q], -np.inf) - options.get(kb[q], -np.inf)

        if len(changed) == 1 and proposers(self.arrays[0][r], t)[changed[0]][0] != self.k:
            ga, gb = gap(a), gap(b)
            if np.isfinite(ga) and np.isfinite(gb) and ga >= 0.0 >= gb:
                x = float(brentq(gap, a, b, xtol=1e-13, rtol=4 * np.finfo(float).eps))
                # the two options tie at x; kb starts there if no third option is better
                # (the node's own choice may still be ka within its tie tolerance)
                found = self._probe(t, r, State(m, x))
                q = changed[0]
                best = max(o.expected for o in found[q].options)
                if all(
                    _kind(o.key) != kb[q] or o.expected >= best - _TOL for o in found[q].options
                ) and all(_kind(found[i].chosen.key) == ka[i] for i in range(len(ka)) if i != q):
                    return [(x, kb)]
        while b - a > 1e-12:
            c = 0.5 * (a + b)
            kc = self._keys(t, r, State(m, c))
            if kc == ka:
                a = c
            elif kc == kb:
                b = c
            else:
                return self._breakpoint(t, r, m, a, ka, c, kc) + self._breakpoint(
                    t, r, m, c, kc, b, kb
                )
        return [(b, kb)]

    def _envelope(
        self, t: int, r: int, m: int, lo: float, hi: float
    ) -> list[tuple[float, float, tuple[tuple[object, ...], ...]]]:
        """Sub-intervals of (lo, hi) with each proposer's best option on each."""
        probes = [State(m, lo + f * (hi - lo)) for f in _PROBES]
        found = [self.node(t, r, p) for p in probes]
        mass = [self.prior[m] * p.w + self.prior[m + 1 :].sum() for p in probes]
        cuts: list[list[tuple[float, tuple[object, ...]]]] = []
        for q in range(len(found[0])):
            lines: dict[tuple[object, ...], tuple[float, float, float]] = {}
            options = [{o.key: o for o in f[q].options} for f in found]
            if any(set(o) != set(options[0]) for o in options):
                raise _Moving(_MOVING)
            if found[0][q].informed:
                xs = [d.x for d in (f[q].settlement for f in found) if d is not None]
                if any(not np.allclose(v, xs[0], atol=1e-9) for v in xs):
                    raise _Moving(
                        "after a randomised rejection the informed actor proposes, and its "
                        "pooled offer moves with the residual belief"
                    )
                cuts.append([(lo, found[0][q].chosen.key)])
                continue
            for key, first in options[0].items():
                g = [z * o[key].expected for z, o in zip(mass, options, strict=True)]
                x = [p.w for p in probes]
                beta = (g[2] - g[0]) / (x[2] - x[0])
                alpha = g[0] - beta * x[0]
                xs = [d.x for d in (o[key].settlement for o in options) if d is not None]
                if abs(alpha + beta * x[1] - g[1]) > 1e-9 * max(1.0, abs(g[1])) or any(
                    not np.allclose(v, xs[0], atol=1e-9) for v in xs
                ):
                    raise _Moving(_MOVING)
                lines[key] = (alpha, beta, first.order)
            cuts.append(_upper_envelope(lines, lo, hi))
        points = sorted({lo, hi, *(c for cut in cuts for c, _ in cut)})
        out = []
        for a, b in zip(points[:-1], points[1:], strict=True):
            keys = tuple(next(key for c, key in reversed(cut) if c <= a + 1e-15) for cut in cuts)
            out.append((a, b, keys))
        return out

    # -- one node --------------------------------------------------------------------------
    def choose(
        self, r: int, t: int, j: int, low: int, high: int, floors: np.ndarray, probability: float
    ) -> ProposerChoice:
        """j's best offer to the types low..high-1 (each of their limits respected) given the
        responders' floors; each question is asked once: a cutoff's offer does not depend
        on the state when no other responder's floor does (its ``deal`` and
        ``continuation`` are the first asker's: only the offer is used)."""
        group = (0, 0) if self.uniform[r] else (low, high)
        a = self.arrays[low][r]
        others = floors.copy()
        if a.ratifiers is None and a.outside is None and a.leaders is None:
            # the offer does not read the proposer's own continuation (its floor is its
            # reservation; the continuation only prices ratification and outside options)
            others[j] = 0.0
        key = (r, t, j, *group, probability, others.tobytes())
        if key not in self._choices:
            self._choices[key] = self.choice(self.combined(r, low, high), t, j, floors, probability)
        return self._choices[key]

    def combined(self, r: int, low: int, high: int) -> RoundArrays:
        """Arrays whose informed actor has the tightest reservation and red lines of types
        low..high-1 (an offer they all accept must respect each of theirs)."""
        a0 = self.arrays[low][r]
        if self.uniform[r]:
            return a0
        if (r, low, high) not in self._combined:
            red_low, red_high, res = self.limits[r]
            k = self.k
            reservation = a0.reservation.copy()
            low_, high_ = a0.red_low.copy(), a0.red_high.copy()
            reservation[:, k] = res[low:high].max(axis=0)
            low_[:, k] = red_low[low:high].max(axis=0)
            high_[:, k] = red_high[low:high].min(axis=0)
            self._combined[r, low, high] = dataclasses.replace(
                a0, reservation=reservation, red_low=low_, red_high=high_
            )
        return self._combined[r, low, high]

    def gains(self, r: int, t: int, settlement: spatial.Settlement, cont: np.ndarray) -> np.ndarray:
        """(M,) each type's gain of accepting over its continuation ``cont`` (M,);
        -inf outside its red lines or below its reservation."""
        low, high, res = self.tolerant[r][t]
        u, x = settlement.utilities[self.k], settlement.x
        outside = ((x < low) | (x > high)).any(axis=1) | (u < res)
        return np.where(outside, -np.inf, u - cont)

    def node(
        self,
        t: int,
        r: int,
        state: State,
        keys: tuple[tuple[object, ...], ...] | None = None,
        lean: bool = False,
    ) -> list[Branch]:
        """Every proposer's move at (t, r, state); ``keys`` imposes the options (a
        residual state's piece); ``lean``: only the imposed options are built."""
        post = self.posterior(state)
        cur, cur_inv = self.cont_at(t, r, state)
        base = (post @ cur)[: self.N - 1]
        found = []
        for q, (j, probability) in enumerate(proposers(self.arrays[0][r], t)):
            if j == self.k:
                first = keys[q] if keys is not None else None  # a piece's consistent set
                options = self._informed(t, r, state, post, cur, cur_inv, base, probability, first)
            else:
                only = keys[q] if lean and keys is not None else None
                options = self._uninformed(
                    t, r, state, post, cur, cur_inv, base, j, probability, only
                )
            if keys is not None:
                chosen = next((o for o in options if _kind(o.key) == keys[q]), None)
                if chosen is None:
                    raise LookupError(keys[q])
            elif j == self.k:
                chosen = options[0]
            else:
                best = max(o.expected for o in options)
                chosen = max((o for o in options if o.expected >= best - _TOL), key=_order)
            found.append(Branch(j, probability, j == self.k, chosen, tuple(options)))
        return found

    def posterior(self, state: State) -> np.ndarray:
        """pi(theta | state) (:func:`_posterior`), kept per state (read-only)."""
        if state not in self._posteriors:
            post = _posterior(self.prior, state)
            post.flags.writeable = False
            self._posteriors[state] = post
        return self._posteriors[state]

    def _option(
        self,
        t: int,
        r: int,
        state: State,
        post: np.ndarray,
        j: int,
        key: tuple[object, ...],
        choice_settlement: spatial.Settlement,
        coalition: tuple[int, ...],
        intended: np.ndarray,
        nxt: State,
        order: float,
    ) -> Option | None:
        """The option ``key``: types accept with probabilities ``intended`` (in play)."""
        M, k, s = self.M, self.k, state.s
        cont, _ = self.cont_at(t, r, nxt)
        u = np.append(choice_settlement.utilities, 0.0)  # a deal: no war
        on = self.types >= s
        if k in coalition:
            gain = self.gains(r, t, choice_settlement, cont[:, k])
            best_reply = (gain >= -_TOL).astype(float)
            accepts = np.where(on, intended, best_reply)
            wrong = np.where(intended >= 1.0, -gain, np.where(intended <= 0.0, gain, np.abs(gain)))
            wrong = np.where(on, np.maximum(wrong, 0.0), 0.0)
            residual = float(np.where(np.isnan(wrong), 0.0, wrong).max())  # NaN: no gain
        else:  # the deal does not need the informed actor: it comes whatever its type
            accepts, residual = np.ones(M), 0.0
        mixing = k in coalition and bool(((intended > 0.0) & (intended < 1.0)).any())
        if mixing and residual > _TOL:
            return None  # the offer does not leave the marginal type indifferent
        outcome = accepts[:, None] * u[None, :] + (1.0 - accepts[:, None]) * cont
        inv = self.zero
        if mixing and nxt.s == s:  # type s keeps weight nxt.w of its current w
            inv = nxt.w * (cont[s] - u)
            outcome[s] = u + inv / state.w
        accepted = float(post @ accepts)
        return Option(
            key,
            choice_settlement,
            accepts,
            nxt,
            1.0 - accepted,
            float(u[j]),
            float(post @ outcome[:, j]),
            float(post @ outcome[:, -1]),
            outcome,
            inv,
            order,
            residual,
        )

    def _uninformed(
        self,
        t: int,
        r: int,
        state: State,
        post: np.ndarray,
        cur: np.ndarray,
        cur_inv: np.ndarray,
        base: np.ndarray,
        j: int,
        probability: float,
        only: tuple[object, ...] | None = None,
    ) -> list[Option]:
        M, k, s = self.M, self.k, state.s
        nothing = np.zeros(M)
        options = [
            Option(
                ("none",),
                None,
                nothing,
                state,
                1.0,
                np.nan,
                float(base[j]),
                float(post @ cur[:, -1]),
                cur,
                cur_inv,
                float(s),
                0.0,
            )
        ]
        types = self.types
        cutoffs, marginal = range(s + 1, M + 1), range(s, M - 1)
        if only is not None:  # only the imposed option ("none" is always built)
            at = int(cast(int, only[1])) if len(only) > 1 else 0
            cutoffs = range(at, at + 1) if only[0] == "pure" else range(0)
            marginal = range(at, at + 1) if only[0] == "mixed" else range(0)
        for c in cutoffs:
            nxt = State(min(c, M - 1))
            floors = base.copy()
            floors[k] = self.cont_at(t, r, nxt)[0][s:c, k].max()
            choice = self.choose(r, t, j, s, c, floors, probability)
            if choice.settlement is None:
                continue
            intended = ((types >= s) & (types < c)).astype(float)
            option = self._option(
                t,
                r,
                state,
                post,
                j,
                ("pure", c),
                choice.settlement,
                choice.coalition,
                intended,
                nxt,
                float(c),
            )
            assert option is not None
            options.append(option)
        for m in marginal:
            options += self._mixed(t, r, state, post, base, j, probability, m, only)
        return options

    def _mixed(
        self,
        t: int,
        r: int,
        state: State,
        post: np.ndarray,
        base: np.ndarray,
        j: int,
        probability: float,
        m: int,
        only: tuple[object, ...] | None = None,
    ) -> list[Option]:
        """The offers that make the marginal type m randomise (module docstring); ``only``:
        the one (kind of) mixed option a piece imposes (:func:`_kind`)."""
        k, s = self.k, state.s
        top = state.w if m == s else 1.0
        above = self.cont_at(t, r, State(m + 1))[0][m, k]
        pooled = self.cont_at(t, r, State(m, top, state.side if m == s else -1))[0][m, k]
        if above - pooled <= _TOL:
            return []
        try:
            candidates = [w for w in self.thresholds(t, r, m) if w <= top]
            # the thresholds' values: computing them may find a case not covered
            for q in self.next_regimes[r]:
                self.pieces_at(t + 1, q, m)
        except _Uncovered as exc:
            self.uncovered.setdefault((t, r, state), f"type {m}: {exc}")
            return []
        types = self.types

        def mixed(w: float, side: int, search: float | None = None) -> Option | None:
            nxt = State(m, w, side)
            floors = base.copy()
            floors[k] = self.cont_at(t, r, nxt)[0][s : m + 1, k].max()
            choice = self.choose(r, t, j, s, m + 1, floors, probability)
            if choice.settlement is None or k not in choice.coalition:
                return None
            intended = ((types >= s) & (types < m)).astype(float)
            intended[m] = 1.0 - w / top
            return self._option(
                t,
                r,
                state,
                post,
                j,
                ("mixed", m, w, side) if search is None else ("mixed", m, w, side, search),
                choice.settlement,
                choice.coalition,
                intended,
                nxt,
                m + 1.0 - w / top,
            )

        try:
            pairs = [(w, side) for w in candidates for side in (1, -1)]
            moving = self._moving(t, r, m, top)
            if only is not None:  # the imposed one: a threshold's, or a search on an interval
                pairs = [p for p in pairs if ("mixed", m, *p) == only]
                moving = [(lo, hi) for lo, hi in moving if ("mixed", m, "search", lo) == only]
            options = [o for w, side in pairs if (o := mixed(w, side)) is not None]
            for lo, hi in moving:
                best = _best_residual(lambda w, side, lo=lo: mixed(w, side, lo), lo, hi)
                if best is not None:
                    options.append(best)
        except _Uncovered as exc:
            self.uncovered.setdefault((t, r, state), f"type {m}: {exc}")
            return []
        return options

    def _moving(self, t: int, r: int, m: int, top: float) -> list[tuple[float, float]]:
        """The intervals of residuals below ``top`` between the thresholds where type m's
        continuation at (t, r, (m, .)) moves with the residual (a numeric piece next)."""
        if t + 1 >= self.T:
            return []
        later = self.next_regimes[r]
        bounds = [0.0, *self.thresholds(t, r, m), 1.0]
        out = []
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            hi = min(hi, top)
            if hi - lo <= 1e-12:
                continue
            mid = State(m, 0.5 * (lo + hi))
            if any(self._piece(t + 1, q, mid).numeric for q in later):
                out.append((lo, hi))
        return out

    def _informed(
        self,
        t: int,
        r: int,
        state: State,
        post: np.ndarray,
        cur: np.ndarray,
        cur_inv: np.ndarray,
        base: np.ndarray,
        probability: float,
        first: tuple[object, ...] | None = None,
    ) -> list[Option]:
        """The informed actor proposes: the proposing types pool on one offer, the others
        wait (the first option returned is the one played). ``first``: a set of proposing
        types to try first (a piece's, at its end where two sets are consistent)."""
        M, k, s = self.M, self.k, state.s
        types = self.types
        sets = list(range(M, s, -1))  # the largest consistent set of proposing types s..c-1
        if first is not None and first[1] in sets:
            sets.insert(0, int(cast(int, first[1])))
        for c in sets:
            nxt = State(min(c, M - 1))
            cont = self.cont_at(t, r, nxt)[0]
            floors = base.copy()
            floors[k] = cont[s:c, k].max()  # unused for the proposer itself
            choice = self.choose(r, t, k, s, c, floors, probability)
            if choice.settlement is None:
                continue
            gain = self.gains(r, t, choice.settlement, cont[:, k])
            proposes = gain >= -_TOL
            if proposes[s:c].all() and not (gain[c:] > _TOL).any():
                accepts = np.where(types >= s, (types < c).astype(float), proposes.astype(float))
                u = np.append(choice.settlement.utilities, 0.0)
                outcome = accepts[:, None] * u[None, :] + (1.0 - accepts[:, None]) * cont
                return [
                    Option(
                        ("informed", c),
                        choice.settlement,
                        accepts,
                        nxt,
                        float(1.0 - post @ accepts),
                        np.nan,
                        np.nan,
                        float(post @ outcome[:, -1]),
                        outcome,
                        self.zero,
                        float(c),
                        0.0,
                    )
                ]
        return [
            Option(
                ("informed", s),
                None,
                np.zeros(M),
                state,
                1.0,
                np.nan,
                np.nan,
                float(post @ cur[:, -1]),
                cur,
                cur_inv,
                float(s),
                0.0,
            )
        ]

    # -- the passes ------------------------------------------------------------------------
    def backward(self) -> None:
        """Values at every pure state, last round first."""
        for t in reversed(range(self.T)):
            states = range(1) if t == 0 else range(self.M)  # round 0: the full set only
            for r in range(self.R):
                expected_next = np.einsum("q,qsmn->smn", self.transition[r], self.value[t + 1])
                self.cont_pure[t, r] = self.flow_rt[t, r] + self.discount_rt[t, r] * expected_next
                for s in states:
                    found = self.node(t, r, State(s))
                    self.branches[t, r, State(s)] = found
                    self.value[t, r, s] = sum(b.probability * b.chosen.outcome for b in found)

    def forward(self, screening: Screening) -> None:
        """Follow the path: the nodes reached, the verification, the refusals."""
        M, T = self.M, self.T
        alive: dict[tuple[int, int, State], np.ndarray] = {(0, 0, State(0)): np.ones(M)}
        residual, mixed = 0.0, 0
        for t in range(T):
            here = sorted((key, v) for key, v in alive.items() if key[0] == t)
            for (_, r, state), mass in here:
                if not mass.any():
                    continue
                if (t, r, state) in self.uncovered:
                    names = ", ".join(self.names[state.s :])
                    raise SolveError(
                        f"at round {t} (regime {r}, types {names} in play) a marginal type would "
                        f"have to randomise and negsim does not compute that case "
                        f"({self.uncovered[t, r, state]}): pure skimming may not be an "
                        "equilibrium there (Fudenberg & Tirole 1991, sec. 10.2); raise the "
                        "prior of the stronger types, shorten the horizon or give fewer "
                        "actors a say in the offers"
                    )
                if (t, r, state) not in self.branches:
                    self.branches[t, r, state] = self.piece_node(t, r, state)
                found = self.branches[t, r, state]
                after = sum(b.probability * self.cont_at(t, r, b.next_state)[0] for b in found)
                now = sum(b.probability * b.chosen.outcome for b in found)
                screening.node_values[t, r, state] = (np.asarray(now), np.asarray(after))
                for b in found:
                    if not b.informed:
                        best = max(o.expected for o in b.options)
                        residual = max(residual, best - b.chosen.expected, b.chosen.residual)
                        mixed += b.chosen.key[0] == "mixed"
                    go = mass * b.probability * (1.0 - b.accepts)
                    if not go.any():
                        continue
                    for q in self.next_regimes[r]:
                        key = (t + 1, q, b.next_state)
                        alive[key] = alive.get(key, np.zeros(M)) + self.transition[r, q] * go
        if residual > _VERIFY_TOL:
            raise SolveError(
                f"the skimming profile is not an equilibrium (a type gains {residual:.3g} by "
                "switching between accepting and rejecting): the types are not ordered the same "
                "way in every round and belief state (single crossing fails), e.g. types that "
                "differ in discount factors or red lines in opposite directions; give the types "
                "changes that rank them the same way throughout"
            )
        screening.branches = self.branches
        screening.residual = residual
        screening.alive = alive
        screening.mixed_nodes = mixed
        reached = {key for key, v in alive.items() if v.any()}
        screening.uncovered_off_path = sum(key not in reached for key in self.uncovered)


def _order(option: Option) -> float:
    return option.order


def _kind(key: tuple[object, ...]) -> tuple[object, ...]:
    """An option's key as a piece holds it: a mixed offer found by the search on the
    interval starting at ``lo`` (its residual moves with the state) is ("mixed", m,
    "search", lo); every other key is itself."""
    return ("mixed", key[1], "search", key[4]) if len(key) == 5 else key


def _best_residual(mixed: Any, lo: float, hi: float) -> Option | None:
    """The best mixed offer with a residual in (lo, hi), where the marginal type's
    continuation moves with the residual: the best of a grid, then a bounded scalar search
    (:func:`scipy.optimize.minimize_scalar`, to 1e-10) between its neighbours.
    ``mixed(w, side)`` builds the option (None where no offer leaves the type indifferent)."""

    def value(w: float) -> float:
        option = mixed(w, -1)
        return -np.inf if option is None else option.expected

    xs = lo + (hi - lo) * (np.arange(_SEARCH) + 0.5) / _SEARCH
    values = [value(float(x)) for x in xs]
    i = int(np.argmax(values))
    if not np.isfinite(values[i]):
        return None
    a = lo if i == 0 else float(xs[i - 1])
    b = hi if i == _SEARCH - 1 else float(xs[i + 1])
    found = minimize_scalar(
        lambda w: -value(w), bounds=(a, b), method="bounded", options={"xatol": 1e-10}
    )
    w = float(found.x) if -found.fun > values[i] else float(xs[i])
    return cast(Option | None, mixed(w, -1))


def _posterior(prior: np.ndarray, state: State) -> np.ndarray:
    p = np.where(np.arange(len(prior)) >= state.s, prior, 0.0)
    p[state.s] *= state.w
    return p / p.sum()


def _upper_envelope(
    lines: dict[tuple[object, ...], tuple[float, float, float]], lo: float, hi: float
) -> list[tuple[float, tuple[object, ...]]]:
    """The upper envelope of lines ``alpha + beta x`` on (lo, hi): [(start, key), ...].
    Ties: the larger slope (the line that wins just to the right), then the larger order."""

    def winner(x: float) -> tuple[object, ...]:
        top = max(alpha + beta * x for alpha, beta, _ in lines.values())
        tied = [key for key, (a, b, _) in lines.items() if a + b * x >= top - _TOL]
        return max(tied, key=lambda key: lines[key][1:])

    x = lo
    best = winner(x)
    out = [(lo, best)]
    while True:
        a0, b0, _ = lines[best]
        crossings = []
        for a, b, _ in lines.values():
            if b > b0 + 1e-15:
                cx = (a0 - a) / (b - b0)
                if x + 1e-12 < cx < hi - 1e-12:
                    crossings.append(cx)
        if not crossings:
            return out
        x = min(crossings)
        best = winner(x)
        out.append((x, best))
