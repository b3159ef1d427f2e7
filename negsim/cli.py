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
import math
import shutil
import sys
import textwrap
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from negsim._cli_shared import EXIT_BAD_INPUT, EXIT_INTERNAL
from negsim._cli_shared import load_or_exit as _load_or_exit
from negsim._cli_shared import print_error as _print_error
from negsim._version import __version__
from negsim.api import CONCEPTS, solve
from negsim.atomic import atomic_folder, check_target
from negsim.catalog import available
from negsim.errors import NegsimError, ScenarioError
from negsim.explain import explain_rows, rounds_text, summarise
from negsim.result import TABLES, Result
from negsim.scenario import Scenario, load_file
from negsim.templates import TEMPLATES, new_scenario

__all__ = [  # explain_rows and summarise re-exported
    "cli",
    "explain_rows",
    "fixed",
    "main",
    "scenario_json_schema",
    "summarise",
]

_FORCE_HINT = "add --force to replace it"


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
        rows.append((name, s.title or "", rounds_text(s), ", ".join(s.actors)))
    if not rows:
        click.echo("No shipped scenarios found.")
        return
    click.echo(_table(("NAME", "TITLE", "ROUNDS", "ACTORS"), rows))


# -- validate ---------------------------------------------------------------------------------
@cli.command()
@click.argument("scenarios", nargs=-1, required=True, metavar="SCENARIO...")
def validate(scenarios: tuple[str, ...]) -> None:
    """Check scenario files; print OK or every problem, one per line.

    Values that have no effect (a pie issue's war value, a leader horizon past the last
    round, a value every regime overrides, ...) are listed as warnings under OK; they do
    not make a file invalid. Exits with code 2 if any scenario is invalid.

    \b
    Examples:
      negsim validate my_scenario.yaml
      negsim validate scenarios/*.yaml scenarios/variants/*.yaml
    """
    invalid = 0
    for arg in scenarios:
        try:
            loaded = _load_or_exit(arg)
        except ScenarioError as exc:
            invalid += 1
            count = len(exc.problems)
            click.echo(f"{arg}: INVALID ({count} problem{'s' if count != 1 else ''})")
            for problem in exc.problems:
                click.echo(f"  {problem}")
        else:
            count = len(loaded.warnings)
            notes = f" ({count} warning{'s' if count != 1 else ''})" if count else ""
            click.echo(f"{arg}: OK{notes}")
            for warning in loaded.warnings:
                click.echo(f"  warning: {warning}")
    if invalid:
        total = len(scenarios)
        click.echo(f"{invalid} of {total} scenario{'s' if total != 1 else ''} invalid", err=True)
        sys.exit(EXIT_BAD_INPUT)


# -- new ----------------------------------------------------------------------------------------
@cli.command()
@click.argument("name")
@click.option(
    "--template",
    type=click.Choice(TEMPLATES),
    default=TEMPLATES[0],
    show_default=True,
    help="The kind of negotiation to start from.",
)
def new(name: str, template: str) -> None:
    """Write NAME.yaml, a commented starting scenario that validates.

    \b
    Examples:
      negsim new strike_2026
      negsim new peace_talks --template war
    """
    path = new_scenario(name, template)
    click.echo(f"Wrote {path}; edit it, then: negsim validate {path} && negsim run {path}")


