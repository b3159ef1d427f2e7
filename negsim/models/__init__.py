"""Pure solution concepts of bargaining theory: functions of arrays, no scenarios, no I/O.

Every function names its source in its docstring; ``docs/models.md`` is the chapter that
goes with them. The engine composes these; it never re-derives a formula. May import
numpy, scipy and the solvers only -- nothing else of negsim.
"""

from negsim.models import normal_form
from negsim.models.alternating import (
    backward_induction_shares,
    breakdown_share,
    outside_option_share,
    rubinstein_share,
    rubinstein_share_continuous,
)
from negsim.models.axiomatic import (
    BargainingSolution,
    compromise,
    egalitarian,
    egalitarian_simplex,
    kalai_smorodinsky,
    kalai_smorodinsky_simplex,
    nash_bargaining,
    nash_bargaining_simplex,
    pareto_frontier,
)
from negsim.models.coalitions import banzhaf_index, shapley_value, swing_counts
from negsim.models.conflict import (
    AttritionEquilibrium,
    BargainingRange,
    CommitmentProblem,
    RiskReturn,
    commitment_problem,
    fearon_range,
    fearon_risk_return,
    war_of_attrition,
)
from negsim.models.delay import delay_incentives
from negsim.models.multilateral import BaronFerejohnEquilibrium, baron_ferejohn

__all__ = [
    "AttritionEquilibrium",
    "BargainingRange",
    "BargainingSolution",
    "BaronFerejohnEquilibrium",
    "CommitmentProblem",
    "RiskReturn",
    "backward_induction_shares",
    "banzhaf_index",
    "baron_ferejohn",
    "breakdown_share",
    "commitment_problem",
    "compromise",
    "delay_incentives",
    "egalitarian",
    "egalitarian_simplex",
    "fearon_range",
    "fearon_risk_return",
    "kalai_smorodinsky",
    "kalai_smorodinsky_simplex",
    "nash_bargaining",
    "nash_bargaining_simplex",
    "normal_form",
    "outside_option_share",
    "pareto_frontier",
    "rubinstein_share",
    "rubinstein_share_continuous",
    "shapley_value",
    "swing_counts",
    "war_of_attrition",
]
