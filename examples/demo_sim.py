"""A short multichannel simulation comparing two policies.

Runs ``examples/scenarios/multichannel.yaml`` (voice, chat and email, three
agent groups with shifts) under ``longest_idle`` and ``most_skilled`` on the
same random numbers, prints the comparison table and writes
``target/sim_demo.png`` (service level and ASA per interval, per policy).

    python examples/demo_sim.py            # or: make demo-sim
"""

from __future__ import annotations

import pathlib
import sys

from ccroute.cli import main

HERE = pathlib.Path(__file__).resolve().parent

if __name__ == "__main__":
    sys.exit(main([
        "compare", str(HERE / "scenarios" / "multichannel.yaml"),
        "--policies", "longest_idle,most_skilled",
        "--reps", "5",
        "--plot", "target/sim_demo.png",
    ]))
