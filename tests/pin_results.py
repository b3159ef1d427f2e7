"""Pinned results of ukraine_2025 and the textbook scenarios, so that new mechanisms at
their defaults leave today's numbers as they were.

``python tests/pin_results.py`` rewrites ``tests/data/pinned_results.json`` (only when a
change of numbers is intended); ``tests/test_pinned_results.py`` compares against it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

import negsim
from negsim.catalog import available

PINNED = Path(__file__).parent / "data" / "pinned_results.json"


def numbers(name: str) -> dict[str, list[float | None]]:
    """The numeric columns of a scenario's round and actor tables, in table order."""
    result = negsim.solve(negsim.load(name))
    out: dict[str, list[float | None]] = {}
    for table_name, table in (("rounds", result.rounds), ("actors", result.actors)):
        for column in table.columns:
            values = table[column]
            if values.dtype.kind in "fib":
                out[f"{table_name}.{column}"] = [
                    None if np.isnan(v) else round(float(v), 10) for v in values.astype(float)
                ]
            elif column in ("concept", "regime", "actor", "proposer"):
                out[f"{table_name}.{column}"] = [str(v) for v in values]
    return out


def main() -> None:
    pins = {name: numbers(name) for name in sorted(available()) if not name.startswith("variants/")}
    PINNED.write_text(json.dumps(pins, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"wrote {PINNED} ({len(pins)} scenarios)", file=sys.stderr)


if __name__ == "__main__":
    main()
