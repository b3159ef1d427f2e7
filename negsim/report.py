"""Reports of a run: every figure as PNG (and SVG), ``report.md`` and a self-contained ``report.html``.

:func:`write_report` writes one result's figures, summary, assumptions (each parameter with
the sentence it encodes) and key tables; :func:`write_comparison` sets two results side by
side. Both write into an existing or new folder and return the paths written; the caller
handles atomic replacement (e.g. write to a temporary folder and rename). Figures are drawn
with whatever backend is active (PNG and SVG are rendered off-screen) and closed after
saving; nothing is shown.

A report is written once, as Markdown, from the Jinja2 templates in ``negsim/templates``
(tables are pandas DataFrames written as pipe tables by the ``table`` macro); ``report.html``
is that Markdown rendered by markdown-it-py (CommonMark with tables, raw HTML escaped)
into ``page.html.jinja``, with every figure embedded as a base64 ``data:`` URI.

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
import mimetypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import pandas as pd
from markdown_it import MarkdownIt

from negsim.results.derived import NON_TERM_COLUMNS
from negsim.vocabulary import words

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from negsim.result import Result
    from negsim.scenario import Scenario

__all__ = [
    "FigureSpec",
    "assumption_rows",
    "figure_specs",
    "markdown_to_html",
    "render_markdown",
    "write_comparison",
    "write_report",
]

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
    from negsim.plot import beliefs as plot_beliefs

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
    if meta.get("worlds"):
        specs += [
            FigureSpec(
                "deal_probability",
                f"Probability that a deal has come by the end of each {unit}, by each actor's "
                "prior and the analyst's: where the lines part, the actors disagree about "
                "when the war will have proved someone wrong.",
                lambda: plot_beliefs.deal_probability(result, concept),
            ),
            *[
                FigureSpec(
                    f"beliefs_{world}",
                    f"Each actor's belief in the world '{world}' ({label}) as the war's signals "
                    "come in: the expected path under the analyst's prior and a 10-90% band "
                    "over signal paths; beliefs converge as fighting reveals the world.",
                    partial(plot_beliefs.belief_paths, result, world),
                )
                for world, label in list(meta["worlds"].items())[:-1]
            ],
        ]
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
    specs += _screening_figures(result)
    return specs


def _screening_figures(result: Result) -> list[FigureSpec]:
    """With private types: deal probability by type, and the proposer's risk and return
    where it has offers to choose from (:mod:`negsim.plot.screening`)."""
    if result.screening.empty:
        return []
    from negsim.plot import screening as plot_screening

    meta = result.metadata
    who = result.label(meta["screening"]["actor"])
    specs = [
        FigureSpec(
            "types_deal_probability",
            f"Probability that each private type of {who} has settled by the end of each "
            f"{meta.get('time_unit', 'round')} (dashed: over the prior): weaker types settle "
            "first, and each rejection tells the others which types remain.",
            lambda: plot_screening.deal_probability(result),
        )
    ]
    data = plot_screening.risk_return_data(result)
    if len(data) > 1:
        proposer = result.label(data.attrs["proposer"])
        specs.append(
            FigureSpec(
                "risk_return",
                f"Risk and return of {proposer}'s offer at "
                f"{result.round_label(data.attrs['round'])}: each point is an offer it could "
                f"make (which types it buys off), its probability of war against {proposer}'s "
                "expected payoff; the star, the offer made, may accept a risk of war for "
                "better terms (Fearon 1995).",
                lambda: plot_screening.risk_return(result),
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


def _cell(value: Any) -> str:
    """One Markdown table cell: floats to 3 decimals, NaN as a dash, ``|`` escaped."""
    if isinstance(value, float):
        return "–" if value != value else f"{value:.3f}"  # NaN
    return str(value).replace("|", "\\|").replace("\n", " ")


@cache
def _environment() -> jinja2.Environment:
    """Templates of ``negsim/templates``: Markdown as written, HTML autoescaped."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("negsim", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.jinja",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = _cell
    return env


def render_markdown(template: str, **context: Any) -> str:
    """Render the Markdown template ``negsim/templates/<template>`` with ``context``.

    Tables (pandas DataFrames) are written by the ``table`` macro of
    ``_macros.md.jinja`` as GitHub-flavoured pipe tables; figures as ``![caption](file)``.
    """
    return _environment().get_template(template).render(**context)


def markdown_to_html(text: str, title: str, folder: Path) -> str:
    """A self-contained HTML page of the Markdown ``text``, rendered by markdown-it-py.

    CommonMark with GFM tables; raw HTML in the text is escaped, not passed through.
    Every image is read from ``folder`` and embedded as a base64 ``data:`` URI, so the
    page needs no other file.
    """
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = md.parse(text)
    for token in tokens:
        for child in token.children or []:
            if child.type == "image":
                path = folder / str(child.attrGet("src"))
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                data = base64.b64encode(path.read_bytes()).decode("ascii")
                child.attrSet("src", f"data:{mime};base64,{data}")
    body = md.renderer.render(tokens, md.options, {})
    return _environment().get_template("page.html.jinja").render(title=title, body=body)


def _write_pair(text: str, title: str, folder: Path) -> list[Path]:
    """Write ``report.md`` and its HTML rendering ``report.html`` into ``folder``."""
    md, page = folder / "report.md", folder / "report.html"
    md.write_text(text, encoding="utf-8")
    page.write_text(markdown_to_html(text, title, folder), encoding="utf-8")
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
    s = result.scenario
    text = render_markdown(
        "report.md.jinja",
        title=title,
        description=" ".join(s.description.split()) if s is not None and s.description else "",
        scenario=meta["scenario"],
        rounds=meta["rounds"],
        unit=meta["time_unit"],
        start_date=meta.get("start_date"),
        version=meta.get("negsim_version", ""),
        seed=meta.get("seed"),
        source=s.source if s is not None else None,
        summary=result.summary(concept),
        figures=[(paths[0].name, spec.caption) for spec, paths in drawn],
        agreement=_agreement_table(result),
        terms=_terms_table(result),
        concept=concept,
        payoffs=_payoff_table(result, concept),
        proposals=_proposals_table(result) if len(result.proposals) else None,
        assumptions=_assumptions_table(s) if s is not None else None,
    )
    written = [p for _, paths in drawn for p in paths]
    return written + _write_pair(text, title, folder)


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
    frames = []
    for name, r in zip(names, results, strict=True):
        table = _payoff_table_at(r, concept, 0)
        table.insert(0, "Scenario", name)
        frames.append(table)
    title = f"Comparison: {names[0]} vs {names[1]}"
    text = render_markdown(
        "comparison.md.jinja",
        title=title,
        overview=pd.DataFrame(
            rows, columns=["Name", "Scenario", "SPE agreement", "Probability of a deal by the end"]
        ),
        summaries=[(name, r.summary(concept)) for name, r in zip(names, results, strict=True)],
        figures=[(paths[0].name, spec.caption) for spec, paths in drawn],
        actors=pd.concat(frames, ignore_index=True),
    )
    written = [p for _, paths in drawn for p in paths]
    return written + _write_pair(text, title, folder)


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
