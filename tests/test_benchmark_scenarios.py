"""The synthetic scenarios of ``benchmarks/solve.py`` are valid and have the sizes they
claim (the benchmark's growth exponents are fitted on them; no timing here)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).parent.parent / "benchmarks" / "solve.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_solve", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("dimension", ["rounds", "actors", "worlds", "types"])
def test_builders_make_valid_scenarios_of_each_size(dimension):
    bench = _bench()
    for size in bench.SIZES[dimension]:
        s = bench.BUILDERS[dimension](size)
        counted = {
            "rounds": s.rounds,
            "actors": len(s.actors),
            "worlds": len(s.worlds),
            "types": sum(len(kinds) for kinds in s.types.values()),
        }[dimension]
        assert counted == size
