"""ParaView opens what npde writes (run by ctest with pvpython).

Usage: pvpython open_output.py <npde> <parameter file> <output directory> [launcher...]

(launcher: e.g. `mpirun -np 2`, to check the parallel .pvtu output.)

Trains the given example for a few iterations with one mesh adaptation round,
then opens the two time series it writes (round-00.pvd, the mesh before the
round, and solution.pvd, the final mesh) with ParaView's own reader, the one
the GUI uses for File > Open, and checks, for each series:
- the reader is ParaView's PVD reader, and its time steps are the output
  times t_n = n T/K for n = 0, m, 2m, ..., K (m = 'Output every');
- every field the trainer documents is there: u, h, u_minus_h, adjoint,
  g_theta, g_star, g_theta_minus_g_star, subdomain;
- at every time step, all values are finite and the difference fields are
  the differences of the fields they name (to round-off), so that what
  ParaView shows is what npde computed, not just some array of that name;
- the fields u, h, g_theta, g_star and the adjoint (before the final time)
  are not zero everywhere, and the field subdomain shows one piece per rank
  (0..ranks-1): on 2 ranks the .pvtu files list both ranks' pieces;
- the two series live on different meshes (the round changed the mesh).
Prints PASS lines and exits 1 at the first failure.
"""
import math
import os
import subprocess
import sys

import numpy
from paraview import servermanager
from paraview.simple import OpenDataFile
from paraview.vtk.numpy_interface import dataset_adapter

npde, prm, directory = sys.argv[1:4]
launcher = sys.argv[4:]
ranks = int(launcher[-1]) if launcher else 1
steps, output_every, end_time = 8, 2, 1.0
# pvpython initialises MPI itself: its OMPI_/PMIX_ variables would make the
# child's mpirun think it runs inside this process's MPI job. Drop them, but
# keep the settings that allow running as root.
environment = {k: v for k, v in os.environ.items()
               if not k.startswith(("OMPI_", "PMIX_")) or
               k.startswith(("OMPI_ALLOW", "OMPI_MCA_rmaps"))}
subprocess.run(
    launcher + [npde,
     "--set", "Trainer/Number of iterations=4",
     "--set", "Time/Number of steps=%d" % steps,
     "--set", "Time/End time=%g" % end_time,
     "--set", "Output/Output every=%d" % output_every,
     "--set", "Mesh adaptation/Trigger=schedule",
     "--set", "Mesh adaptation/Schedule=2",
     "--set", "Output/Directory=" + directory,
     "--set", "Output/Timing summary=false",
     prm],
    check=True, stdout=subprocess.DEVNULL, env=environment)


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


fields = ["u", "h", "u_minus_h", "adjoint", "g_theta", "g_star",
          "g_theta_minus_g_star", "subdomain"]
expected_times = [n * end_time / steps for n in range(0, steps + 1, output_every)]
n_points = {}
for series in ["round-00.pvd", "solution.pvd"]:
    path = os.path.join(directory, series)
    if not os.path.isfile(path):
        fail("%s was not written" % path)
    reader = OpenDataFile(path)
    if reader is None or reader.GetXMLName() != "PVDReader":
        fail("ParaView does not open %s with its PVD reader" % path)
    reader.UpdatePipelineInformation()
    times = list(reader.TimestepValues)
    if len(times) != len(expected_times) or any(
            abs(a - b) > 1e-12 for a, b in zip(times, expected_times)):
        fail("%s: time steps %s, expected %s" % (series, times, expected_times))
    missing = [f for f in fields if f not in reader.PointData.keys()]
    if missing:
        fail("%s: fields %s missing" % (series, missing))
    worst = 0.0
    largest = {f: 0.0 for f in fields}
    for t in times:
        reader.UpdatePipeline(t)
        data = dataset_adapter.WrapDataObject(servermanager.Fetch(reader))
        values = {f: numpy.asarray(data.PointData[f]) for f in fields}
        for f in fields:
            if not numpy.all(numpy.isfinite(values[f])):
                fail("%s, t = %g: field %s is not finite" % (series, t, f))
        for difference, a, b in [("u_minus_h", "u", "h"),
                                 ("g_theta_minus_g_star", "g_theta", "g_star")]:
            scale = max(1.0, numpy.abs(values[a]).max(), numpy.abs(values[b]).max())
            error = numpy.abs(values[difference] - (values[a] - values[b])).max()
            worst = max(worst, error / scale)
        for f in fields:
            if f != "adjoint" or t < times[-1]:
                largest[f] = max(largest[f], numpy.abs(values[f]).max())
        subdomains = set(numpy.unique(values["subdomain"]).astype(int))
        if subdomains != set(range(ranks)):
            fail("%s, t = %g: the pieces of ranks %s, expected 0..%d"
                 % (series, t, sorted(subdomains), ranks - 1))
        n_points[series] = data.GetNumberOfPoints()
    for f in ["u", "h", "adjoint", "g_theta", "g_star"]:
        if largest[f] == 0:
            fail("%s: field %s is zero at every time step" % (series, f))
    if worst > 1e-6:  # VTU stores single precision by default
        fail("%s: difference fields differ from the differences by %g" % (series, worst))
    print("PASS: %s opens in ParaView: %d time steps, %d fields, %d points, "
          "%d piece(s), differences consistent"
          % (series, len(times), len(fields), n_points[series], ranks))

if n_points["round-00.pvd"] == n_points["solution.pvd"]:
    fail("the mesh before the round and the final mesh have the same points")
print("PASS: the round's series and the final series are on different meshes "
      "(%d and %d points)" % (n_points["round-00.pvd"], n_points["solution.pvd"]))
