"""Reports of a run: every figure as PNG (and SVG), ``report.md`` and a self-contained ``report.html``.

:func:`write_report` writes one result's figures, summary, assumptions (each parameter with
the sentence it encodes) and key tables; :func:`write_comparison` sets two results side by
side. Both write into an existing or new folder and return the paths written; the caller
handles atomic replacement (e.g. write to a temporary folder and rename). Figures are drawn
with whatever backend is active (PNG and SVG are rendered off-screen) and closed after
saving; nothing is shown.

Examples
--------
>>> import tempfile, negsim
>>> from negsim.report import write_report
>>> result = negsim.solve(negsim.load("textbook/rubinstein"))
>>> paths = write_report(result, tempfile.mkdtemp())
>>> sorted(p.name for p in paths if p.suffix != ".png")
['report.html', 'report.md']
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from negsim.results.derived import NON_TERM_COLUMNS
from negsim.vocabulary import words

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from negsim.result import Result
    from negsim.scenario import Scenario

__all__ = ["FigureSpec", "assumption_rows", "figure_specs", "write_comparison", "write_report"]

_DPI = 120


@dataclass(frozen=True)
class FigureSpec:
    """A figure of a report: file stem, one-line caption and how to draw it."""

    name: str
    caption: str
    draw: Callable[[], Any]  # returns an Axes or a Figure


def assumption_rows(scenario: Scenario) -> list[tuple[str, str, str]]:
    """Rows ``(parameter, value, why)`` for every parameter of ``scenario`` that carries a why.

    Reuses the rows of ``negsim explain`` (:func:`negsim.explain.explain_rows`): structural
    values (rounds, issues, actors' discounting, protocol) and every ``why:`` quote.
    """
    from negsim.explain import explain_rows

    return explain_rows(scenario)


def figure_specs(result: Result, concept: str = "spe") -> list[FigureSpec]:
    """The figures a report of ``result`` holds (those that apply to its scenario)."""
    from negsim import plot

    meta = result.metadata
    unit = meta.get("time_unit", "round")
    specs = [
        FigureSpec(
            "dashboard",
            "Overview: leverage, delay incentives, bargaining range and battlefield control.",
            lambda: plot.dashboard(result, concept),
        ),
        FigureSpec(
            "leverage",
            f"Leverage: each actor's ex-ante value per {unit}, what it expects before it "
            "knows who proposes (solid; random recognition in the rotation's proportions, "
            f"Binmore 1987), against its threat point, the value of {words(meta).continuing} "
            "(dashed).",
            lambda: plot.leverage(result, concept),
        ),
        FigureSpec(
            "leverage_share",
            "Each veto player's share of the bargaining surplus (payoff above threat point).",
            lambda: plot.leverage(result, concept, measure="surplus_share"),
        ),
        FigureSpec(
            "delay_incentives",
            "Gain from waiting: above zero an actor prefers to delay the deal; "
            "shaded rounds are ripe (no veto player gains by waiting).",
            lambda: plot.delay_incentives(result, concept),
        ),
    ]
    if result.solution is not None or result.scenario is not None:
        for issue in _range_issues(result):
            label = meta.get("issues", {}).get(issue, issue)
            specs.append(
                FigureSpec(
                    f"bargaining_range_{issue}",
                    f"{label}: settlements every veto player prefers to refusing, per {unit}; "
                    "dots: SPE, diamonds: Nash solution, chosen from the threat points W "
                    "(plot.bargaining_range(result, against='threat') draws that range).",
                    partial(plot.bargaining_range, result, issue),
                )
            )
    if meta.get("battlefield_issue"):
        specs.append(
            FigureSpec(
                "control",
                "Battlefield control p(t) with the spread of sampled regime paths.",
                lambda: plot.control(result),
            )
        )
    if len(result.proposals):
        specs.append(
            FigureSpec(
                "proposals",
                "Margin of each proposal over each actor's continuation value: "
                f"above zero it beats {words(meta).continuing}; hollow markers: refused.",
                lambda: plot.proposals(result),
            )
        )
    if result.scenario is not None:
        for game in result.scenario.stage_games:
            specs.append(
                FigureSpec(
                    f"stage_game_{game}",
                    "Stage game at the first round; the box marks "
                    "the pure Nash equilibrium, mixed equilibria are listed below it.",
                    partial(plot.stage_game, result, game),
                )
            )
    return specs


def _range_issues(result: Result) -> list[str]:
    skip = NON_TERM_COLUMNS
    columns = [c for c in result.rounds.columns if c not in skip]
    positions = [c for c in columns if "." not in c]
    return positions or list(dict.fromkeys(c.split(".")[0] for c in columns))[:1]


def _save(fig: Figure, folder: Path, name: str, svg: bool) -> list[Path]:
    import matplotlib.pyplot as plt

    paths = [folder / f"{name}.png"]
    fig.savefig(paths[0], dpi=_DPI)
    if svg:
        paths.append(folder / f"{name}.svg")
        fig.savefig(paths[1])
    plt.close(fig)
    return paths


def _draw_all(
    specs: Sequence[FigureSpec], folder: Path, svg: bool
) -> list[tuple[FigureSpec, list[Path]]]:
    """Draw, save and close each figure (saving renders with Agg whatever the backend)."""
    written = []
    for spec in specs:
        drawn = spec.draw()
        fig = drawn if hasattr(drawn, "savefig") else drawn.figure
        written.append((spec, _save(fig, folder, spec.name, svg)))
    return written


# -- tables --------------------------------------------------------------------------------
def _terms_table(result: Result) -> pd.DataFrame:
    t = result.agreement_round
    t = 0 if t is None else t
    issues = result.metadata.get("issues", {})
    rows = result.rounds[
        (result.rounds["regime"] == result.headline_regime) & (result.rounds["round"] == t)
    ]
    skip = NON_TERM_COLUMNS
    out = {}
    for _, row in rows.iterrows():
        out[row["concept"]] = {
            _term_label(result, c, issues): row[c] for c in rows.columns if c not in skip
        }
    table = pd.DataFrame(out)
    table.index.name = f"Issue ({result.round_label(t)})"
    return table.reset_index()


def _term_label(result: Result, column: str, issues: dict[str, str]) -> str:
    if "." in column:
        pie, actor = column.split(".", 1)
        return f"{issues.get(pie, pie)}: {result.label(actor)}"
    return issues.get(column, column)


def _payoff_table(result: Result, concept: str = "spe") -> pd.DataFrame:
    t = result.agreement_round or 0
    a = result.actors
    rows = a[
        (a["concept"] == concept) & (a["regime"] == result.headline_regime) & (a["round"] == t)
    ]
    return pd.DataFrame(
        {
            "Actor": [result.label(x) for x in rows["actor"]],
            "Veto": rows["veto"].map({True: "yes", False: "no"}).to_numpy(),
            "Threat point W": rows["threat_point"].to_numpy(),
            "Continuation C": rows["continuation"].to_numpy(),
            "Payoff": rows["payoff"].to_numpy(),
            "Surplus share": rows["surplus_share"].to_numpy(),
            "Gain from waiting": rows["delay_incentive"].to_numpy(),
        }
    )


def _agreement_table(result: Result) -> pd.DataFrame:
    table = result.agreement
    shown = table[table["probability"] > 1e-9]
    if shown.empty:
        shown = table.tail(1)
    return pd.DataFrame(
        {
            "Round": [result.round_label(int(t)) for t in shown["round"]],
            "Probability of the deal": shown["probability"].to_numpy(),
            "Cumulative": shown["cumulative"].to_numpy(),
        }
    )


def _proposals_table(result: Result) -> pd.DataFrame:
    table = result.proposals
    if not len(table):
        return pd.DataFrame()
    table = table[table["regime"] == result.headline_regime]
    rows = []
    for (name, actor), group in table.groupby(["proposal", "actor"], sort=False):
        accepted = group[group["accept"]]["round"]
        first = group.iloc[0]
        if len(accepted) == len(group):
            when = "always"
        elif len(accepted):
            when = f"from {result.round_label(int(accepted.iloc[0]))}"
        else:
            when = "never"
        rows.append(
            (
                name,
                result.label(actor),
                when,
                float(first["margin"]),
                "" if len(accepted) == len(group) else first["reason"],
            )
        )
    return pd.DataFrame(
        rows, columns=["Proposal", "Actor", "Accepts", "Margin at start", "Why not at the start"]
    )


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return "–" if value != value else f"{value:.3f}"  # NaN
    return str(value)


def _markdown_table(table: pd.DataFrame) -> str:
    if table.empty:
        return "_(none)_\n"
    header = "| " + " | ".join(str(c) for c in table.columns) + " |"
    rule = "|" + "|".join(" --- " for _ in table.columns) + "|"
    body = [
        "| " + " | ".join(_fmt(v).replace("|", "\\|").replace("\n", " ") for v in row) + " |"
        for row in table.itertuples(index=False)
    ]
    return "\n".join([header, rule, *body]) + "\n"


def _html_table(table: pd.DataFrame) -> str:
    if table.empty:
        return "<p><em>(none)</em></p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>"
        for row in table.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; max-width: 70em; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.7em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } pre { background: #f7f7f7; padding: 0.8em; white-space: pre-wrap; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.95em; }
"""


class _Doc:
    """Builds the Markdown and HTML versions of a report side by side."""

    def __init__(self, title: str) -> None:
        self.md = [f"# {title}\n"]
        self.html = [f"<h1>{html.escape(title)}</h1>"]
        self.title = title

    def heading(self, text: str) -> None:
        self.md.append(f"\n## {text}\n")
        self.html.append(f"<h2>{html.escape(text)}</h2>")

    def para(self, text: str) -> None:
        self.md.append(f"{text}\n")
        self.html.append(f"<p>{html.escape(text)}</p>")

    def pre(self, text: str) -> None:
        self.md.append("```text\n" + text + "\n```\n")
        self.html.append(f"<pre>{html.escape(text)}</pre>")

    def table(self, table: pd.DataFrame) -> None:
        self.md.append(_markdown_table(table))
        self.html.append(_html_table(table))

    def figure(self, path: Path, caption: str) -> None:
        self.md.append(f"![{caption}]({path.name})\n\n*{caption}*\n")
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        self.html.append(
            f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(caption)}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )

    def write(self, folder: Path) -> list[Path]:
        md, page = folder / "report.md", folder / "report.html"
        md.write_text("\n".join(self.md), encoding="utf-8")
        page.write_text(
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head><body>\n"
            + "\n".join(self.html)
            + "\n</body></html>\n",
            encoding="utf-8",
        )
        return [md, page]


