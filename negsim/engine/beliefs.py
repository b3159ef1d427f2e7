"""Worlds, heterogeneous priors and public learning: a subjective SPE over signal nodes.

A scenario with ``worlds`` is solved here instead of by the complete-information pass of
:mod:`negsim.engine`. The model (equations in ``docs/design.md``):

* **Worlds** ``w = 1..K``: each a set of changes to how the war goes (war costs, private
  benefits, capacities, support, drift, initial control, war values, deadline penalties).
  World w has its own per-regime arrays, flows ``w_i^w(t, r)`` and complete-information
  threat points ``W_i^w(t, r)``; what a settlement is worth does not depend on the world.
* **Learning**: after each round t without a deal a public signal s points at the true
  world with probability ``a_t`` and uniformly at another otherwise,
  ``L_t(s | w) = a_t`` if ``s = w`` else ``(1 - a_t) / (K - 1)``.
* **Beliefs**: actor i's prior ``pi_i`` is common knowledge (Yildiz 2003, "agreeing to
  disagree"); its posterior at a node n of the signal lattice is
  ``pi_i(w | n) ∝ pi_i(w) prod_s L(s | w)``. The counts of signals per (distinct
  informative accuracy value, world) are a sufficient statistic, so histories with equal
  counts are one node: with a constant accuracy round t has ``C(t + K - 1, K - 1)`` nodes.
* **Subjective SPE** (Yildiz 2003, 2004 "Waiting to persuade"): actor i's continuation at
  (t, r, n) is

  .. math::

      C_i(t,r,n) = \\sum_w \\pi_i(w|n) \\Big[ w_i^w(t,r) + \\delta_i(t) \\sum_s L_t(s|w)
                   \\sum_{r'} P(r'|r) V_i(t+1, r', n+s) \\Big],

  the proposer offers every coalition member at least its *own* continuation and makes
  the offer only if its own utility is at least its own continuation (the engine's
  one-node proposer step with these floors); ``V_i(t,r,n) = sum_j p_j [deal_j ? u_i(x_j) :
  C_i(t,r,n)]`` and ``V_i(T,r,n) = sum_w pi_i(w|n) W_i^w(T,r)``. Threat points are
  ``W_i(t,r,n) = sum_w pi_i(w|n) W_i^w(t,r)`` (beliefs are a martingale under one's own
  prior), and the axiomatic concepts use each actor's subjective threat point at the node.

With one world, or equal priors and an uninformative signal (accuracy 1/K), this is the
engine's solution (with prior-averaged flows); with accuracy 1 the world is revealed after
round 0 and the game continues as the complete-information game of that world.
Convergence of beliefs through fighting follows Slantchev (2003), "The principle of
convergence in wartime negotiations", APSR 97(4).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from negsim.engine.arrays import RoundArrays
from negsim.engine.axiomatic import AXIOMATIC, NEEDS_EGALITARIAN, Cells
from negsim.engine.bellman import ProposerChoice, Step, bellman_step, node_step
from negsim.engine.offers import GeneralOffers, OfferStrategy, settlement_space
from negsim.engine.points import vectorised_offers
from negsim.engine.solve import RoundSolution
from negsim.engine.states import StateSpace
from negsim.engine.worlds import accuracy_series, world_arrays
from negsim.errors import SolveError
from negsim.models import spatial
from negsim.models.delay import delay_incentives
from negsim.scenario import Scenario

__all__ = [
    "BeliefSolution",
    "Lattice",
    "all_nodes",
    "node_probability",
    "perspectives",
    "posterior",
    "priors",
    "reach",
    "round_view",
    "signal_kernel",
    "signal_lattice",
    "solve_beliefs",
]

_UNINFORMATIVE = 1e-15


# -- the signal lattice ------------------------------------------------------------------
def signal_kernel(accuracy: float, worlds: int) -> np.ndarray:
    """``L[w, s]``: probability that the signal points at s when the world is w.

    >>> signal_kernel(0.7, 3).round(2).tolist()
    [[0.7, 0.15, 0.15], [0.15, 0.7, 0.15], [0.15, 0.15, 0.7]]
    """
    if worlds == 1:
        return np.ones((1, 1))
    kernel = np.full((worlds, worlds), (1 - accuracy) / (worlds - 1))
    np.fill_diagonal(kernel, accuracy)
    return kernel


@dataclass(frozen=True)
class Lattice:
    """Signal nodes per round: sufficient statistics, children and likelihoods.

    ``counts[t]`` (M_t, D, K): signals pointing at each world, per distinct informative
    accuracy value d; ``children[t]`` (M_t, K): the node of round t + 1 reached by signal s;
    ``loglik[t]`` (M_t, K): log-likelihood of the node's histories under each world, up to
    the count of histories (common to all worlds).
    """

    worlds: list[str]
    accuracy: np.ndarray  # (T,)
    kernels: list[np.ndarray]  # (K, K) per round
    counts: list[np.ndarray]
    children: list[np.ndarray]
    loglik: list[np.ndarray]

    @property
    def rounds(self) -> int:
        return len(self.kernels)

    def sizes(self) -> list[int]:
        """Nodes per round 0..T."""
        return [len(c) for c in self.counts]


def signal_lattice(worlds: list[str], accuracy: np.ndarray) -> Lattice:
    """The lattice of signal counts for rounds 0..T (T = ``len(accuracy)``).

    Signals of rounds with accuracy 1/K carry no information and are not counted;
    histories with the same counts per (accuracy value, world) are merged (their
    posteriors are equal under every prior), so the lattice grows polynomially.
    """
    K = len(worlds)
    informative = [float(a) for a in accuracy if K > 1 and abs(float(a) - 1 / K) > _UNINFORMATIVE]
    values = sorted(set(informative))
    D = len(values)
    kernels = [signal_kernel(float(a), K) for a in accuracy]
    with np.errstate(divide="ignore"):
        log_hit = np.log(np.array(values)) if D else np.zeros(0)
        log_miss = np.log((1 - np.array(values)) / max(K - 1, 1)) if D else np.zeros(0)
    level: dict[tuple[int, ...], int] = {(0,) * (D * K): 0}
    counts, children = [], []
    for a in accuracy:
        keys = list(level)
        counts.append(np.array(keys, dtype=int).reshape(len(keys), D, K))
        following: dict[tuple[int, ...], int] = {}
        child = np.zeros((len(keys), K), dtype=int)
        d = values.index(float(a)) if float(a) in values else None
        for m, key in enumerate(keys):
            for s in range(K):
                if d is None:
                    new = key
                else:
                    listed = list(key)
                    listed[d * K + s] += 1
                    new = tuple(listed)
                child[m, s] = following.setdefault(new, len(following))
        children.append(child)
        level = following
    counts.append(np.array(list(level), dtype=int).reshape(len(level), D, K))
    loglik = []
    for c in counts:
        total = c.sum(axis=2, keepdims=True)  # signals per accuracy value
        # n_dw log a_d + (m_d - n_dw) log((1 - a_d)/(K - 1)); 0 * log 0 counts as 0
        hit = c * np.where(c > 0, log_hit[None, :, None], 0.0) if D else np.zeros(c.shape)
        miss = (
            (total - c) * np.where(total - c > 0, log_miss[None, :, None], 0.0)
            if D
            else np.zeros(c.shape)
        )
        loglik.append((hit + miss).sum(axis=1))
    return Lattice(worlds, np.asarray(accuracy, float), kernels, counts, children, loglik)


def posterior(prior: np.ndarray, loglik: np.ndarray) -> np.ndarray:
    """``pi(w | n) ∝ prior(w) exp(loglik[n, w])`` for every node (M, K).

    Nodes that the prior deems impossible (every world with positive prior has likelihood
    zero) keep the prior: they are never reached, and their values enter their parents
    with weight zero. Priors (..., K) with log-likelihoods broadcasting against
    (..., 1, K), e.g. (n, P, K) with (n, 1, M, K), give (..., M, K) at once.
    """
    prior = prior[..., None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        log = np.where(prior > 0, np.log(np.where(prior > 0, prior, 1.0)), -np.inf) + loglik
        top = log.max(axis=-1, keepdims=True)
        weight = np.where(np.isfinite(log), np.exp(log - np.where(np.isfinite(top), top, 0)), 0)
    total = weight.sum(axis=-1, keepdims=True)
    return np.where(total > 0, weight / np.where(total > 0, total, 1.0), prior)


# -- priors ------------------------------------------------------------------------------
def perspectives(scenario: Scenario) -> list[str]:
    """The actors then ``analyst``: whose probabilities the tables report."""
    return [*scenario.actors, "analyst"]


def priors(scenario: Scenario) -> np.ndarray:
    """(N + 1, K): each actor's prior, then the analyst's (default uniform; an actor
    without a ``beliefs`` entry holds the analyst's prior)."""
    worlds = list(scenario.worlds)
    K = len(worlds)

    def vector(entry: dict[str, float] | None, default: np.ndarray) -> np.ndarray:
        if entry is None:
            return default
        return np.array([float(entry.get(w, 0.0)) for w in worlds])

    analyst = vector(scenario.beliefs.get("analyst"), np.full(K, 1 / K))
    rows = [vector(scenario.beliefs.get(a), analyst) for a in list(scenario.actors)]
    return np.stack([*rows, analyst])


# -- the solution ------------------------------------------------------------------------
@dataclass
class BeliefSolution:
    """Node-by-node solution. Per round t, arrays over nodes n (M_t) and regimes r."""

    lattice: Lattice
    regimes: list[str]
    transition: np.ndarray
    prior: np.ndarray  # (N + 1, K) actors then analyst
    belief: list[np.ndarray]  # (M_t, N + 1, K) posteriors
    world_threat: np.ndarray  # (K, T + 1, R, N) complete-information W^w
    threat: list[np.ndarray]  # (M_t, R, N) subjective W_i(t, r, n), t = 0..T
    value: list[np.ndarray]  # (M_t, R, N), t = 0..T
    continuation: list[np.ndarray]  # (M_t, R, N), t = 0..T-1
    deal: dict[str, list[np.ndarray]]  # concept -> (M_t, R)
    x: dict[str, list[np.ndarray]]  # (M_t, R, P)
    y: dict[str, list[np.ndarray]]  # (M_t, R, N, Q)
    payoff: dict[str, list[np.ndarray]]  # (M_t, R, N)
    choices: dict[tuple[int, int], list[ProposerChoice]]  # (t, r) -> the modal node's


def solve_beliefs(
    scenario: Scenario, concepts: tuple[str, ...]
) -> tuple[BeliefSolution, RoundSolution]:
    """Solve a scenario with worlds: subjective SPE over (round, regime, signal node).

    Returns the node-by-node solution and the engine's (round, regime) view of it, averaged
    over nodes with the analyst's probabilities of reaching them.
    """
    if "nash_impasse" in concepts:
        raise SolveError(
            "nash_impasse is not defined with worlds: its impasse point (disagreement for "
            "ever) has no subjective counterpart here yet; use nash or kalai_smorodinsky"
        )
    worlds = list(scenario.worlds)
    prepared = world_arrays(scenario)
    per_world = prepared.spaces
    regimes, transition = per_world[0].labels, per_world[0].transition
    arrays = [space.arrays for space in per_world]
    T = scenario.rounds
    R = len(regimes)
    N = len(arrays[0][0].actors)
    lattice = signal_lattice(worlds, accuracy_series(scenario))
    prior = priors(scenario)
    belief = [
        np.stack([posterior(p, ll) for p in prior], axis=1) for ll in lattice.loglik
    ]  # (M_t, N + 1, K)
    flow, discount, world_threat = prepared.flow, prepared.discount, prepared.threat
    own = [b[:, :N, :] for b in belief]  # actors' posteriors (M_t, N, K)
    threat = [np.einsum("miw,wri->mri", own[t], world_threat[:, t]) for t in range(T + 1)]
    value: list[np.ndarray] = [np.zeros(0)] * (T + 1)
    continuation: list[np.ndarray] = [np.zeros(0)] * T
    value[T] = threat[T].copy()
    P, Q = len(arrays[0][0].positions), len(arrays[0][0].pies)
    deal = {c: [np.zeros((len(b), R)) for b in belief] for c in concepts}
    xs = {c: [np.full((len(b), R, P), np.nan) for b in belief] for c in concepts}
    ys = {c: [np.full((len(b), R, N, Q), np.nan) for b in belief] for c in concepts}
    pay = {c: [np.full((len(b), R, N), np.nan) for b in belief] for c in concepts}
    choices: dict[tuple[int, int], list[ProposerChoice]] = {}
    settled = arrays[0]  # settlements are worth the same in every world
    modal = [int(np.argmax(p)) for p in _node_probability(lattice, prior[-1])]
    space = StateSpace(regimes, settled, transition)
    fast, refused = vectorised_offers(space)
    for t in reversed(range(T)):
        kernel = lattice.kernels[t]
        ahead = value[t + 1][lattice.children[t]]  # (M, S, R, N)
        by_world = np.einsum("ws,msrn->mwrn", kernel, ahead)
        expected = np.einsum("qr,mwrn->mwqn", transition, by_world)  # (M, K, R, N)
        cont = np.einsum("miw,wqi->mqi", own[t], flow[:, t]) + discount[t] * np.einsum(
            "miw,mwqi->mqi", own[t], expected
        )
        continuation[t] = cont
        val = np.empty_like(cont)
        for r in range(R):
            out = (
                _node_by_node(settled[r], t, cont[:, r], modal[t])
                if refused is not None
                else all_nodes(space, fast, r, t, cont[:, r], modal[t])
            )
            val[:, r] = out.decided
            deal["spe"][t][:, r] = out.p_deal
            xs["spe"][t][out.dealt, r] = out.x[out.dealt]
            ys["spe"][t][out.dealt, r] = out.y[out.dealt]
            pay["spe"][t][out.dealt, r] = out.decided[out.dealt]
            assert out.choices is not None
            choices[t, r] = out.choices
        value[t] = val
    for name, values in (("threat", threat), ("value", value), ("continuation", continuation)):
        if not all(np.isfinite(v).all() for v in values):
            raise SolveError(
                f"the {name} values overflow to infinity: war costs, benefits or penalties "
                "are too large for floating point"
            )
    others = tuple(c for c in concepts if c != "spe")
    _axiomatic_nodes(settled, threat, others, deal, xs, ys, pay)
    if scenario.terminal == "war":
        for c in concepts:
            pay[c][T] = threat[T]
    sol = BeliefSolution(
        lattice=lattice,
        regimes=regimes,
        transition=transition,
        prior=prior,
        belief=belief,
        world_threat=world_threat,
        threat=threat,
        value=value,
        continuation=continuation,
        deal=deal,
        x=xs,
        y=ys,
        payoff=pay,
        choices=choices,
    )
    return sol, round_view(sol, arrays, flow, discount, concepts)


def all_nodes(
    space: StateSpace, fast: OfferStrategy, r: int, t: int, cont: np.ndarray, first: int
) -> Step:
    """The proposer step at every node of round t in regime r at once: the nodes are the
    points of :func:`negsim.engine.bellman.bellman_step` (they differ only in the members'
    continuation floors, the right-hand sides of the proposer's linear programs), solved
    with the vectorised strategy ``fast``; nodes it leaves undecided (borderline or
    non-unique optima) are solved by :class:`GeneralOffers`, as the engine does. The
    returned ``choices`` are node ``first``'s records."""
    order = np.r_[first, np.delete(np.arange(len(cont)), first)]
    back = np.argsort(order)
    every = np.ones(len(cont), dtype=bool)
    out = bellman_step(space, fast, r, t, t, cont[order], every, explain=True)
    if out.undecided.any():
        redo = bellman_step(
            space,
            GeneralOffers(space),
            r,
            t,
            t,
            cont[order],
            out.undecided,
            explain=bool(out.undecided[0]),
        )
        merged = {
            f.name: np.where(
                out.undecided.reshape((-1,) + (1,) * (getattr(out, f.name).ndim - 1)),
                getattr(redo, f.name),
                getattr(out, f.name),
            )
            for f in dataclasses.fields(Step)
            if f.name not in ("choices", "undecided")
        }
        choices = redo.choices if out.undecided[0] else out.choices
        out = Step(**merged, undecided=out.undecided, choices=choices)
    fields = {
        f.name: getattr(out, f.name)[back] for f in dataclasses.fields(Step) if f.name != "choices"
    }
    return Step(**fields, choices=out.choices)


def _node_by_node(a: RoundArrays, t: int, cont: np.ndarray, first: int) -> Step:
    """The proposer step node by node (:func:`negsim.engine.bellman.node_step`), for
    scenarios the vectorised strategies do not cover (leaders, ratifiers, outside options,
    curvature, many coalitions). The returned ``choices`` are node ``first``'s records."""
    M, N = cont.shape
    P, Q = len(a.positions), len(a.pies)
    decided, p_deal = np.empty((M, N)), np.zeros(M)
    x, y = np.full((M, P), np.nan), np.full((M, N, Q), np.nan)
    dealt = np.zeros(M, dtype=bool)
    records: list[ProposerChoice] = []
    for n in range(M):
        decided[n], picked, _ = node_step(a, t, t, cont[n])
        if n == first:
            records = picked
        made = [(c.probability, c.settlement) for c in picked if c.deal and c.settlement]
        p_deal[n] = sum(p for p, _ in made)
        if made:
            weight = np.array([p for p, _ in made])
            x[n] = np.average([s.x for _, s in made], axis=0, weights=weight)
            y[n] = np.average([s.y for _, s in made], axis=0, weights=weight)
            dealt[n] = True
    return Step(decided, decided, p_deal, x, y, dealt, np.zeros(M, dtype=bool), records)


def _axiomatic_nodes(
    arrays: list[RoundArrays],
    threat: list[np.ndarray],
    concepts: tuple[str, ...],
    deal: dict[str, list[np.ndarray]],
    xs: dict[str, list[np.ndarray]],
    ys: dict[str, list[np.ndarray]],
    pay: dict[str, list[np.ndarray]],
) -> None:
    """Nash, weighted Nash, Kalai-Smorodinsky and compromise at every (t, n, r), each actor's
    threat point its subjective ``W_i(t, r, n)``, with the engine's solvers
    (:data:`negsim.engine.axiomatic.AXIOMATIC`). Cells with the same inputs (settlement
    space, threat points and capabilities: nodes whose posteriors give equal floors,
    often where a floor is the reservation value) are one problem, solved once; the
    others are solved together, the batch solvers reusing one cell's optimal vertex or
    face at the cells of the same space."""
    if not concepts:
        return
    cells: list[tuple[int, int, int]] = []
    spaces: list[spatial.SettlementSpace] = []
    for t in range(len(threat) - 1):
        for r, a in enumerate(arrays):
            space = settlement_space(a, t, np.flatnonzero(a.players))
            if space is None:
                continue
            for n in range(threat[t].shape[0]):
                cells.append((t, n, r))
                spaces.append(space)
    if not cells:
        return
    players = np.stack([arrays[r].players for _, _, r in cells])
    floor = np.stack([np.maximum(threat[t][n, r], arrays[r].reservation[t]) for t, n, r in cells])
    capability = np.stack([arrays[r].capability[t] for t, _, r in cells])
    first: dict[tuple, int] = {}  # inputs -> the first cell with them
    problem = np.array(
        [
            first.setdefault((id(spaces[b]), floor[b].tobytes(), capability[b].tobytes()), b)
            for b in range(len(cells))
        ]
    )
    unique = np.array(sorted(first.values()))
    egalitarian = (
        spatial.max_min_gain_batch([spaces[b] for b in unique], floor[unique], players[unique])
        if NEEDS_EGALITARIAN & set(concepts)
        else []
    )
    batch = Cells(
        [(cells[b][0], cells[b][2]) for b in unique],
        [spaces[b] for b in unique],
        floor[unique],
        players[unique],
        capability[unique],
        egalitarian,
    )
    position = np.searchsorted(unique, problem)  # cell -> its problem in the batch
    where = np.array(cells)
    rounds = [np.flatnonzero(where[:, 0] == t) for t in range(len(threat) - 1)]
    for concept in concepts:
        found = AXIOMATIC[concept](batch)
        has = np.array([f is not None for f in found])
        x = np.stack(
            [f.x if f is not None else np.full(xs[concept][0].shape[-1], np.nan) for f in found]
        )
        y = np.stack(
            [f.y if f is not None else np.full(ys[concept][0].shape[-2:], np.nan) for f in found]
        )
        u = np.stack(
            [f.utilities if f is not None else np.full(players.shape[1], np.nan) for f in found]
        )
        ok = np.all(~players | (u[position] >= floor - 1e-7), axis=1)
        for t, at in enumerate(rounds):
            at = at[has[position[at]]]
            n, r, k = where[at, 1], where[at, 2], position[at]
            deal[concept][t][n, r] = ok[at].astype(float)
            xs[concept][t][n, r], ys[concept][t][n, r], pay[concept][t][n, r] = x[k], y[k], u[k]


# -- probabilities over the lattice --------------------------------------------------------
def reach(sol: BeliefSolution, concept: str, prior: np.ndarray) -> list[np.ndarray]:
    """Probability, under ``prior`` (K,), of arriving at (t, n, r) with no deal before, per
    world: a list over t = 0..T of arrays (M_t, R, K); with priors (P, K), of the P priors
    at once, arrays (M_t, R, P, K).

    ``m(t+1, n+s, r', w) += m(t, n, r, w) (1 - d(t, n, r)) L_t(s|w) P(r'|r)``.
    """
    lat = sol.lattice
    R = len(sol.regimes)
    mass = [np.zeros((size, R, *prior.shape)) for size in lat.sizes()]
    mass[0][0, 0] = prior
    extra = (1,) * (prior.ndim - 1)
    for t in range(lat.rounds):
        go = mass[t] * (1 - sol.deal[concept][t]).reshape(*mass[t].shape[:2], *extra, 1)
        moved = np.einsum("mr...w,ws,rq->msq...w", go, lat.kernels[t], sol.transition)
        np.add.at(mass[t + 1], lat.children[t].ravel(), moved.reshape(-1, R, *prior.shape))
    return mass


def node_probability(sol: BeliefSolution, prior: np.ndarray) -> list[np.ndarray]:
    """Probability of each signal node (M_t,) under ``prior``, whatever the bargaining."""
    return _node_probability(sol.lattice, prior)


def _node_probability(lat: Lattice, prior: np.ndarray) -> list[np.ndarray]:
    """:func:`node_probability` from the lattice alone."""
    prob = [np.zeros(size) for size in lat.sizes()]
    by_world = np.zeros((1, len(prior)))
    by_world[0] = prior
    for t in range(lat.rounds):
        prob[t] = by_world.sum(axis=1)
        nxt = np.zeros((lat.sizes()[t + 1], len(prior)))
        np.add.at(
            nxt,
            lat.children[t].ravel(),
            (by_world[:, None, :] * lat.kernels[t].T[None, :, :]).reshape(-1, len(prior)),
        )
        by_world = nxt
    prob[lat.rounds] = by_world.sum(axis=1)
    return prob


def round_view(
    sol: BeliefSolution,
    arrays: list[list[RoundArrays]],
    flow: np.ndarray,
    discount: np.ndarray,
    concepts: tuple[str, ...],
) -> RoundSolution:
    """The (round, regime) tables of the engine, averaged over signal nodes with the
    analyst's probabilities of the nodes; with one world they are the engine's own."""
    analyst = sol.prior[-1]
    weights = node_probability(sol, analyst)
    T = sol.lattice.rounds
    K = len(sol.lattice.worlds)

    def average(per_t: list[np.ndarray], rounds: int) -> np.ndarray:
        return np.stack([np.einsum("m,m...->...", weights[t], per_t[t]) for t in range(rounds)])

    def masked_average(values: list[np.ndarray], mask: list[np.ndarray], rounds: int) -> np.ndarray:
        out = []
        for t in range(rounds):
            w = weights[t][:, None] * mask[t]  # (M, R)
            total = w.sum(axis=0)
            filled = np.where(np.isnan(values[t]), 0.0, values[t])
            extra = (1,) * (values[t].ndim - 2)
            num = np.einsum("mr,mr...->r...", w, filled)
            out.append(
                np.where(
                    total.reshape(-1, *extra) > 0,
                    num / np.where(total > 0, total, 1).reshape(-1, *extra),
                    np.nan,
                )
            )
        return np.stack(out)

    deal = {c: average(sol.deal[c], T) for c in concepts}
    xs, ys, payoff = {}, {}, {}
    for c in concepts:
        # the SPE's terms weigh nodes by the probability of a deal there; the other
        # concepts' terms exist (and are averaged) wherever the concept has a settlement
        found = [
            d if c == "spe" else (~np.isnan(x).any(axis=-1)).astype(float)
            for d, x in zip(sol.deal[c], sol.x[c], strict=True)
        ]
        has = [~np.isnan(p).any(axis=-1) for p in sol.payoff[c]]
        xs[c] = masked_average(sol.x[c][:T], found[:T], T)
        ys[c] = masked_average(sol.y[c][:T], found[:T], T)
        payoff[c] = masked_average(sol.payoff[c], has, T + 1)
    # each actor's delay incentive with the flows it expects under its own prior
    N = flow.shape[-1]
    mean_flow = np.einsum("iw,wtri->tri", sol.prior[:N], flow)
    gains, delays = {}, {}
    for c in concepts:
        gains[c], delays[c] = delay_incentives(mean_flow, discount, payoff[c], sol.transition)
    mean_arrays = arrays[int(np.argmax(analyst))] if K > 1 else arrays[0]
    space = StateSpace(sol.regimes, mean_arrays, sol.transition)
    return RoundSolution(
        space=space,
        regime_probability=space.distribution(),
        threat=average(sol.threat, T + 1),
        value=average(sol.value, T + 1),
        continuation=average(sol.continuation, T),
        deal=deal,
        x=xs,
        y=ys,
        payoff=payoff,
        delay_gain=gains,
        preferred_delay=delays,
        choices=sol.choices,
        sampled_control=np.zeros((0, T + 1)),
        sampled_regimes=np.zeros((0, T), dtype=int),
    )
