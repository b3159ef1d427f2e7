"""The ``negsim`` command: a thin layer over the Python API.

Every subcommand is a small function registered on the :func:`cli` group. Bad input (a
:class:`~negsim.errors.NegsimError`) ends the command with exit code 2 and one line per
problem on stderr, never a traceback; ``negsim --debug ...`` shows the traceback.

Adding a subcommand::

    @cli.command()
    @click.argument("scenario")
    def run(scenario: str) -> None:
        '''Solve SCENARIO ... Example: negsim run ukraine_2025'''
        s = _load_or_exit(scenario)
        ...
"""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel

from negsim._cli_shared import EXIT_BAD_INPUT, EXIT_INTERNAL
from negsim._cli_shared import load_or_exit as _load_or_exit
from negsim._cli_shared import print_error as _print_error
from negsim._version import __version__
from negsim.atomic import atomic_folder
from negsim.catalog import available
from negsim.engine import CONCEPTS, solve
from negsim.errors import NegsimError, ScenarioError
from negsim.result import TABLES, Result
from negsim.scenario import Scenario, load_file
from negsim.schedules import Constant, Exponential, Linear, Piecewise, Steps, evaluate

__all__ = ["cli", "main", "scenario_json_schema"]


class _Group(click.Group):
    """A click group that turns negsim's input errors into short messages and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, BrokenPipeError):
            raise
        except NegsimError as exc:
            if _debug(ctx):
                raise
            _print_error(exc)
            ctx.exit(EXIT_BAD_INPUT)
        except Exception as exc:  # a bug in negsim: say so briefly, traceback on --debug
            if _debug(ctx):
                raise
            click.echo(f"negsim: internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo(
                "Run again with `negsim --debug ...` for the traceback and report it.", err=True
            )
            ctx.exit(EXIT_INTERNAL)


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.params.get("debug"))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="negsim")
@click.option(
    "--debug", is_flag=True, envvar="NEGSIM_DEBUG", help="Show full tracebacks on errors."
)
def cli(debug: bool) -> None:
    """negsim: a negotiation game-theory simulator.

    A SCENARIO argument is a YAML file path or the name of a shipped scenario
    (see `negsim list`). Bad input exits with code 2 and one line per problem.

    \b
    Examples:
      negsim list
      negsim validate my_scenario.yaml
      negsim explain textbook/rubinstein
      negsim schema > scenarios/schema.json
      negsim run ukraine_2025 --out outputs/ukraine --force
      negsim compare ukraine_2025 variants/patient_us
    """


# -- list -------------------------------------------------------------------------------------
@cli.command("list")
def list_() -> None:
    """List the shipped scenarios: name, title, rounds and actors.

    \b
    Example:
      negsim list
    """
    rows = []
    for name, path in available().items():
        try:
            s = load_file(path)
        except ScenarioError as exc:
            rows.append((name, f"(invalid: {len(exc.problems)} problem(s))", "", ""))
            continue
        rows.append((name, s.title or "", _rounds(s), ", ".join(s.actors)))
    if not rows:
        click.echo("No shipped scenarios found.")
        return
    click.echo(_table(("NAME", "TITLE", "ROUNDS", "ACTORS"), rows))


# -- validate ---------------------------------------------------------------------------------
@cli.command()
@click.argument("scenarios", nargs=-1, required=True, metavar="SCENARIO...")
def validate(scenarios: tuple[str, ...]) -> None:
    """Check scenario files; print OK or every problem, one per line.

    Exits with code 2 if any scenario is invalid.

    \b
    Examples:
      negsim validate my_scenario.yaml
      negsim validate scenarios/*.yaml scenarios/variants/*.yaml
    """
    invalid = 0
    for arg in scenarios:
        try:
            _load_or_exit(arg)
        except ScenarioError as exc:
            invalid += 1
            count = len(exc.problems)
            click.echo(f"{arg}: INVALID ({count} problem{'s' if count != 1 else ''})")
            for problem in exc.problems:
                click.echo(f"  {problem}")
        else:
            click.echo(f"{arg}: OK")
    if invalid:
        total = len(scenarios)
        click.echo(f"{invalid} of {total} scenario{'s' if total != 1 else ''} invalid", err=True)
        sys.exit(EXIT_BAD_INPUT)


# -- explain ----------------------------------------------------------------------------------
@cli.command()
@click.argument("scenario")
@click.option("--all", "show_all", is_flag=True, help="Also list parameters that carry no `why`.")
def explain(scenario: str, show_all: bool) -> None:
    """Show each parameter of SCENARIO with its value and the sentence it comes from.

    Lists the key structural values (rounds, issues, actors' discount factors, protocol,
    battlefield) and every parameter that carries a `why:` quote. Schedules are
    summarised by their first and last value, e.g. "0.97 -> 0.9 linear".

    \b
    Examples:
      negsim explain textbook/rubinstein
      negsim explain my_scenario.yaml --all
    """
    s = _load_or_exit(scenario)
    heading = f"{s.name}: {s.title}" if s.title else s.name
    click.echo(heading)
    if s.source:
        click.echo(f"Source: {s.source}")
    click.echo("")
    click.echo(
        _table(("PARAMETER", "VALUE", "WHY"), explain_rows(s, show_all=show_all), wrap_last=True)
    )


def explain_rows(s: Scenario, *, show_all: bool = False) -> list[tuple[str, str, str]]:
    """Rows ``(path, value, why)`` for ``negsim explain``."""
    rows: dict[str, tuple[str, str, str]] = {}

    def add(path: str, value: str, why: str | None = None) -> None:
        if path in rows:  # keep the first (structural) value, take a quote if one comes
            _, old_value, old_why = rows[path]
            rows[path] = (path, old_value or value, old_why or why or "")
        else:
            rows[path] = (path, _clip(value), why or "")

    add("rounds", _rounds(s))
    add("terminal", s.terminal)
    if s.start_date:
        add("start_date", s.start_date.isoformat())
    for key, issue in s.issues.items():
        kind = f"pie among {', '.join(issue.among or [])}" if issue.kind == "pie" else "position"
        add(f"issues.{key}", f"{kind}{_label(issue.label)}", issue.why)
    for key, actor in s.actors.items():
        flags = ", ".join(f for f in (actor.role, "veto" if actor.veto else "") if f)
        add(f"actors.{key}", f"{flags}{_label(actor.label)}", actor.why)
        add(f"actors.{key}.discount", summarise(actor.discount, s.rounds), actor.discount.why)
    protocol = s.protocol
    if protocol.proposers:
        add("protocol.proposers", " -> ".join(protocol.proposers), protocol.why)
    elif protocol.recognition:
        add(
            "protocol.recognition",
            ", ".join(f"{a}: {_num(p)}" for a, p in protocol.recognition.items()),
            protocol.why,
        )
    else:
        add("protocol.proposers", " -> ".join(s.actors) + " (file order)", protocol.why)
    if protocol.quota is not None:
        add("protocol.quota", str(protocol.quota))
    if s.battlefield:
        bf = s.battlefield
        sides = " vs ".join(", ".join(bf.sides.get(side, [])) for side in ("a", "b"))
        add("battlefield", f"{bf.issue}: {sides}", bf.why)
    for path, value, why in _walk(s.model_dump(exclude_none=True), (), s.rounds):
        if why or show_all:
            add(path, value, why)
    return list(rows.values())


_SCHEDULE_TYPES: dict[str, type[BaseModel]] = {
    "constant": Constant,
    "linear": Linear,
    "exponential": Exponential,
    "steps": Steps,
    "piecewise": Piecewise,
}


def _walk(node: Any, path: tuple[str, ...], rounds: int) -> list[tuple[str, str, str | None]]:
    """Leaf parameters of a dumped scenario as ``(path, value summary, why)``."""
    dotted = ".".join(path)
    if (
        isinstance(node, dict)
        and node.get("kind") in _SCHEDULE_TYPES
        and set(node) - {"kind", "why"}
    ):
        schedule = _SCHEDULE_TYPES[node["kind"]].model_validate(node)
        return [(dotted, summarise(schedule, rounds), node.get("why"))]
    if isinstance(node, dict):
        out: list[tuple[str, str, str | None]] = []
        numbers = {
            k: v for k, v in node.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
        }
        if node.get("why") and path:
            value = ", ".join(f"{k}: {_num(v)}" for k, v in numbers.items())
            out.append((dotted, value, node["why"]))
        for key, value in node.items():
            if key == "why":
                continue
            if isinstance(value, (dict, list)):
                out.extend(_walk(value, (*path, str(key)), rounds))
            elif not node.get("why") and path:
                out.append((f"{dotted}.{key}", _num(value), None))
        return out
    if isinstance(node, list):
        if all(not isinstance(v, (dict, list)) for v in node):
            return [(dotted, ", ".join(_num(v) for v in node), None)] if node else []
        return [row for i, v in enumerate(node) for row in _walk(v, (*path, str(i)), rounds)]
    return [(dotted, _num(node), None)]


def summarise(schedule: Any, rounds: int) -> str:
    """A schedule in a few characters: ``0.9`` or ``0.97 -> 0.9 linear``."""
    if isinstance(schedule, Constant):
        return _num(schedule.value)
    values = evaluate(schedule, max(rounds, 1))
    first, last = _num(float(values[0])), _num(float(values[-1]))
    return f"{first} -> {last} {schedule.kind}"


def _clip(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _rounds(s: Scenario) -> str:
    return f"{s.rounds} {s.time_unit}{'' if s.rounds == 1 else 's'}"


def _num(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _label(label: str | None) -> str:
    return f" ({label})" if label else ""


def _table(
    header: tuple[str, ...], rows: Sequence[tuple[str, ...]], *, wrap_last: bool = False
) -> str:
    """A plain-text table; with ``wrap_last`` the last column wraps to the terminal width."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    width = shutil.get_terminal_size((120, 24)).columns
    lead = sum(widths[:-1]) + 2 * (len(widths) - 1)
    room = max(30, width - lead - 1)
    for row in [header, *rows]:
        cells = [str(c).ljust(w) for c, w in zip(row[:-1], widths, strict=False)]
        last = str(row[-1])
        wrap = wrap_last and sys.stdout.isatty() and len(last) > room  # pipes get whole lines
        chunks = textwrap.wrap(last, room) if wrap else [last]
        lines.append("  ".join([*cells, chunks[0] if chunks else ""]).rstrip())
        lines.extend((" " * lead + chunk).rstrip() for chunk in chunks[1:])
    return "\n".join(lines)


# -- run ----------------------------------------------------------------------------------------
@cli.command()
@click.argument("scenario")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for tables, figures and report (default: outputs/NAME).",
)
@click.option(
    "--concept",
    "concepts",
    multiple=True,
    type=click.Choice(CONCEPTS),
    help="Solution concept(s) to compute (repeatable; default: all but nash_impasse).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True
)
@click.option("--svg", is_flag=True, help="Also write every figure as SVG.")
@click.option("--no-figures", is_flag=True, help="Write tables only (faster).")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
def run(
    scenario: str,
    out: Path | None,
    concepts: tuple[str, ...],
    fmt: str,
    svg: bool,
    no_figures: bool,
    force: bool,
) -> None:
    """Solve SCENARIO and write tables, figures and a report; print the summary.

    The output folder is written all at once (staged, then renamed) and an existing
    folder is replaced only with --force.

    \b
    Example:
      negsim run ukraine_2025 --out outputs/ukraine --force
    """
    s = _load_or_exit(scenario)
    result = solve(s, concepts=concepts or None)
    target = out or Path("outputs") / s.name
    if target.exists() and not force:
        raise NegsimError(f"{target} exists; add --force to replace it")
    with atomic_folder(target, force=force) as staging:
        result.write_tables(staging, fmt)
        if not no_figures:
            from negsim.report import write_report

            write_report(result, staging, svg=svg)
    click.echo(result.summary())
    click.echo(
        f"\nWrote {target}/ (tables: {', '.join(f'{t}.{fmt}' for t in TABLES)}"
        + ("" if no_figures else "; figures and report.html")
        + ")"
    )


# -- compare ------------------------------------------------------------------------------------
@cli.command()
@click.argument("first")
@click.argument("second")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write a comparison report (figures on shared axes) to this folder.",
)
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
def compare(first: str, second: str, out: Path | None, force: bool) -> None:
    """Compare two scenarios: agreement round, SPE terms and leverage.

    \b
    Example:
      negsim compare ukraine_2025 variants/patient_us --out outputs/patient_us
    """
    a, b = _load_or_exit(first), _load_or_exit(second)
    ra, rb = solve(a), solve(b)
    click.echo(comparison_text(ra, rb))
    if out is not None:
        if out.exists() and not force:
            raise NegsimError(f"{out} exists; add --force to replace it")
        from negsim.report import write_comparison

        with atomic_folder(out, force=force) as staging:
            write_comparison(ra, rb, staging)
        click.echo(f"\nWrote {out}/")


def comparison_text(ra: Result, rb: Result) -> str:
    """Differences between two solved scenarios, in plain words and a table."""
    name_a, name_b = ra.metadata["scenario"], rb.metadata["scenario"]
    lines = [f"{name_a} vs {name_b}"]
    ta, tb = ra.agreement_round, rb.agreement_round
    lines.append(
        f"Agreement (SPE): {ra.round_label(ta) if ta is not None else 'none'} vs "
        f"{rb.round_label(tb) if tb is not None else 'none'}"
    )
    terms_a, terms_b = ra.terms(), rb.terms()
    rows: list[tuple[str, ...]] = [
        (
            k,
            _num(terms_a.get(k)),
            _num(terms_b.get(k)),
            _num(terms_b.get(k, float("nan")) - terms_a.get(k, float("nan"))),
        )
        for k in sorted(set(terms_a) | set(terms_b))
    ]
    lines += [
        "",
        "SPE terms at the agreement round:",
        _table(("issue", name_a, name_b, "change"), rows),
    ]
    rows = []

    def round0(r: Result, actor: str) -> Any:
        return r.actors.query(
            "concept == 'spe' and round == 0 and regime == @r.headline_regime and actor == @actor"
        )

    for actor in ra.metadata["actors"]:
        pa, pb = round0(ra, actor), round0(rb, actor)
        if pa.empty or pb.empty:
            continue
        rows.append(
            (
                ra.label(actor),
                _num(pa["payoff"].iloc[0]),
                _num(pb["payoff"].iloc[0]),
                _num(pb["payoff"].iloc[0] - pa["payoff"].iloc[0]),
                _num(pa["surplus_share"].iloc[0]),
                _num(pb["surplus_share"].iloc[0]),
            )
        )
    lines += [
        "",
        "Round 0, SPE: payoff and share of the surplus (leverage):",
        _table(
            (
                "actor",
                f"payoff {name_a}",
                f"payoff {name_b}",
                "change",
                f"share {name_a}",
                f"share {name_b}",
            ),
            rows,
        ),
    ]
    return "\n".join(lines)


# -- schema -----------------------------------------------------------------------------------
@cli.command()
def schema() -> None:
    """Print the JSON Schema of the scenario format (for editors and linters).

    The committed copy is scenarios/schema.json; regenerate it after changing the format.

    \b
    Example:
      negsim schema > scenarios/schema.json
    """
    click.echo(scenario_json_schema(), nl=False)


def scenario_json_schema() -> str:
    """The JSON Schema of :class:`~negsim.scenario.Scenario` as text (trailing newline).

    A bare number is a constant schedule in YAML, so every schedule also accepts a number.
    """
    schema_dict = Scenario.model_json_schema()
    schema_dict = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **_allow_bare_numbers(schema_dict),
    }
    return json.dumps(schema_dict, indent=2, sort_keys=False) + "\n"


def _allow_bare_numbers(node: Any) -> Any:
    if isinstance(node, dict):
        if node == {"$ref": "#/$defs/Constant"}:
            return {"anyOf": [{"type": "number"}, node]}
        return {k: _allow_bare_numbers(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_allow_bare_numbers(v) for v in node]
    return node


def _register_sweep() -> None:
    from negsim.cli_sweep import sweep_command

    cli.add_command(sweep_command, "sweep")


_register_sweep()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``negsim`` executable."""
    try:
        cli.main(args=argv, prog_name="negsim")
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stderr.close()
        sys.exit(0)
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception:  # pragma: no cover - only reached with --debug
        traceback.print_exc()
        sys.exit(EXIT_INTERNAL)
