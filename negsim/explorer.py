"""A live explorer for notebooks: sliders for a scenario's parameters, re-solved on
release, with the dashboard and the summary redrawn (:func:`explore`).

Needs ``ipywidgets`` (``pip install negsim[notebooks]``). The explorer never blocks: it
returns an :class:`Explorer` whose widget the notebook displays; each slider release
solves the changed scenario (:meth:`negsim.Scenario.with_changes`, the one overlay) and
redraws.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from negsim.api import solve
from negsim.explain import explain_rows
from negsim.plot import dashboard
from negsim.result import Result
from negsim.scenario import Scenario

__all__ = ["Explorer", "explore", "slider_params"]

#: Solve times below this feel live (seconds).
LIVE = 0.3

#: Solutions an explorer keeps, so that moving a slider back to a value it had is instant.
KEPT = 32


def _constant(scenario: Scenario, path: str) -> float | None:
    """The value at ``path`` when it is one number (a constant schedule or a float)."""
    node: Any = scenario.model_dump()
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    if isinstance(node, dict) and node.get("kind") == "constant":
        node = node.get("value")
    if isinstance(node, bool) or not isinstance(node, int | float):
        return None
    return float(node)


def slider_params(scenario: Scenario) -> list[str]:
    """Every one-number parameter that carries a ``why:`` quote, in ``negsim explain``
    order (the default sliders of :func:`explore`)."""
    return [
        path
        for path, _, why in explain_rows(scenario)
        if why and _constant(scenario, path) is not None
    ]


def _bounds(path: str, value: float) -> tuple[float, float, float]:
    """(min, max, step) of a slider around ``value``."""
    if path.endswith("discount"):
        return 0.8, 0.999, 0.001
    if 0.0 <= value <= 1.0:
        high = 1.0 if value > 0.05 else 0.05
        return 0.0, high, high / 100
    high = max(abs(value) * 2, 1.0)
    return (-high if value < 0 else 0.0), high, high / 100


def _group(path: str) -> str:
    parts = path.split(".")
    return parts[1] if parts[0] == "actors" and len(parts) > 2 else "scenario"


class Explorer:
    """Sliders, the summary and the dashboard of a scenario, re-solved on release.

    Attributes
    ----------
    sliders : dict of str to ipywidgets.FloatSlider
        One per parameter path (``continuous_update=False``: a release re-solves).
    widget : ipywidgets.VBox
        What the notebook shows: sliders grouped by actor (an accordion), the status line,
        the summary and the figure.
    result : Result
        The latest solution; ``figure`` its dashboard; ``solve_seconds`` how long the
        latest solve took, the overlay included (next to nothing when the sliders' values
        had been solved before: the last :data:`KEPT` solutions are kept).
    """

    def __init__(self, scenario: Scenario, params: Iterable[str], concepts: Iterable[str]) -> None:
        import ipywidgets as widgets

        self.scenario = scenario
        self.concepts = tuple(concepts)
        self.sliders: dict[str, Any] = {}
        groups: dict[str, list[Any]] = {}
        for path in params:
            value = _constant(scenario, path)
            if value is None:
                raise ValueError(
                    f"{path!r} is not a one-number parameter of {scenario.name!r}; "
                    f"choose from {', '.join(slider_params(scenario))}"
                )
            low, high, step = _bounds(path, value)
            slider = widgets.FloatSlider(
                value=value,
                min=min(low, value),
                max=max(high, value),
                step=step,
                description=path.split(".", 2)[-1] if _group(path) != "scenario" else path,
                continuous_update=False,
                readout_format=".3f",
                style={"description_width": "initial"},
                layout=widgets.Layout(width="480px"),
            )
            slider.observe(self._changed, names="value")
            self.sliders[path] = slider
            groups.setdefault(_group(path), []).append(slider)
        labels = {k: (a.label or k) for k, a in scenario.actors.items()}
        accordion = widgets.Accordion(children=[widgets.VBox(s) for s in groups.values()])
        for k, name in enumerate(groups):
            accordion.set_title(k, labels.get(name, name))
        self.status = widgets.Label()
        self.summary = widgets.HTML()
        self.output = widgets.Output()
        self.widget = widgets.VBox([accordion, self.status, self.summary, self.output])
        self.figure: Figure | None = None
        self.result: Result | None = None
        self._kept: dict[tuple[tuple[str, float], ...], Result] = {}
        self.solve_seconds = float("nan")
        self.update()

    def changes(self) -> dict[str, float]:
        """The sliders' values that differ from the scenario's."""
        return {
            path: float(s.value)
            for path, s in self.sliders.items()
            if float(s.value) != _constant(self.scenario, path)
        }

    def _changed(self, _change: dict[str, Any]) -> None:
        self.update()

    def update(self) -> None:
        """Solve the scenario with the sliders' values; redraw the summary and dashboard."""
        from html import escape

        from IPython import get_ipython
        from IPython.display import display

        changes = self.changes()
        key = tuple(sorted(changes.items()))
        start = time.perf_counter()
        kept = key in self._kept
        if not kept:
            if len(self._kept) >= KEPT:
                del self._kept[next(iter(self._kept))]
            self._kept[key] = solve(self.scenario.with_changes(changes), self.concepts)
        self.result = self._kept[key]
        self.solve_seconds = time.perf_counter() - start
        feel = "live" if self.solve_seconds < LIVE else f"slower than {LIVE} s"
        self.status.value = (
            "solved before (kept)" if kept else f"solved in {self.solve_seconds:.2f} s ({feel})"
        )
        self.summary.value = f"<pre>{escape(self.result.summary())}</pre>"
        old, self.figure = self.figure, dashboard(self.result)
        plt.close(self.figure)  # shown through the output widget only, never twice
        if old is not None:
            plt.close(old)
        if get_ipython() is None:  # plain Python: the figure is at .figure, nothing to show
            return
        with self.output:
            self.output.clear_output(wait=True)
            display(self.figure)

    def summary_text(self) -> str:
        """The summary of the latest solution."""
        assert self.result is not None
        return self.result.summary()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def explore(
    scenario: Scenario,
    params: Iterable[str] | None = None,
    concepts: Iterable[str] = ("spe", "nash"),
) -> Explorer:
    """Sliders for ``params`` of ``scenario`` that re-solve it on release and redraw the
    dashboard and the summary, for a notebook cell.

    Parameters
    ----------
    scenario : Scenario
    params : iterable of str, optional
        Dotted paths of one-number parameters (``"actors.us.discount"``). Default: every
        parameter with a ``why:`` quote (:func:`slider_params`), grouped by actor.
    concepts : iterable of str
        Concepts to solve (the SPE always; Nash draws the diamonds of the bargaining range).

    Returns
    -------
    Explorer
        Display it (last line of a cell); ``explorer.sliders[path].value = v`` moves a
        slider from code.
    """
    return Explorer(scenario, slider_params(scenario) if params is None else params, concepts)
