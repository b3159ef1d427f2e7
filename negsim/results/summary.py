"""Plain-words readings of a :class:`~negsim.result.Result`: the summary and ``explain``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from negsim.engine import CONCEPT_NAMES

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = ["explain_round", "summarize"]


def _fmt_terms(result: Result, terms: dict[str, float]) -> str:
    issues = result.metadata["issues"]
    return ", ".join(f"{issues.get(k, k)} {v:.2f}" for k, v in terms.items())


def summarize(result: Result, concept: str = "spe") -> str:
    """When a deal comes, on what terms, who gains by waiting, when it ripens, proposals."""
    meta = result.metadata
    regime = result.headline_regime
    lines = [
        f"{meta.get('title') or meta['scenario']} — {_count(meta['rounds'], meta['time_unit'])}, "
        f"{CONCEPT_NAMES.get(concept, concept)}"
    ]
    t = result.agreement_round
    by_end = float(result.agreement["probability"].sum())
    if t is None:
        lines.append(
            f"No deal: the SPE reaches no agreement within the horizon (probability {by_end:.2f})."
        )
    else:
        certain = (
            " "
            if by_end > 1 - 1e-9 and result.agreement["probability"].max() > 1 - 1e-9
            else f" (median; probability of a deal by the end {by_end:.2f}) "
        )
        lines.append(f"Deal: the SPE agreement comes at {result.round_label(t)}{certain.rstrip()}.")
        lines.append(f"Terms: {_fmt_terms(result, result.terms('spe', t))}.")
    if t is not None and t > 0:
        lines.append(_why_no_deal(result, concept))
    if not result.beliefs.empty:  # worlds and beliefs (negsim.engine.beliefs)
        from negsim.results.beliefs import belief_lines

        lines += belief_lines(result, concept)
    actors = result.actors.query("concept == @concept and regime == @regime")
    settled = actors.dropna(subset=["payoff"])
    start = int(settled["round"].min()) if len(settled) else 0
    first = actors[actors["round"] == start]
    waiting = first[first["delay_incentive"] > 1e-9]
    if len(waiting):
        parts = []
        for _, row in waiting.iterrows():
            gains = actors[(actors["actor"] == row["actor"]) & (actors["delay_incentive"] > 1e-9)][
                "round"
            ]
            until = _last_consecutive(gains.to_numpy())
            parts.append(
                f"{result.label(row['actor'])} (+{row['delay_incentive']:.3f} by waiting "
                f"{_count(int(row['preferred_delay']), meta['time_unit'])}; "
                f"keeps gaining until {result.round_label(until)})"
            )
        lines.append(f"Gains by waiting at {result.round_label(start)}: " + "; ".join(parts) + ".")
    else:
        lines.append(f"At {result.round_label(start)} nobody gains by waiting.")
    rounds = result.rounds.query("concept == @concept and regime == @regime")
    ripe = rounds[rounds["ripe"]]["round"]
    if len(ripe):
        lines.append(
            f"Ripe (no veto player gains by waiting) from {result.round_label(int(ripe.iloc[0]))} "
            f"({len(ripe)} of {meta['rounds']} rounds)."
        )
    else:
        lines.append(
            "Never ripe: in every round some veto player gains by waiting or no settlement exists."
        )
    lines += _leverage_lines(result, actors)
    lines += _proposal_lines(result, regime)
    if concept == "spe":
        from negsim.results.counterfactual import deadline_lines, leader_lines

        lines += deadline_lines(result) + leader_lines(result)
    if not result.types.empty:  # private types: the screening paragraph
        from negsim.results.screening import screening_lines

        lines += screening_lines(result)
    return "\n".join(lines)


def _last_consecutive(rounds: np.ndarray) -> int:
    end = int(rounds[0])
    for r in rounds[1:]:
        if r != end + 1:
            break
        end = int(r)
    return end


def _why_no_deal(result: Result, concept: str) -> str:
    """Why the first round brings no deal (from the engine's record of round 0)."""
    if concept != "spe" or result.solution is None:
        return "No deal before then: no settlement is acceptable to every veto player."
    reasons = {c.reason for c in result.solution.choices[0, 0] if not c.deal}
    return "No deal at the start: " + "; ".join(sorted(reasons)) + "."


def _two(value: float) -> str:
    """Two decimals without a negative zero."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}" + ("" if n == 1 else "s")


def _leverage_lines(result: Result, actors) -> list[str]:  # noqa: ANN001
    """Share of the bargaining surplus (leverage) at the first and last rounds."""
    players = actors[actors["veto"]] if actors["veto"].any() else actors
    players = players.dropna(subset=["surplus_share"])
    if players.empty:
        return []
    first, last = int(players["round"].min()), int(players["round"].max())
    if first == last:
        return []
    share = players.set_index(["round", "actor"])["surplus_share"]
    parts = [
        f"{result.label(a)} {_two(share[first, a])} -> {_two(share[last, a])}"
        for a in players["actor"].unique()
    ]
    return [
        f"Leverage (share of the bargaining surplus) from {result.round_label(first)} to "
        f"{result.round_label(last)}: " + ", ".join(parts) + "."
    ]


def _proposal_lines(result: Result, regime: str) -> list[str]:
    table = (
        result.proposals[result.proposals["regime"] == regime]
        if len(result.proposals)
        else result.proposals
    )
    lines = []
    for name, group in table.groupby("proposal", sort=False):
        parts = []
        for actor, rows in group.groupby("actor", sort=False):
            accepted = rows[rows["accept"]]["round"]
            if len(accepted) == len(rows):
                parts.append(f"{result.label(actor)} always")
            elif len(accepted):
                parts.append(
                    f"{result.label(actor)} from {result.round_label(int(accepted.iloc[0]))}"
                )
            else:
                worst = rows.iloc[0]
                parts.append(f"{result.label(actor)} never ({worst['reason']})")
        lines.append(f"Proposal '{name}' accepted by: " + "; ".join(parts) + ".")
    return lines


def explain_round(result: Result, t: int, regime: str | None = None) -> str:
    """How the SPE at round t was derived, step by step."""
    sol = result.solution
    if sol is None:
        raise ValueError("explain needs a freshly solved result (loaded results keep tables only)")
    regimes = sol.regimes
    r = regimes.index(regime) if regime is not None else 0
    a = sol.arrays[r]
    if not 0 <= t < a.rounds:
        raise ValueError(f"round must be in 0..{a.rounds - 1}, got {t}")
    label = result.label
    lines = [
        f"Round {t}: {result.round_label(t)}"
        + (f", regime '{regimes[r]}'" if len(regimes) > 1 else "")
    ]
    lines.append(
        "Threat point W (value of fighting on) and continuation C (value of no deal now, "
        "then equilibrium play):"
    )
    for i, actor in enumerate(a.actors):
        veto = " [veto]" if a.veto[i] else ""
        lines.append(
            f"  {label(actor):<20} W = {sol.threat[t, r, i]: .4f}   C = {sol.continuation[t, r, i]: .4f}"
            f"   w(t) = {a.flow[t, i]: .4f}   delta = {a.discount[t, i]:.4f}{veto}"
        )
    for choice in sol.choices[t, r]:
        who = label(a.actors[choice.proposer])
        prob = (
            f" (recognised with probability {choice.probability:.2f})"
            if choice.probability < 1
            else ""
        )
        lines.append(f"Proposer: {who}{prob}.")
        if choice.settlement is None:
            lines.append(f"  No offer possible: {choice.reason}. No deal; everyone gets C.")
            continue
        members = ", ".join(label(a.actors[i]) for i in choice.coalition)
        lines.append(f"  Coalition: {members} (quota {a.quota}).")
        s = choice.settlement
        for i in choice.coalition:
            if np.isnan(choice.floors[i]):
                continue
            slack = s.utilities[i] - choice.floors[i]
            state = "binding" if abs(slack) < 1e-6 else f"slack {slack:.4f}"
            lines.append(
                f"  {label(a.actors[i])} must get at least {choice.floors[i]:.4f}: gets {s.utilities[i]:.4f} ({state})"
            )
        terms = {k: s.x[j] for j, k in enumerate(a.positions)}
        for q, pie in enumerate(a.pies):
            for i in np.flatnonzero(a.members[:, q]).tolist():
                terms[f"{pie}.{a.actors[i]}"] = s.y[i, q]
        lines.append(f"  Best offer: {_fmt_terms(result, terms)}.")
        lines += _mechanism_lines(result, a.actors, choice)
        lines.append(
            f"  {who} gets {s.utilities[choice.proposer]:.4f} against {choice.continuation[choice.proposer]:.4f} "
            f"by waiting: {'DEAL' if choice.deal else 'NO DEAL'} ({choice.reason})."
        )
    return "\n".join(lines)


def _mechanism_lines(result: Result, actors: list[str], choice) -> list[str]:  # noqa: ANN001
    """Leaders' utilities, the ratification probability and an opt-out, where they apply."""
    s = choice.settlement
    lines = []
    if choice.decision is not None and np.any(np.abs(choice.decision - s.utilities) > 0):
        for i in np.flatnonzero(np.abs(choice.decision - s.utilities) > 0).tolist():
            lines.append(
                f"  {result.label(actors[i])}'s leader gets {choice.decision[i]:.4f} (the state "
                f"{s.utilities[i]:.4f}, less the expected removal loss)."
            )
    if choice.approval < 1.0:
        lines.append(
            f"  Ratification: approved with probability {choice.approval:.4f}; if not, the "
            "round ends as if no deal had been offered."
        )
    if choice.outside is not None:
        lines.append("  Without a deal a responder takes its outside option.")
    return lines
