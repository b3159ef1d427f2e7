"""negsim: a negotiation game-theory simulator.

Load a scenario, solve it, look at how leverage shifts with time::

    import negsim
    scenario = negsim.load("ukraine_2025")
    result = negsim.solve(scenario)
    print(result.summary())
"""

from negsim._version import __version__
from negsim.api import CONCEPTS, DEFAULT_CONCEPTS, claims, solve
from negsim.catalog import available, load
from negsim.delay_decomposition import explain_delay
from negsim.errors import NegsimError, Problem, ScenarioError, SolveError
from negsim.result import Result
from negsim.scenario import Scenario, load_text
from negsim.sweeps import sweep

__all__ = [
    "CONCEPTS",
    "DEFAULT_CONCEPTS",
    "Result",
    "solve",
    "sweep",
    "NegsimError",
    "Problem",
    "Scenario",
    "ScenarioError",
    "SolveError",
    "__version__",
    "available",
    "claims",
    "explain_delay",
    "explore",
    "load",
    "load_text",
]


def __getattr__(name: str) -> object:
    """``negsim.explore`` is imported on first use (it needs matplotlib and ipywidgets)."""
    if name == "explore":
        from negsim.explorer import explore

        return explore
    raise AttributeError(f"module 'negsim' has no attribute {name!r}")