def _assumptions_table(scenario: Scenario) -> pd.DataFrame:
    return pd.DataFrame(
        assumption_rows(scenario), columns=["Parameter", "Value", "Why (quoted from the source)"]
    )


def write_report(
    result: Result, folder: str | Path, svg: bool = False, concept: str = "spe"
) -> list[Path]:
    """Write every figure of ``result`` (PNG, and SVG with ``svg=True``), ``report.md`` and
    a self-contained ``report.html`` (figures embedded as base64 PNG) into ``folder``.

    Parameters
    ----------
    result : Result
        A solved scenario. Without ``result.scenario`` (a reloaded result) the report
        leaves out the assumptions, bargaining ranges and stage games.
    folder : str or Path
        Created if missing; existing files of the same names are overwritten.
    svg : bool
        Also write each figure as SVG.
    concept : str
        Solution concept for leverage and delay incentives.

    Returns
    -------
    list of Path
        Every file written: figures in report order, then ``report.md``, ``report.html``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    meta = result.metadata
    title = meta.get("title") or meta["scenario"]
    drawn = _draw_all(figure_specs(result, concept), folder, svg)
    doc = _Doc(title)
    s = result.scenario
    if s is not None and s.description:
        doc.para(" ".join(s.description.split()))
    facts = f"Scenario `{meta['scenario']}`, {meta['rounds']} {meta['time_unit']}s"
    if meta.get("start_date"):
        facts += f" from {meta['start_date']}"
    facts += f"; negsim {meta.get('negsim_version', '')}, seed {meta.get('seed')}."
    doc.para(facts)
    if s is not None and s.source:
        doc.para(f"Source: {s.source}")
    doc.heading("Summary")
    doc.pre(result.summary(concept))
    doc.heading("Figures")
    for spec, paths in drawn:
        doc.figure(paths[0], spec.caption)
    doc.heading("Key tables")
    doc.para("When the deal comes (subgame-perfect equilibrium, from the initial regime):")
    doc.table(_agreement_table(result))
    doc.para(
        "Terms of each solution concept at the agreement round (positions in [0, 1], pie shares):"
    )
    doc.table(_terms_table(result))
    doc.para(f"Actors at the agreement round ({concept}):")
    doc.table(_payoff_table(result, concept))
    if len(result.proposals):
        doc.para("Proposals on the table: who accepts them, and why not:")
        doc.table(_proposals_table(result))
    if s is not None:
        doc.heading("Assumptions")
        doc.para("Every parameter with the sentence of the source it encodes (`negsim explain`).")
        doc.table(_assumptions_table(s))
    written = [p for _, paths in drawn for p in paths]
    return written + doc.write(folder)


def write_comparison(
    result_a: Result,
    result_b: Result,
    folder: str | Path,
    names: Sequence[str] | None = None,
    svg: bool = False,
    concept: str = "spe",
) -> list[Path]:
    """Compare two results: leverage and delay incentives on shared axes, and a report.

    Parameters
    ----------
    result_a, result_b : Result
    folder : str or Path
        Created if missing.
    names : (str, str), optional
        Names of the two results (default: their scenario names; made distinct if equal).
    svg : bool
        Also write SVG figures.
    concept : str

    Returns
    -------
    list of Path
        ``compare_leverage.png``, ``compare_delay_incentives.png`` (and SVGs), then
        ``report.md`` and ``report.html``.
    """
    from negsim import plot

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    results = [result_a, result_b]
    if names is None:
        names = [r.metadata["scenario"] for r in results]
        if names[0] == names[1]:
            names = [f"{names[0]} (A)", f"{names[1]} (B)"]
    names = list(names)
    specs = [
        FigureSpec(
            "compare_leverage",
            f"Equilibrium payoff per actor: {names[0]} (solid) vs {names[1]} (dashed).",
            lambda: plot.compare_leverage(results, names, concept),
        ),
        FigureSpec(
            "compare_delay_incentives",
            f"Gain from waiting per actor: {names[0]} (solid) vs {names[1]} (dashed).",
            lambda: plot.compare_delay_incentives(results, names, concept),
        ),
    ]
    drawn = _draw_all(specs, folder, svg)
    doc = _Doc(f"Comparison: {names[0]} vs {names[1]}")
    rows = []
    for name, r in zip(names, results, strict=True):
        t = r.agreement_round
        rows.append(
            (
                name,
                r.metadata.get("title") or r.metadata["scenario"],
                r.round_label(t) if t is not None else "no deal",
                float(r.agreement["probability"].sum()),
            )
        )
    doc.table(
        pd.DataFrame(
            rows, columns=["Name", "Scenario", "SPE agreement", "Probability of a deal by the end"]
        )
    )
    for name, r in zip(names, results, strict=True):
        doc.heading(f"Summary: {name}")
        doc.pre(r.summary(concept))
    doc.heading("Figures")
    for spec, paths in drawn:
        doc.figure(paths[0], spec.caption)
    doc.heading("Actors at the start")
    frames = []
    for name, r in zip(names, results, strict=True):
        table = _payoff_table_at(r, concept, 0)
        table.insert(0, "Scenario", name)
        frames.append(table)
    doc.table(pd.concat(frames, ignore_index=True))
    written = [p for _, paths in drawn for p in paths]
    return written + doc.write(folder)


def _payoff_table_at(result: Result, concept: str, t: int) -> pd.DataFrame:
    a = result.actors
    rows = a[
        (a["concept"] == concept) & (a["regime"] == result.headline_regime) & (a["round"] == t)
    ]
    return pd.DataFrame(
        {
            "Actor": [result.label(x) for x in rows["actor"]],
            "Threat point W": rows["threat_point"].to_numpy(),
            "Payoff": rows["payoff"].to_numpy(),
            "Gain from waiting": rows["delay_incentive"].to_numpy(),
            "Preferred delay": rows["preferred_delay"].to_numpy(),
        }
    )
