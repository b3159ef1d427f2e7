"""The dask backend on a real loopback LocalCluster gives the same frame as the serial run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import negsim
from negsim import sweeps as sw

distributed = pytest.importorskip("dask.distributed")

GRID = {
    "actors.alice.discount": np.linspace(0.5, 0.95, 6),
    "actors.bob.discount": [0.6, 0.75, 0.9, 1.5],
}


@pytest.mark.slow
def test_dask_local_cluster_equals_serial():
    s = negsim.load("textbook/rubinstein_finite")
    serial = sw.sweep(s, grid=GRID, backend="serial", progress=False)
    assert len(serial) == 24
    assert serial["error"].notna().sum() == 6  # bob's discount 1.5 is rejected
    started = sw.sweep(s, grid=GRID, backend="dask", workers=2, chunk_size=5, progress=False)
    pd.testing.assert_frame_equal(serial, started)


@pytest.mark.slow
def test_dask_scheduler_address_and_engine_fallback():
    s = negsim.load("textbook/fearon")  # position issue: every point uses negsim.solve
    grid = {"actors.a.war_cost": [0.05, 0.1, 0.2], "actors.b.war_cost": [0.05, 0.1]}
    serial = sw.sweep(s, grid=grid, outputs="actors", backend="serial", progress=False)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        remote = sw.sweep(
            s,
            grid=grid,
            outputs="actors",
            backend="dask",
            scheduler=cluster.scheduler_address,
            chunk_size=2,
            progress=False,
        )
        # the caller's cluster is left running
        assert cluster.status.name == "running"
    pd.testing.assert_frame_equal(serial, remote)


QUIET_SWEEP = """
import numpy as np
import negsim
from negsim import sweeps as sw

if __name__ == "__main__":
    s = negsim.load("textbook/rubinstein_finite")
    grid = {"actors.alice.discount": np.linspace(0.5, 0.95, 8)}
    df = sw.sweep(s, grid=grid, backend="dask", workers=4, concepts=("spe", "nash"),
                  chunk_size=1, progress=False)
    print(len(df), int(df["error"].notna().sum()))
"""


@pytest.mark.slow
def test_dask_local_cluster_closes_quietly(tmp_path):
    """A sweep on the LocalCluster it starts prints nothing but its own output: no
    tracebacks, no CommClosedError, no log lines of distributed at shutdown."""
    import subprocess
    import sys

    script = tmp_path / "quiet_sweep.py"
    script.write_text(QUIET_SWEEP)
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=600, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["8", "0"]
    for noise in ("Traceback", "CommClosedError", "distributed."):
        assert noise not in run.stderr, run.stderr
