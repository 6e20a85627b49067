#!/usr/bin/env python3
"""HYCO's physics-only baseline is plain training (doc/hyco.md).

    hyco_baseline.py NPDE EXAMPLE_PRM WORK_DIRECTORY [--set ENTRY=VALUE ...]

runs the example twice, shortened: as `Mode = train`, and as `Mode = hyco`
with 'Physical interaction weight = 0' and 'Data weight = 1', so that J_P
is the plain training's J and the synthetic model, trained beside it,
cannot touch the physical one. Every column of the plain run's
history.csv (but the wall time) must be the same in the HYCO run's to the
last digit, and so must the trained constants. Prints PASSED or FAIL
lines; exits non-zero on failure.
"""
import os
import subprocess
import sys

npde, example, work = (os.path.abspath(a) for a in sys.argv[1:4])
extra = sys.argv[4:]
os.makedirs(work, exist_ok=True)
os.chdir(work)


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def run(directory, settings):
    command = [npde] + extra + settings + [
        "--set", "Trainer/Number of iterations=40",
        "--set", "Trainer/Print every=10",
        "--set", "Time/Number of steps=16",
        "--set", "Output/Write VTU=false",
        "--set", "Output/Timing summary=false",
        "--set", "Output/Directory=" + directory, example]
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if result.returncode:
        fail(f"'{' '.join(command)}' failed:\n{result.stdout}")
    with open(os.path.join(directory, "history.csv")) as f:
        rows = [line.rstrip("\n").split(",") for line in f]
    trained = [line.strip() for line in result.stdout.split("\n")
               if " = " in line and "(true " in line]
    return rows, trained


plain, plain_constants = run("train", ["--set", "Mode=train"])
hyco, hyco_constants = run("hyco", [
    "--set", "Mode=hyco",
    "--set", "HYCO/Physical interaction weight=0",
    "--set", "HYCO/Data weight=1"])

if "J_S" not in hyco[0] or len(plain) != len(hyco) or len(plain) < 41:
    fail(f"the runs have {len(plain)} and {len(hyco)} rows; the HYCO run's "
         f"columns are {hyco[0]}")
for name in plain[0]:
    if name == "wall_time":
        continue
    if name not in hyco[0]:
        fail(f"the HYCO history has no column {name}")
    i, j = plain[0].index(name), hyco[0].index(name)
    for row, (a, b) in enumerate(zip(plain[1:], hyco[1:])):
        if a[i] != b[j]:
            fail(f"column {name}, row {row + 1}: {a[i]} (train) against "
                 f"{b[j]} (hyco, lambda_P = 0)")
if not plain_constants or plain_constants != hyco_constants:
    fail(f"trained constants {plain_constants} against {hyco_constants}")
print(f"PASSED: lambda_P = 0 reproduces plain training bitwise: "
      f"{len(plain) - 1} rows of {len(plain[0]) - 1} columns, constants "
      f"{'; '.join(plain_constants)}")
