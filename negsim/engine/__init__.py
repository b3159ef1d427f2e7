"""The bargaining engine: a scenario's numbers in, the equilibrium's arrays out.

Flow (each module imports only those above it)::

    tolerances                      the engine's tolerances
    deadlines, leaders, ratification, outside_options
                the issue-18 mechanisms as arrays (deadline costs, leaders' removal
                risk, ratifiers, outside options)
    arrays      Scenario -> RoundArrays (schedules evaluated per round, control path)
    states      StateSpace: states (today regimes), their arrays, transition kernel
    coalitions  who a proposer may bring into a coalition
    offers      the proposer's best offer: GeneralOffers, ClosedFormOffers
    simplex     SimplexOffers: linear programs with reused simplex bases
    commitment  self-enforcing deals: the enforcement floors (Powell 2006)
    terminal    war at the horizon (a sure position or a lottery), or the stationary
                tail's fixed point
    stationary  stationary tails that mix over tied coalitions (Eraslan 2002)
    bellman     THE backward induction over (round, state), n points at once
    disagreement the impasse point and weights of nash_impasse (BRW 1986)
    axiomatic   Nash, weighted Nash, Kalai-Smorodinsky, compromise, Nash with the
                impasse point per (round, state)
    concepts    the registry of solution concepts
    delay       delay incentives over points
    stage_games the scenario's stage games solved every round
    solve       one scenario -> RoundSolution (explanation records included)
    points      the sweep's fast path: many points -> arrays
    beliefs     worlds and learning: the subjective SPE over signal nodes
    screening   private types: the skimming equilibrium over belief states
    type_offers the screening's proposer questions for sweeps: coalitions, settlement
                spaces and simplex bases kept across questions and points
    type_points the sweep's private-types route: a chunk's complete-information games
                at once, then the screening recursion per point

May import: :mod:`negsim.models`, :mod:`negsim.scenario`, :mod:`negsim.errors`; never
results, analysis, plots, reports, sweeps or the CLI.
"""

from negsim.engine.arrays import RoundArrays, round_arrays
from negsim.engine.bellman import ProposerChoice, backward_induction
from negsim.engine.coalitions import enumerated_coalitions
from negsim.engine.concepts import CONCEPT_NAMES, CONCEPTS, DEFAULT_CONCEPTS
from negsim.engine.solve import RoundSolution, chosen_concepts, solve_arrays, solve_scenario
from negsim.engine.states import StateSpace, state_space
from negsim.engine.terminal import stationary_failure, stationary_round_limit

__all__ = [
    "CONCEPTS",
    "CONCEPT_NAMES",
    "DEFAULT_CONCEPTS",
    "ProposerChoice",
    "RoundArrays",
    "RoundSolution",
    "StateSpace",
    "backward_induction",
    "chosen_concepts",
    "enumerated_coalitions",
    "round_arrays",
    "solve_arrays",
    "solve_scenario",
    "state_space",
    "stationary_failure",
    "stationary_round_limit",
]
