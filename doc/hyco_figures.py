"""The pictures of doc/hyco.md: kappa recovered by HYCO and by the
physics-only baseline against the truth, for the three cases of the HYCO
authors' heat experiment, with the training sensors' positions and the last
epoch's interaction points.

Run it from the repository root after the six runs of doc/hyco.md (matplotlib,
Debian's python3-matplotlib):

    /usr/bin/python3 doc/hyco_figures.py doc/images/hyco-kappa.png

It reads npde-output/hyco_heat_<case>/history.csv (HYCO) and
npde-output/hyco_heat_<case>_physics/history.csv (lambda_P = 0), the last row
of each, for the trained constants; prm/data/hyco_heat_<case>.csv for the
sensors; and the last interaction_points-NNNN.vtu of the HYCO run.
"""
import csv
import glob
import math
import re
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

TRUTH = dict(A1=3, A2=2.5, x1=1, y1=1, x2=-2, y2=-2)
CASES = ["full", "half", "quarter"]


def kappa(p, x, y):
    return (0.1 + p["A1"] * math.exp(-((x - p["x1"])**2 + (y - p["y1"])**2))
            + p["A2"] * math.exp(-((x - p["x2"])**2 + (y - p["y2"])**2)))


def last_constants(directory):
    """The constants of the last accepted row, and their parameter error
    |A - A*|/|A*| + |c - c*|/|c*| (c = x1, x2, y1, y2)."""
    with open(directory + "/history.csv") as f:
        rows = list(csv.DictReader(f))
    row = [r for r in rows if r["accepted"] == "1"][-1]
    p = {k: float(row[k]) for k in TRUTH}

    def relative(names):
        return (math.sqrt(sum((p[k] - TRUTH[k])**2 for k in names))
                / math.sqrt(sum(TRUTH[k]**2 for k in names)))
    return p, relative(["A1", "A2"]) + relative(["x1", "x2", "y1", "y2"])


def sensors(case):
    """Every (x, y) at which a training sensor measured."""
    with open(f"prm/data/hyco_heat_{case}.csv") as f:
        lines = [line for line in f if not line.startswith("#")]
    return [(float(r["x"]), float(r["y"])) for r in csv.DictReader(lines)]


def interaction_points(case):
    files = sorted(glob.glob(f"npde-output/hyco_heat_{case}/interaction_points-*.vtu"))
    if not files:
        return []
    text = open(files[-1]).read()
    block = re.search(r"<Points>.*?format=\"ascii\">(.*?)</DataArray>", text, re.S)
    values = [float(v) for v in block.group(1).split()] if block else []
    return [(values[i], values[i + 1]) for i in range(0, len(values), 3)]


n = 61
grid = [-3 + 6 * i / (n - 1) for i in range(n)]
figure, axes = plt.subplots(3, 3, figsize=(10.5, 10), constrained_layout=True)
for row, case in enumerate(CASES):
    hyco, hyco_error = last_constants(f"npde-output/hyco_heat_{case}")
    physics, physics_error = last_constants(f"npde-output/hyco_heat_{case}_physics")
    for column, (title, p) in enumerate([("truth", TRUTH),
                                         (f"HYCO (error {hyco_error:.3f})", hyco),
                                         (f"physics only (error {physics_error:.3f})", physics)]):
        ax = axes[row][column]
        image = ax.imshow([[kappa(p, x, y) for x in grid] for y in grid],
                          origin="lower", extent=(-3, 3, -3, 3), vmin=0.1,
                          vmax=3.6, cmap="viridis")
        ax.set_title(f"{case}: {title}", fontsize=10)
        ax.set_xticks([-3, 0, 3])
        ax.set_yticks([-3, 0, 3])
        if column == 0:
            points = sensors(case)
            ax.plot([q[0] for q in points], [q[1] for q in points], "w.",
                    ms=0.6, alpha=0.5)
        if column == 1:
            points = interaction_points(case)
            ax.plot([q[0] for q in points], [q[1] for q in points], "r.", ms=2)
            ax.plot([-3, 0, 0, -3, -3], [-3, -3, 0, 0, -3], "r--", lw=0.8)
figure.colorbar(image, ax=axes, shrink=0.6, label="kappa")
figure.savefig(sys.argv[1] if len(sys.argv) > 1 else "hyco-kappa.png", dpi=90)
print("wrote", sys.argv[1] if len(sys.argv) > 1 else "hyco-kappa.png")
