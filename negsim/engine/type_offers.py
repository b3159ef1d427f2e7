r"""The screening recursion's questions -- a proposer's best offer to a group of types --
answered one point at a time, with the work that does not change between questions and
points kept: coalitions, settlement spaces, and the proposal programs' optimal bases.

:class:`WarmChoice` is :func:`negsim.engine.bellman.proposer_choice` for the sweep's
private-types route (:mod:`negsim.engine.type_points`). Its offers come from
:class:`ReusedBases`: only the floors -- the programs' row bounds -- differ between the
questions of one settlement space, proposer and constrained set, and a basis optimal for
one right-hand side stays optimal wherever it is primal feasible (its reduced costs do not
involve the row bounds; Gal & Nedoma 1972, "Multiparametric linear programming",
Management Science 18(7)), so a kept basis that fits the new floors finds the optimal
vertex without a simplex run. The vertex's values, and whether it is the unique optimum
(Mangasarian 1979), then come from its canonical basis
(:meth:`negsim.models.parametric_lp.RowParametricLP.vertex`, the sweep's batch path's own
rule), a function of the vertex's active constraints alone: an answer does not depend on
the questions asked before it, so a sweep's rows do not depend on its chunks, workers or
resumption (issue 13 item 9; ``tests/test_sweep_types_fast.py`` holds each point solved
alone equal, bit for bit, to the same point solved after others). Where the optimum is not
unique, or HiGHS finds none, :func:`negsim.models.spatial.best_proposal` answers, as in
:class:`negsim.engine.proposal_lp.WarmProposals`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

from negsim.engine.arrays import RoundArrays
from negsim.engine.bellman import ProposerChoice, proposer_choice
from negsim.engine.coalitions import coalition_masks, enumerated_coalitions
from negsim.engine.offers import NO_OVERLAP, NO_SETTLEMENT, floors, settlement_space
from negsim.engine.proposal_lp import ProposalProgram, WarmModel, settlement
from negsim.engine.tolerances import TOL
from negsim.models import spatial
from negsim.models.parametric_lp import RowParametricLP

__all__ = ["ReusedBases", "WarmChoice"]

#: Settlement spaces and programs kept (then the cache starts again)
_KEPT = 4096
#: Primal feasibility of a kept basis at new floors (that of RowParametricLP's reuse)
_FIT_TOL = 1e-9
_BASIC = highspy.HighsBasisStatus.kBasic
_LOWER = highspy.HighsBasisStatus.kLower
_UPPER = highspy.HighsBasisStatus.kUpper


@dataclass
class WarmChoice:
    """:func:`negsim.engine.bellman.proposer_choice` for the screening's questions.

    ``proposer_choice`` runs the engine's Bellman step
    (:func:`negsim.engine.bellman.bellman_step`) for one point, which builds the step's
    arrays and a fresh set of HiGHS models for every question; the screening recursion asks
    about 130 of them a point (ukraine_2025). Without outside options, leaders or ratifiers
    (where the step is the plain choice below) this is the step's choice written for one
    point: every coalition the proposer may form
    (:func:`negsim.engine.coalitions.enumerated_coalitions`), its best offer within the
    coalition's red lines meeting every member's floor (the larger of continuation and
    reservation; :func:`negsim.engine.offers.floors`), the proposer's best coalitions
    (within :data:`negsim.engine.tolerances.TOL`) averaged uniformly, a deal when it beats
    the proposer's continuation (``tests/test_sweep_types_fast.py`` holds every question of
    ukraine_2025's recursion equal to ``proposer_choice``'s answer). Offers come from
    :class:`ReusedBases`; other arrays go to ``proposer_choice``."""

    offers: ReusedBases = field(default_factory=lambda: ReusedBases())
    # each proposer's coalitions (None: too many to enumerate) and their masks
    _coalitions: dict[tuple[bytes, int, int], tuple[list[tuple[int, ...]], np.ndarray] | None] = (
        field(default_factory=dict)
    )
    # settlement spaces by the identity of the arrays they are cut from, which each entry
    # holds (so no other array takes their ids); points share them (only discount factors
    # and flows differ between points and types)
    _spaces: dict[tuple[object, ...], tuple[tuple[np.ndarray, ...], Any]] = field(
        default_factory=dict
    )

    def __call__(
        self,
        a: RoundArrays,
        t: int,
        proposer: int,
        continuation: np.ndarray,
        probability: float = 1.0,
    ) -> ProposerChoice:
        N, j = len(a.actors), proposer
        key = (a.veto.tobytes(), int(a.quota), j)
        if key not in self._coalitions:
            found = enumerated_coalitions(a, j)
            self._coalitions[key] = None if found is None else (found, coalition_masks(N, found))
        known = self._coalitions[key]
        if known is None or any(x is not None for x in (a.outside, a.leaders, a.ratifiers)):
            return proposer_choice(a, t, j, continuation, probability)
        coalitions, masks = known
        # floors only where a coalition's red lines overlap (no offer is read otherwise)
        floor: dict[int, np.ndarray] = {}
        offers: list[spatial.Settlement | None] = []
        reasons = []
        for c, (members, m) in enumerate(zip(coalitions, masks, strict=True)):
            space = self._space(a, t, members)
            if space is None:
                offers.append(None)
                reasons.append(NO_OVERLAP)
                continue
            floor[c] = floors(a, t, j, m, continuation[None])[0]
            offers.append(self.offers.best(space, j, floor[c]))
            reasons.append(NO_SETTLEMENT)
        own = np.array([-np.inf if o is None else o.utilities[j] for o in offers])
        best = own.max(initial=-np.inf)
        chosen = [c for c, o in enumerate(offers) if o is not None and own[c] >= best - TOL]
        if not chosen:
            failed = [r for r, o in zip(reasons, offers, strict=True) if o is None]
            reason = failed[-1] if failed else "no coalition can reach the quota"
            return ProposerChoice(
                j, probability, (), np.full(N, np.nan), continuation, None, False, reason
            )
        tied = [o for o in offers if o is not None and o.utilities[j] >= best - TOL]
        count = float(len(tied))
        u = np.sum([o.utilities for o in tied], axis=0) / count
        x = np.sum([o.x for o in tied], axis=0) / count
        y = np.sum([o.y for o in tied], axis=0) / count
        deal = bool(best >= continuation[j] - TOL)
        why = "the proposer gains by the deal" if deal else "the proposer prefers to wait"
        if len(chosen) > 1:
            why += f"; {len(chosen)} equally cheap coalitions, mixed uniformly"
        return ProposerChoice(
            j,
            probability,
            tuple(int(i) for i in np.flatnonzero(masks[chosen].any(axis=0))),
            np.fmax.reduce(np.stack([floor[c] for c in chosen]), axis=0),
            continuation,
            spatial.Settlement(x=x, y=y, utilities=u),
            deal,
            why,
            decision=u.copy(),
        )

    def _space(
        self, a: RoundArrays, t: int, members: tuple[int, ...]
    ) -> spatial.SettlementSpace | None:
        """:func:`negsim.engine.offers.settlement_space`, kept for the arrays it reads."""
        parts = (
            a.red_low,
            a.red_high,
            a.ideal,
            a.salience_position,
            a.salience_pie,
            a.curvature,
            a.members,
        )
        key = (*(id(x) for x in parts), t, members)
        if key not in self._spaces:
            if len(self._spaces) >= _KEPT:
                self._spaces.clear()
            self._spaces[key] = (parts, settlement_space(a, t, members))
        return self._spaces[key][1]


@dataclass(frozen=True)
class _Basis:
    """An optimal basis of a proposal program with a unique optimum, for evaluation at
    other floors: ``z_B = B^{-1} (b_T - A_T z_N)`` with ``T`` the tight rows. Only the
    row lower bounds (the floors) change between the questions a basis is kept for, so
    what the rest of the program fixes is computed once, when it is kept."""

    basic: np.ndarray  # basic columns
    tight: np.ndarray  # nonbasic rows (held at a bound)
    at_upper: np.ndarray  # the tight row sits at its upper bound
    loose: np.ndarray  # basic rows
    inverse: np.ndarray  # inverse of A[tight][:, basic]
    fixed: np.ndarray  # the nonbasic columns' values (0 where basic)
    tight_upper: np.ndarray  # the tight rows' upper bounds
    offset: np.ndarray  # A_T z_N
    loose_matrix: np.ndarray  # A[loose]
    basic_lower: np.ndarray  # the basic columns' bounds, widened by the fit tolerance
    basic_upper: np.ndarray
    loose_upper: np.ndarray  # the basic rows' upper bounds, widened by the fit tolerance

    def solve(self, row_lower: np.ndarray) -> np.ndarray | None:
        """The basis's vertex at the row lower bounds ``row_lower`` (the program's other
        numbers as when the basis was kept), None where it is not feasible."""
        rhs = np.where(self.at_upper, self.tight_upper, row_lower[self.tight])
        if not np.isfinite(rhs).all():
            return None
        z = self.fixed.copy()
        z[self.basic] = self.inverse @ (rhs - self.offset)
        zb = z[self.basic]
        activity = self.loose_matrix @ z
        with np.errstate(invalid="ignore"):
            fits = (
                (zb >= self.basic_lower).all()
                and (zb <= self.basic_upper).all()
                and (activity >= row_lower[self.loose] - _FIT_TOL).all()
                and (activity <= self.loose_upper).all()
            )
        return z if fits else None

    @classmethod
    def of(cls, highs: Any, program: ProposalProgram) -> _Basis | None:
        """The optimal basis HiGHS holds for ``program`` (None if it cannot be reused)."""
        basis = highs.getBasis()
        cols, rows = list(basis.col_status), list(basis.row_status)
        basic = np.array([c for c, s in enumerate(cols) if s == _BASIC], dtype=int)
        tight = np.array([r for r, s in enumerate(rows) if s != _BASIC], dtype=int)
        loose = np.array([r for r, s in enumerate(rows) if s == _BASIC], dtype=int)
        fixed = np.zeros(len(cols))
        for c, s in enumerate(cols):
            if s == _LOWER:
                fixed[c] = program.col_lower[c]
            elif s == _UPPER:
                fixed[c] = program.col_upper[c]
            elif s != _BASIC:  # a free or zero nonbasic column: not a vertex basis
                return None
        if len(basic) != len(tight) or not np.isfinite(fixed).all():
            return None
        sub = program.matrix[np.ix_(tight, basic)]
        try:
            inverse = np.linalg.inv(sub) if sub.size else np.zeros((0, 0))
        except np.linalg.LinAlgError:
            return None
        at_upper = np.array([rows[r] == _UPPER for r in tight], dtype=bool)
        return cls(
            basic,
            tight,
            at_upper,
            loose,
            inverse,
            fixed,
            program.row_upper[tight],
            program.matrix[tight] @ fixed,
            program.matrix[loose],
            program.col_lower[basic] - _FIT_TOL,
            program.col_upper[basic] + _FIT_TOL,
            program.row_upper[loose] + _FIT_TOL,
        )


@dataclass
class ReusedBases:
    """The proposer's best settlement (:func:`negsim.models.spatial.best_proposal`'s
    answer) for the screening's questions: the vertex found from an optimal basis kept
    from an earlier question of the same settlement space, proposer and constrained actors
    where one fits the new floors, else by a HiGHS run on a new model; its values and the
    verdict that it is the unique optimum then come from the vertex's canonical basis
    (:meth:`negsim.models.parametric_lp.RowParametricLP.vertex`), so an answer does not
    depend on the questions asked before it (issue 13 item 9: a sweep's rows do not depend
    on its chunks). Where the program has no unique optimum or HiGHS finds none, the
    general path answers (as :class:`negsim.engine.proposal_lp.WarmProposals` does).
    ``runs`` counts HiGHS runs, ``reused`` the vertices a kept basis found instead."""

    runs: int = 0
    reused: int = 0
    # (space id, proposer, constrained) -> (space, program, its parametric form, bases);
    # the entry holds the space, so no other space takes its id
    _programs: dict[
        tuple[object, ...], tuple[Any, ProposalProgram, RowParametricLP, list[_Basis]]
    ] = field(default_factory=dict)

    def best(
        self, space: spatial.SettlementSpace, proposer: int, floors: np.ndarray
    ) -> spatial.Settlement | None:
        """The proposer's best settlement meeting every floor (None if there is none)."""
        closed_form = space.n_positions == 0 and space.members.shape[1] <= 1
        if not space.linear or closed_form:
            return spatial.best_proposal(space, proposer, floors)
        constrained = np.flatnonzero(~np.isnan(floors))
        key = (id(space), proposer, constrained.tobytes())
        if key not in self._programs:
            if len(self._programs) >= _KEPT:
                self._programs.clear()
            p = ProposalProgram.of(space, proposer, floors)
            lp = RowParametricLP(p.cost, p.matrix, p.col_lower, p.col_upper, unique=True)
            self._programs[key] = (space, p, lp, [])
        _, template, lp, bases = self._programs[key]
        lower = template.row_lower.copy()
        const = space.salience_position.sum(axis=1)
        lower[len(lower) - len(constrained) :] = floors[constrained] - const[constrained]
        program = dataclasses.replace(template, row_lower=lower)
        found = None
        for i, basis in enumerate(bases):
            found = basis.solve(lower)
            if found is not None:
                self.reused += 1
                bases.insert(0, bases.pop(i))  # the last one that fitted is tried first
                break
        if found is None:
            model = WarmModel.of(program)  # a new model: the run depends on the program alone
            self.runs += 1
            model.solve(program)
            if model.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return spatial.best_proposal(space, proposer, floors)
            found = np.array(model.highs.getSolution().col_value)
            kept = _Basis.of(model.highs, program)
            if kept is not None:
                bases.append(kept)
        z = lp.vertex(_active(program, found), program.row_lower, program.row_upper)
        if z is None:  # not the unique optimum: the general path decides
            return spatial.best_proposal(space, proposer, floors)
        return settlement(space, z)


def _active(program: ProposalProgram, z: np.ndarray) -> np.ndarray:
    """The constraints active at ``z`` (columns at lower, at upper, rows at lower, at
    upper), within the tolerance :class:`~negsim.models.parametric_lp.RowParametricLP` uses."""
    activity = program.matrix @ z
    with np.errstate(invalid="ignore"):
        return np.concatenate(
            [
                z <= program.col_lower + _FIT_TOL,
                z >= program.col_upper - _FIT_TOL,
                activity <= program.row_lower + _FIT_TOL,
                activity >= program.row_upper - _FIT_TOL,
            ]
        )
