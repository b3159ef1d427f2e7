"""Figures of a solved scenario: how leverage shifts with time.

Every figure comes in two parts: a small *data* function that turns a
:class:`~negsim.result.Result` into a tidy DataFrame (tests check these numerically), and a
*plot* function that draws it. Plot functions take ``ax=None`` (a new figure is made when
omitted), return the Axes (a Figure for multi-panel views), never call ``plt.show()`` and
never choose a backend: pick one yourself (``matplotlib.use("Agg")``) to draw headless.

Plots follow the headline regime (``result.headline_regime``, the one the game starts in)
and work from the tables and metadata alone, so a reloaded result (``Result.load``) plots
too -- except :func:`bargaining_range` and :func:`stage_game`, which need the actors'
preferences or payoff matrices and so the scenario (``result.scenario``).

Layout (may import :mod:`negsim.results`, :mod:`negsim.analysis`, :mod:`negsim.engine`
for arrays, never reports, sweeps or the CLI): :mod:`~negsim.plot.style` (colours, sizes,
the time axis and event marks), one module per figure family (``leverage``, ``delay``,
``bargaining_range``, ``control``, ``proposals``, ``stage_games``, ``dashboard``,
``sweep``); the numbers of the bargaining range come from
:mod:`negsim.analysis.bargaining_range`.

Colours: one colour per actor across every figure of a scenario, from the colour-blind-safe
Okabe-Ito palette, in the order the scenario lists its actors (:func:`actor_colors`).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import negsim
>>> from negsim import plot
>>> result = negsim.solve(negsim.load("textbook/rubinstein"))
>>> ax = plot.leverage(result)
>>> ax.get_title()
'Leverage over time: equilibrium payoff (subgame-perfect equilibrium)'
>>> plot.leverage_data(result).query("round == 0")[["actor", "value"]].round(4).values.tolist()
[['alice', 0.7143], ['bob', 0.2857]]
"""

from negsim.analysis.bargaining_range import bargaining_range_data
from negsim.plot.bargaining_range import bargaining_range
from negsim.plot.control import control, control_data
from negsim.plot.dashboard import dashboard
from negsim.plot.delay import compare_delay_incentives, delay_incentives, delay_incentives_data
from negsim.plot.leverage import compare_leverage, leverage, leverage_data
from negsim.plot.proposals import proposals, proposals_data
from negsim.plot.stage_games import payoff_matrix, stage_game
from negsim.plot.style import FIGSIZE, OKABE_ITO, SCENARIO_STYLES, actor_colors
from negsim.plot.sweep import fan, heatmap, tornado

__all__ = [
    "FIGSIZE",
    "OKABE_ITO",
    "SCENARIO_STYLES",
    "actor_colors",
    "bargaining_range",
    "bargaining_range_data",
    "compare_delay_incentives",
    "compare_leverage",
    "control",
    "control_data",
    "dashboard",
    "delay_incentives",
    "delay_incentives_data",
    "fan",
    "heatmap",
    "leverage",
    "leverage_data",
    "payoff_matrix",
    "proposals",
    "proposals_data",
    "stage_game",
    "tornado",
]
