#!/usr/bin/env python3
"""What `Trainer/Resume = true` must do besides going on bitwise
(tests/kill_and_resume.py checks that):

- with no checkpoint in the output directory (a typo in 'Output/Directory',
  say), say so in one line and start afresh;
- after a resume, the wall time in history.csv goes on from the
  checkpoint's time instead of starting from 0 again;
- a checkpoint of another run (another activation, number of neurons,
  dimension, optimiser, mesh or problem) is not resumed: the run stops with
  an error that names what differs.

    resume_checks.py NPDE EXAMPLE_PRM WORK_DIRECTORY

Prints PASSED or FAIL lines; exits non-zero on failure.
"""
import os
import shutil
import subprocess
import sys

npde, example, work = (os.path.abspath(a) for a in sys.argv[1:4])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
os.chdir(work)
failures = []


def run(iterations, *settings):
    """The example, shortened, resuming from npde-output/run if it can."""
    command = [npde, "--set", f"Trainer/Number of iterations={iterations}",
               "--set", "Trainer/Checkpoint every=2",
               "--set", "Trainer/Resume=true",
               "--set", "Time/Number of steps=8",
               "--set", "Output/Directory=npde-output/run",
               "--set", "Output/Write VTU=false",
               "--set", "Output/Timing summary=false"]
    for s in settings:
        command += ["--set", s]
    result = subprocess.run(command + [example], capture_output=True,
                            text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


def check(condition, message, output=""):
    if condition:
        print("PASS: " + message)
    else:
        failures.append(message)
        print("FAIL: " + message + "\n" + output)


def wall_times():
    with open("npde-output/run/history.csv") as f:
        rows = [line.rstrip("\n").split(",") for line in f]
    column = rows[0].index("wall_time")
    return [float(row[column]) for row in rows[1:]]


# No checkpoint yet: one line says so, and the run starts afresh.
status, output = run(4)
check(status == 0 and "there is no checkpoint" in output and
      "starting afresh" in output,
      "Resume without a checkpoint says so and starts afresh", output)
times_then = wall_times()

# Resumed: the clock goes on from the checkpoint's time.
status, output = run(8)
check(status == 0 and "Resuming from" in output, "the run resumes", output)
times = wall_times()
check(len(times) == 9 and times[:5] == times_then and
      all(later >= earlier for earlier, later in zip(times, times[1:])) and
      times[5] >= times_then[-1],
      "the wall time goes on from the checkpoint's: %s after %s"
      % (times[5:], times_then), output)

# A checkpoint of an earlier npde (format 2, without what it belongs to) is
# still resumed, with a warning.
with open("npde-output/run/checkpoint.txt") as f:
    lines = f.read().split("\n")
n_fields = int(lines[1].split()[1])
with open("npde-output/run/checkpoint.txt", "w") as f:
    f.write("\n".join(["npde-checkpoint 2"] + lines[2 + n_fields:]))
status, output = run(9)
check(status == 0 and "earlier npde (format 2)" in output and
      "Resuming from" in output and "at iteration 8" in output,
      "a format-2 checkpoint is resumed, with a warning", output)

# Checkpoints of other runs, one field at a time.
for setting, difference in [
        ("Network/Activation=sigmoid", "its activation is tanh"),
        ("Network/Number of neurons=50", "its neurons is 100"),
        ("Network/Beta=1", "its beta is 0.6666"),
        ("Network/Map inputs to [-1,1]=true", "its input-map is false"),
        ("Optimizer/Method=gradient descent", "its optimizer is adam"),
        ("Domain/Global refinements=1", "its number-of-dofs is 861"),
        ("Model/Diffusion=2*D", "the parameters of the subsection 'Model' differ"),
        ("Target data/Target source=sin(pi*x)*t",
         "the parameters of the subsection 'Target data' differ")]:
    status, output = run(10, setting)
    check(status != 0 and "belongs to another run: " + difference in output
          and "npde: error" in output,
          "a checkpoint of another run is refused (%s: %s)"
          % (setting, difference), output)

# What may change: spaces in the values, 'Trainer' and 'Output' settings.
status, output = run(10, "Model/Diffusion= D ", "Trainer/Print every=2")
check(status == 0 and "Resuming from" in output,
      "a resume with other spaces and other 'Trainer' settings goes on",
      output)

if failures:
    print("FAIL: %d check(s) failed" % len(failures))
    sys.exit(1)
print("PASSED")
