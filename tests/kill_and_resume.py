#!/usr/bin/env python3
"""Kill `npde` with SIGKILL at random moments of a training run and resume.

The trainer's own test (tests/trainer.cc) stops a run between checkpoints
from inside the program. Here the program itself is killed, as a crash or
a batch system would, at moments the program does not choose: in an
iteration, in a line search, or while it writes its checkpoint. Every
checkpoint is written to a temporary file and renamed, so whatever moment
the kill hits, the next run with 'Resume = true' must find a whole
checkpoint and go on from it.

    kill_and_resume.py NPDE EXAMPLE_PRM WORK_DIRECTORY [--set ENTRY=VALUE ...]

runs the example (the default one, L-BFGS on the paper's heat setting),
shortened to 150 iterations with a checkpoint every 7, once uninterrupted
and once killed three times and resumed after each kill. The two
history.csv files must be the same to the last bit in every column but the
wall time. Further arguments are passed to every npde command (the HYCO
example's sensor files by absolute path). Prints PASSED or FAIL lines;
exits non-zero on failure.
"""
import os
import random
import signal
import subprocess
import sys
import time

npde, example, work = (os.path.abspath(a) for a in sys.argv[1:4])
extra = sys.argv[4:]
os.makedirs(work, exist_ok=True)
os.chdir(work)


def parameter_file(name, directory):
    """The example, shortened, writing into `directory`, resuming if it can."""
    text = f"""include {example}
subsection Trainer
  set Number of iterations = 150
  set Checkpoint every     = 7
  set Print every          = 1
  set Resume               = true
end
subsection Output
  set Directory    = {directory}
  set Output every = 1000
end
"""
    with open(name, "w") as f:
        f.write(text)
    return name


def history(directory):
    """history.csv without its wall-time column."""
    with open(os.path.join(directory, "history.csv")) as f:
        rows = [line.rstrip("\n").split(",") for line in f]
    column = rows[0].index("wall_time")
    return [row[:column] + row[column + 1:] for row in rows]


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


for directory in ("uninterrupted", "killed"):
    subprocess.run(["rm", "-rf", directory], check=True)

reference = parameter_file("uninterrupted.prm", "uninterrupted")
if subprocess.run([npde] + extra + [reference], stdout=subprocess.DEVNULL).returncode:
    fail("the uninterrupted run failed")

# Kill three times. Each time wait until this run has written a checkpoint
# of its own (so that every run makes progress), then a random time of up to
# about ten iterations, then SIGKILL.
killed = parameter_file("killed.prm", "killed")
checkpoint = os.path.join("killed", "checkpoint.txt")
generator = random.Random(3)
kills = 0
for attempt in range(3):
    before = os.stat(checkpoint).st_mtime_ns if os.path.exists(checkpoint) else 0
    process = subprocess.Popen([npde] + extra + [killed], stdout=subprocess.DEVNULL)
    while process.poll() is None and (
            not os.path.exists(checkpoint)
            or os.stat(checkpoint).st_mtime_ns == before):
        time.sleep(0.001)
    time.sleep(generator.uniform(0., 0.08))
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
        with open(checkpoint) as f:
            iteration = f.read().split("\n")[1]
        print(f"killed; the last checkpoint holds {iteration}")
    elif process.returncode != 0:
        fail("a resumed run failed before it was killed")
if kills == 0:
    fail("the run always finished before the kill: nothing was tested")

# The last run must resume (a run from scratch would give the same history
# too, and test nothing).
last = subprocess.run([npde] + extra + [killed], stdout=subprocess.PIPE, text=True)
if last.returncode:
    fail("the last resumed run failed")
resumed = [line.strip() for line in last.stdout.split("\n")
           if "Resuming from" in line]
if not resumed:
    fail("the last run did not resume from the checkpoint")
print(resumed[0].replace(os.getcwd() + "/", ""))

a, b = history("uninterrupted"), history("killed")
if a != b:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            print(f"first difference in row {i}: {x} against {y}")
            break
    fail(f"history after {kills} kills differs from the uninterrupted run "
         f"({len(b)} against {len(a)} rows)")
print(f"PASSED: killed {kills} times at random moments and resumed: "
      f"history.csv equals the uninterrupted run's bitwise ({len(a) - 1} "
      "records, wall time aside)")
