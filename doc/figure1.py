#!/usr/bin/python3
"""Draw npde's version of the reference paper's Figure 1.

Trains the network of a parameter file (default: prm/heat_training.prm, the
paper's heat experiment with Adam) for N = 10, 100, 1000 neurons, reads each
run's history.csv, and plots the relative RMSE against the iteration, one
curve per N, into doc/figure1.png (or --output).

    /usr/bin/python3 doc/figure1.py [--prm prm/heat_training.prm] [--iterations 1000]

Needs a built npde (build/npde) and Debian's python3-matplotlib.
"""
import argparse
import csv
import os
import subprocess

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--prm", default=os.path.join(root, "prm/heat_training.prm"))
parser.add_argument("--iterations", type=int, default=1000)
parser.add_argument("--neurons", type=int, nargs="+", default=[10, 100, 1000])
parser.add_argument("--output", default=os.path.join(root, "doc/figure1.png"))
parser.add_argument("--npde", default=os.path.join(root, "build/npde"))
args = parser.parse_args()

plt.figure(figsize=(6, 4))
for n in args.neurons:
    directory = os.path.join(root, "build/npde-output/figure1-N%d" % n)
    subprocess.run(
        [args.npde,
         "--set", "Network/Number of neurons=%d" % n,
         "--set", "Trainer/Number of iterations=%d" % args.iterations,
         "--set", "Trainer/Print every=100",
         "--set", "Output/Directory=" + directory,
         "--set", "Output/Write VTU=false",
         args.prm],
        check=True)
    iterations, rmse = [], []
    with open(os.path.join(directory, "history.csv")) as f:
        for row in csv.DictReader(f):
            if row["accepted"] == "1":
                iterations.append(int(row["iteration"]))
                rmse.append(float(row["relative_rmse"]))
    plt.semilogy(iterations, rmse, label="N = %d" % n)

plt.xlabel("iteration")
plt.ylabel("relative RMSE  sqrt(J_data) / max|h|")
plt.title(os.path.basename(args.prm))
plt.grid(True, which="both", alpha=0.3)
plt.legend()
plt.tight_layout()
plt.savefig(args.output, dpi=120)
print("wrote", args.output)
