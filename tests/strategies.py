"""Reusable hypothesis strategies for model arguments."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

#: A discount factor strictly inside (0, 1), away from the singular end points.
discounts = st.floats(min_value=0.0, max_value=0.99)

#: Any valid discount factor, including the end points.
discounts_closed = st.floats(min_value=0.0, max_value=1.0)

#: Probabilities in [0, 1].
probabilities = st.floats(min_value=0.0, max_value=1.0)

#: Non-negative costs, as fractions of the pie.
costs = st.floats(min_value=0.0, max_value=1.0)

#: Horizons (numbers of offers).
horizons = st.integers(min_value=1, max_value=60)


@st.composite
def disagreement_points(draw, n: int = 2, slack: float = 0.05):
    """Disagreement points on the simplex with sum <= 1 - slack."""
    raw = draw(hnp.arrays(float, n, elements=st.floats(0.0, 1.0)))
    scale = draw(st.floats(0.0, 1.0 - slack))
    total = raw.sum()
    return raw / total * scale if total > 0 else raw


@st.composite
def frontier_points(draw, m_min: int = 2, m_max: int = 8):
    """Finite sets of utility pairs in [0, 1]^2 containing (0, 1) and (1, 0)."""
    m = draw(st.integers(m_min, m_max))
    pts = draw(hnp.arrays(float, (m, 2), elements=st.floats(0.0, 1.0)))
    return np.vstack([[0.0, 1.0], [1.0, 0.0], pts])


@st.composite
def recognition_vectors(draw, n_min: int = 2, n_max: int = 6):
    """Recognition probability vectors with a few distinct values."""
    n = draw(st.integers(n_min, n_max))
    raw = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
    p = np.array(raw, dtype=float)
    return p / p.sum()


@st.composite
def weighted_games(draw, n_min: int = 1, n_max: int = 7):
    """(weights, quota) of weighted voting games with small integer weights."""
    w = draw(
        st.lists(st.integers(0, 9), min_size=n_min, max_size=n_max).filter(lambda x: sum(x) > 0)
    )
    quota = draw(st.integers(1, sum(w)))
    return np.array(w), quota


# -- scenario documents (issue 8: fuzzing the loader and the engine) -----------------------
#
# ``scenario_docs()`` draws *valid* scenario documents as plain dicts (dump them with
# ``yaml.safe_dump``): 2-4 actors, 1-3 issues (positions and pies), 1-6 rounds and every
# optional part of the format (schedules of every kind, red lines, deadlines, horizons,
# battlefield, protocol, proposals, stage games, regimes, uncertainty). Values stay in
# their documented ranges, so ``negsim.load_text`` must accept every one of them.
# ``broken_docs()`` breaks a valid document in one to three ways (a missing field, an
# unknown key, a wrong type, an out-of-range number, junk text); ``mutated_texts()``
# garbles the YAML text itself.

SCHEDULE_KINDS = ("bare", "constant", "linear", "exponential", "steps", "piecewise")

#: Values that are wrong almost anywhere in a scenario.
junk_values = st.one_of(
    st.sampled_from(
        [
            None,
            True,
            "",
            "nan",
            ".inf",
            "-1e999",
            "\x00",
            "\u202e",
            "🙂",
            -1,
            -0.5,
            1.5,
            2**70,
            -(2**70),
            1e300,
            -1e300,
            [],
            {},
            [[]],
            {"kind": "linear"},
            {"kind": "exponential", "start": 1, "rate": -2},
            {"kind": "steps", "initial": 0, "steps": []},
            {
                "kind": "steps",
                "initial": 0,
                "steps": [{"round": 3, "value": 1}, {"round": 1, "value": 0}],
            },
            {"kind": "piecewise", "points": [[1, 0], [0, 1]]},
            {"kind": "bogus", "value": 1},
            {"value": "x"},
        ]
    ),
    st.text(max_size=12),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(-3, 3), max_size=3),
)

_names = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True)


def _float(low: float, high: float):
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


@st.composite
def schedules(draw, low: float, high: float, rounds: int = 6):
    """A schedule of any kind whose every value over ``rounds`` lies in [low, high]."""
    kind = draw(st.sampled_from(SCHEDULE_KINDS))
    value = _float(low, high)
    if kind == "bare":
        return draw(value)
    if kind == "constant":
        return {"kind": "constant", "value": draw(value), "why": draw(st.sampled_from(["", "x"]))}
    if kind == "linear":
        return {
            "kind": "linear",
            "start": draw(value),
            "slope": draw(_float(-0.5, 0.5)),
            "min": low,
            "max": high,
        }
    if kind == "exponential":
        return {
            "kind": "exponential",
            "start": draw(value),
            "rate": draw(_float(-0.5, 0.5)),
            "min": low,
            "max": high,
        }
    if kind == "steps":
        rounds_ = draw(st.lists(st.integers(0, rounds + 2), min_size=1, max_size=3, unique=True))
        return {
            "kind": "steps",
            "initial": draw(value),
            "steps": [{"round": r, "value": draw(value)} for r in sorted(rounds_)],
        }
    xs = draw(st.lists(st.integers(0, rounds + 2), min_size=1, max_size=3, unique=True))
    return {"kind": "piecewise", "points": [[x, draw(value)] for x in sorted(xs)]}


@st.composite
def scenario_docs(
    draw,
    max_actors: int = 4,
    max_issues: int = 3,
    max_rounds: int = 6,
    stationary: bool = True,
):
    """A valid scenario document (a dict) that ``negsim.load_text`` accepts."""
    n = draw(st.integers(2, max_actors))
    actors = [f"a{i}" for i in range(n)]
    rounds = draw(st.integers(1, max_rounds))
    terminal = draw(st.sampled_from(["war", "stationary"] if stationary else ["war"]))
    n_issues = draw(st.integers(1, max_issues))
    kinds = draw(
        st.lists(st.sampled_from(["position", "pie"]), min_size=n_issues, max_size=n_issues)
    )
    issues: dict = {}
    for k, kind in enumerate(kinds):
        if kind == "pie":
            among = draw(st.lists(st.sampled_from(actors), min_size=1, max_size=n, unique=True))
            issues[f"i{k}"] = {"kind": "pie", "among": among}
        else:
            issue: dict = {"kind": "position"}
            if draw(st.booleans()):
                issue["war_value"] = draw(schedules(0, 1, rounds))
            issues[f"i{k}"] = issue
    positions = [k for k, v in issues.items() if v["kind"] == "position"]
    # a stationary tail iterates to a fixed point: keep discounts away from 1 there
    top = 0.9 if terminal == "stationary" else 1.0
    doc_actors: dict = {}
    for a in actors:
        actor: dict = {"discount": draw(schedules(0.05, top, rounds))}
        salience = {k: draw(schedules(0, 5, rounds)) for k in issues if draw(st.booleans())}
        if salience:
            first = next(iter(salience))
            salience[first] = draw(_float(0.1, 5))  # never all zero
        actor["salience"] = salience
        actor["ideal"] = {
            k: draw(schedules(0, 1, rounds))
            for k in positions
            if k in salience or draw(st.booleans())
        }
        if draw(st.booleans()):
            actor["war_cost"] = draw(schedules(0, 0.5, rounds))
        if draw(st.booleans()):
            actor["private_benefit"] = draw(schedules(-0.2, 0.2, rounds))
        if draw(st.booleans()):
            actor["curvature"] = draw(st.sampled_from([1, 2, 1.5]))
        if draw(st.booleans()):
            actor["capability"] = draw(schedules(0.1, 3, rounds))
        if draw(st.booleans()):
            actor["capacity"] = draw(schedules(0, 3, rounds))
        if draw(st.integers(0, 3)) == 0:
            # at most 0: a deal always gives at least 0, so a reservation above the best
            # utility (a contradiction, refused since issue 13) is never drawn
            actor["reservation"] = draw(schedules(-0.5, 0.0, rounds))
        if draw(st.integers(0, 3)) == 0:
            actor["veto"] = True
        free = [k for k in positions if k not in actor["ideal"]]  # no ideal outside a red line
        if free and draw(st.integers(0, 2)) == 0:
            k = draw(st.sampled_from(free))
            lo, hi = sorted(draw(st.lists(_float(0, 1), min_size=2, max_size=2)))
            actor["red_lines"] = {
                k: draw(st.sampled_from([{"min": lo}, {"max": hi}, {"min": lo, "max": hi}]))
            }
        if draw(st.integers(0, 3)) == 0:
            actor["deadlines"] = [
                {"round": draw(st.integers(0, rounds - 1)), "penalty": draw(_float(0, 0.3))}
            ]
        if draw(st.integers(0, 3)) == 0:
            actor["horizon"] = {
                "rounds": draw(st.integers(1, rounds + 2)),
                "weight_after": draw(_float(0, 1)),
            }
        doc_actors[a] = actor
    doc: dict = {
        "name": draw(st.from_regex(r"[A-Za-z0-9_.\-]{1,12}", fullmatch=True)),
        "rounds": rounds,
        "terminal": terminal,
        "issues": issues,
        "actors": doc_actors,
    }
    if draw(st.booleans()):
        doc["seed"] = draw(st.integers(0, 2**32))
    protocol_kind = draw(st.sampled_from(["none", "proposers", "recognition"]))
    protocol: dict = {}
    if protocol_kind == "proposers":
        protocol["proposers"] = draw(st.lists(st.sampled_from(actors), min_size=1, max_size=4))
    elif protocol_kind == "recognition":
        weights = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n).filter(any))
        protocol["recognition"] = {
            a: w / sum(weights) for a, w in zip(actors, weights, strict=True)
        }
    if draw(st.booleans()):
        protocol["quota"] = draw(st.integers(1, n))
    if protocol:
        doc["protocol"] = protocol
    if positions and draw(st.integers(0, 2)) == 0:
        side_a = draw(st.lists(st.sampled_from(actors), min_size=1, max_size=2, unique=True))
        side_b = draw(st.lists(st.sampled_from(actors), min_size=1, max_size=2, unique=True))
        doc["battlefield"] = {
            "issue": draw(st.sampled_from(positions)),
            "initial_control": draw(schedules(0, 1, rounds)),
            "drift": draw(schedules(0, 0.2, rounds)),
            "sides": {"a": side_a, "b": side_b},
        }
        if draw(st.booleans()):
            doc["battlefield"]["support"] = [
                {
                    "patron": draw(st.sampled_from(actors)),
                    "to": side_b[0],
                    "amount": draw(schedules(0, 2, rounds)),
                }
            ]
    if draw(st.integers(0, 2)) == 0:
        terms: dict = {}
        for k, v in issues.items():
            if v["kind"] == "position":
                terms[k] = draw(_float(0, 1))
            else:
                raw = draw(
                    st.lists(
                        st.integers(0, 4), min_size=len(v["among"]), max_size=len(v["among"])
                    ).filter(any)
                )
                terms[k] = {a: w / sum(raw) for a, w in zip(v["among"], raw, strict=True)}
        doc["proposals"] = {"plan": {"terms": terms}}
    if draw(st.integers(0, 2)) == 0:
        rows, cols = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        payoff = _float(-5, 5) if draw(st.booleans()) else st.just(1.0)  # all equal: degenerate
        doc["stage_games"] = {
            "g": {
                "row": actors[0],
                "col": actors[1],
                "row_strategies": [f"r{i}" for i in range(rows)],
                "col_strategies": [f"c{j}" for j in range(cols)],
                "row_payoffs": [[draw(payoff) for _ in range(cols)] for _ in range(rows)],
                "col_payoffs": [[draw(payoff) for _ in range(cols)] for _ in range(rows)],
                "method": draw(
                    st.sampled_from(["support_enumeration", "vertex_enumeration", "lemke_howson"])
                ),
            }
        }
    if draw(st.integers(0, 3)) == 0:
        stay = draw(_float(0, 1))
        doc["regimes"] = {
            "initial": "calm",
            "states": {
                "calm": {},
                "erratic": {"changes": {f"actors.{actors[0]}.discount": draw(_float(0.05, top))}},
            },
            "transition": {
                "calm": {"calm": stay, "erratic": 1 - stay},
                "erratic": {"calm": 0.5, "erratic": 0.5},
            },
            "samples": draw(st.integers(0, 5)),
        }
    if draw(st.integers(0, 3)) == 0:
        lo = draw(_float(0.1, 0.5))
        doc["uncertainty"] = {
            f"actors.{actors[-1]}.discount": {"dist": "uniform", "low": lo, "high": lo + 0.3}
        }
    return doc


def _paths(doc, prefix=()):
    """Every (path, value) of a nested document, containers included."""
    yield prefix, doc
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, (*prefix, i))


@st.composite
def broken_docs(draw, max_breaks: int = 3):
    """A valid document broken in 1-3 ways: dropped or junk values, unknown keys, bad root."""
    import copy

    doc = copy.deepcopy(draw(scenario_docs()))
    if draw(st.integers(0, 30)) == 0:
        return draw(junk_values)  # a root that is not a mapping at all
    for _ in range(draw(st.integers(1, max_breaks))):
        paths = [p for p, _ in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(["drop", "junk", "unknown_key", "scale", "rename"]))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        if how == "drop":
            del parent[path[-1]]
        elif how == "junk":
            parent[path[-1]] = draw(junk_values)
        elif how == "unknown_key" and isinstance(parent, dict):
            parent[draw(_names)] = draw(junk_values)
        elif how == "scale" and isinstance(parent[path[-1]], (int, float)):
            parent[path[-1]] = parent[path[-1]] * draw(st.sampled_from([-1, 10, 1e6, -1e-9]))
        elif how == "rename" and isinstance(parent, dict):
            parent[path[-1] + draw(st.sampled_from(["_", "s", "x"]))] = parent.pop(path[-1])
    return doc


_YAML_JUNK = [
    ":",
    "{",
    "}",
    "[",
    "]",
    "&a",
    "*a",
    "!",
    "!!python/name:os.system",
    "|",
    ">",
    "- ",
    "#",
    "'",
    '"',
    "\t",
    "\n",
    "  ",
    "<<: *a",
    "? ",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "\\",
    "\x00",
    "\ufeff",
    "\r\n",
    "~",
    "0x",
    "1e5",
    ".nan",
]


@st.composite
def mutated_texts(draw):
    """YAML text of a valid document with characters deleted, inserted or lines shuffled."""
    import yaml

    text = yaml.safe_dump(
        draw(scenario_docs()), sort_keys=False, default_flow_style=draw(st.booleans())
    )
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        how = draw(st.sampled_from(["delete", "insert", "dup_line", "swap_lines", "truncate"]))
        at = draw(st.integers(0, len(text) - 1))
        if how == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 8)) :]
        elif how == "insert":
            junk = draw(st.one_of(st.sampled_from(_YAML_JUNK), st.text(max_size=4)))
            text = text[:at] + junk + text[at:]
        elif how == "truncate":
            text = text[:at]
        else:
            lines = text.splitlines(keepends=True)
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            if how == "dup_line":
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "".join(lines)
    return text