# -- explain ----------------------------------------------------------------------------------
@cli.command()
@click.argument("scenario")
@click.option("--all", "show_all", is_flag=True, help="Also list parameters that carry no `why`.")
def explain(scenario: str, show_all: bool) -> None:
    """Show each parameter of SCENARIO with its value and the sentence it comes from.

    Lists the key structural values (rounds, issues, actors' discount factors, protocol,
    battlefield) and every parameter that carries a `why:` quote. Schedules are
    summarised by their first and last value, e.g. "0.97 -> 0.9 linear"; steps say when
    they happen, e.g. "0 until round 4, then 0.004".

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
    type=click.Path(path_type=Path),
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
@click.option("--force", is_flag=True, help="Replace an earlier negsim output folder.")
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

    The output folder is written all at once (staged, then renamed). --force replaces
    only an earlier negsim output folder (one with negsim's metadata.json); the working
    folder, its parents, the home folder and folders of other files are never replaced.

    \b
    Example:
      negsim run ukraine_2025 --out outputs/ukraine --force
    """
    s = _load_or_exit(scenario)
    target = check_target(out or Path("outputs") / s.name, force=force, hint=_FORCE_HINT)
    result = solve(s, concepts=concepts or None)
    with atomic_folder(target, force=force, kind="run", hint=_FORCE_HINT) as staging:
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
    type=click.Path(path_type=Path),
    default=None,
    help="Also write a comparison report (figures on shared axes) to this folder.",
)
@click.option("--force", is_flag=True, help="Replace an earlier negsim output folder.")
def compare(first: str, second: str, out: Path | None, force: bool) -> None:
    """Compare two scenarios: agreement round, SPE terms and leverage.

    Numbers are printed with 4 decimals (fixed point, e.g. 1.0000, -0.0853); a number
    that is not defined reads "n/a: REASON" (e.g. "n/a: not a veto player" for the
    surplus share of an actor whose consent a deal does not need). --out and --force
    work as in `negsim run`.

    \b
    Example:
      negsim compare ukraine_2025 variants/patient_us --out outputs/patient_us
    """
    a, b = _load_or_exit(first), _load_or_exit(second)
    if out is not None:
        check_target(out, force=force, hint=_FORCE_HINT)
    ra, rb = solve(a), solve(b)
    click.echo(comparison_text(ra, rb))
    if out is not None:
        from negsim.report import write_comparison

        names = [ra.metadata["scenario"], rb.metadata["scenario"]]
        hashes = [ra.metadata["scenario_hash"], rb.metadata["scenario_hash"]]
        meta = {"scenarios": names, "scenario_hashes": hashes}
        with atomic_folder(
            out, force=force, kind="compare", metadata=meta, hint=_FORCE_HINT
        ) as staging:
            write_comparison(ra, rb, staging)
        click.echo(f"\nWrote {out}/")


def comparison_text(ra: Result, rb: Result) -> str:
    """Differences between two solved scenarios, in plain words and a table.

    Every number has 4 decimals (:func:`fixed`); one that is not defined reads
    ``n/a: REASON``.
    """
    name_a, name_b = ra.metadata["scenario"], rb.metadata["scenario"]
    lines = [f"{name_a} vs {name_b}"]
    ta, tb = ra.agreement_round, rb.agreement_round
    lines.append(
        f"Agreement (SPE): {ra.round_label(ta) if ta is not None else 'none'} vs "
        f"{rb.round_label(tb) if tb is not None else 'none'}"
    )
    terms_a, terms_b = ra.terms(), rb.terms()

    def term(terms: dict[str, float], key: str) -> float | str:
        if key in terms:
            return terms[key]
        return "n/a: no deal" if not terms else "n/a: not an issue of this scenario"

    rows: list[tuple[str, ...]] = [
        (k, *_with_change(term(terms_a, k), term(terms_b, k)))
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

    def share(r: Result, row: Any) -> float | str:
        value = float(row["surplus_share"].iloc[0])
        if math.isfinite(value):
            return value
        if r.metadata["veto"] and not bool(row["veto"].iloc[0]):
            return "n/a: not a veto player"
        return "n/a: no surplus to share"

    for actor in ra.metadata["actors"]:
        pa, pb = round0(ra, actor), round0(rb, actor)
        if pa.empty or pb.empty:
            continue
        payoffs = _with_change(float(pa["payoff"].iloc[0]), float(pb["payoff"].iloc[0]))
        rows.append((ra.label(actor), *payoffs, fixed(share(ra, pa)), fixed(share(rb, pb))))
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


def fixed(value: float | str) -> str:
    """A number with 4 decimals (``1.0000``, ``-0.0853``), the one format of ``compare``.

    A string (``"n/a: not a veto player"``) is passed through; a number that is not finite
    reads ``n/a: not finite``; a value that rounds to zero reads ``0.0000``, never
    ``-0.0000``.

    >>> [fixed(1), fixed(0.3), fixed(-0.08534), fixed(-1e-9), fixed("n/a: no deal")]
    ['1.0000', '0.3000', '-0.0853', '0.0000', 'n/a: no deal']
    """
    if isinstance(value, str):
        return value
    if not math.isfinite(value):
        return "n/a: not finite"
    text = f"{value:.4f}"
    return "0.0000" if float(text) == 0 else text


def _with_change(a: float | str, b: float | str) -> tuple[str, str, str]:
    """``a``, ``b`` and ``b - a`` formatted; the change is ``n/a`` if either is."""
    if isinstance(a, str) or isinstance(b, str):
        return fixed(a), fixed(b), "n/a"
    return fixed(a), fixed(b), fixed(b - a)


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


def _register_claims() -> None:
    from negsim.cli_claims import claims_command, explain_delay_command

    cli.add_command(claims_command, "claims")
    cli.add_command(explain_delay_command, "explain-delay")


_register_claims()


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
