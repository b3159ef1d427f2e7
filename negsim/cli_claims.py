"""The ``negsim claims`` and ``negsim explain-delay`` commands (registered in :mod:`negsim.cli`)."""

from __future__ import annotations

from pathlib import Path

import click

from negsim._cli_shared import load_or_exit
from negsim.atomic import atomic_write

__all__ = ["claims_command", "explain_delay_command"]


@click.command("claims")
@click.argument("scenario")
@click.option("--markdown", is_flag=True, help="Print a Markdown table (for reports).")
def claims_command(scenario: str, markdown: bool) -> None:
    """Measure each claim of SCENARIO's `claims:` section and say whether it agrees.

    For each claim: claim -> fields -> measured effect (output with the claim minus output
    with its `off` change) -> agrees with the analysis or not. One SPE solve per claim.

    \b
    Example:
      negsim claims ukraine_2025
    """
    from negsim.api import claims

    check = claims(load_or_exit(scenario))
    click.echo(check.markdown() if markdown else check.text())
    agrees = check.agreement()
    click.echo(f"\n{int(agrees.sum())} of {len(agrees)} claims agree with the analysis.")


@click.command("explain-delay")
@click.argument("scenario")
@click.option(
    "--output",
    "outputs",
    multiple=True,
    help="Output(s) to show (repeatable; default: agreement round, war probability, payoffs, terms).",
)
@click.option(
    "--mechanism",
    "only",
    multiple=True,
    help="Mechanism(s) to decompose (repeatable; default: all present; the others stay on).",
)
@click.option(
    "--figure",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the waterfall of the expected agreement round to this PNG file.",
)
@click.option("--markdown", is_flag=True, help="Print a Markdown table (for reports).")
def explain_delay_command(
    scenario: str,
    outputs: tuple[str, ...],
    only: tuple[str, ...],
    figure: Path | None,
    markdown: bool,
) -> None:
    """Decompose SCENARIO's expected agreement round (and payoffs, terms) by mechanism.

    Exact Shapley value over switching each mechanism off (2^n SPE solves for n mechanisms).

    \b
    Example:
      negsim explain-delay ukraine_2025 --figure delay.png
      negsim explain-delay variants/complete_information --markdown
    """
    from negsim.delay_decomposition import explain_delay

    d = explain_delay(load_or_exit(scenario), list(only) or None)
    shown = list(outputs) or None  # None: every output but the proposals' margins
    unknown = [o for o in outputs if o not in set(d.shapley["output"])]
    if unknown:
        raise click.BadParameter(f"unknown output(s) {', '.join(unknown)}", param_hint="--output")
    click.echo(f"Mechanisms: {', '.join(d.mechanisms) or 'none'}")
    click.echo(d.markdown(shown) if markdown else d.text(shown))
    if figure is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from negsim.plot_claims import waterfall

        fig = waterfall(d).get_figure(root=True)
        assert fig is not None  # an Axes drawn by pyplot always has a figure
        atomic_write(
            figure, lambda temp: fig.savefig(temp, format="png", dpi=100, bbox_inches="tight")
        )
        plt.close(fig)
        click.echo(f"Wrote {figure}")
