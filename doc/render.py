"""Render npde's VTU output with ParaView: the standard views of a run.

Run it with ParaView's batch interpreter under a virtual X server, from the
repository root (Debian's packages paraview, python3-paraview, xvfb, xauth):

    xvfb-run -a pvbatch --disable-xdisplay-test doc/render.py npde-output/heat_training_lbfgs/solution.pvd doc/images/heat

(--disable-xdisplay-test: pvbatch's own probe of the X display aborts
about one run in four under Xvfb with Debian's ParaView 5.11, "bad X server
connection"; the views render fine without it.)

For each field (default: u, h, g_theta, g_star, adjoint) that the series
holds, it writes one PNG, <prefix>-<field>.png, with the field at three
times side by side (a quarter, half and all of the time interval unless --times says
otherwise), one colour scale per field shared by the three times, so that the
pictures of different times compare. Fields the series does not hold are
skipped with a message (g_star exists only when the target source is known).
"""
import argparse
import os

from paraview.simple import (ColorBy, CreateLayout,
                             CreateView, GetColorTransferFunction,
                             GetScalarBar, OpenDataFile, SaveScreenshot,
                             Show, Text)

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("pvd", help="the .pvd file of a run (solution.pvd)")
parser.add_argument("prefix", help="output prefix: <prefix>-<field>.png")
parser.add_argument("--fields", nargs="+",
                    default=["u", "h", "g_theta", "g_star", "adjoint"])
parser.add_argument("--times", nargs="+", type=float, default=None,
                    help="times to show (default: a quarter, half and all of the time interval)")
parser.add_argument("--edges", action="store_true",
                    help="draw the mesh's cell edges (adaptive meshes)")
parser.add_argument("--view-size", nargs=2, type=int, default=[360, 480],
                    help="pixels of each of the three views")
args = parser.parse_args()

reader = OpenDataFile(args.pvd)
if reader is None:
    raise SystemExit("render.py: ParaView cannot open '%s'" % args.pvd)
reader.UpdatePipelineInformation()
steps = list(reader.TimestepValues)
times = args.times or [steps[(len(steps) - 1) // 4], steps[(len(steps) - 1) // 2],
                      steps[-1]]

# The value range of a field over all shown times, so that one colour scale
# serves every time of the picture.
def field_range(field):
    low, high = float("inf"), float("-inf")
    for t in times:
        reader.UpdatePipeline(t)
        r = reader.PointData[field].GetRange()
        low, high = min(low, r[0]), max(high, r[1])
    if high <= low:
        high = low + 1e-12
    return low, high

# The camera: half the visible height (the parallel scale) such that the
# domain's bounding box fits into half of the width and 85 % of the height.
reader.UpdatePipeline(times[0])
x0, x1, y0, y1, z0, z1 = reader.GetDataInformation().GetBounds()
cx, cy, cz = 0.5 * (x0 + x1), 0.5 * (y0 + y1), z1
aspect = args.view_size[0] / args.view_size[1]
scale = max(0.5 * (y1 - y0) / 0.85, 0.5 * (x1 - x0) / (0.5 * aspect))
visible_width = 2 * scale * aspect
# Move the camera right so that the domain starts 5 % from the view's left.
shift = 0.45 * visible_width - 0.5 * (x1 - x0)

os.makedirs(os.path.dirname(os.path.abspath(args.prefix)), exist_ok=True)
available = reader.PointData.keys()
for field in args.fields:
    if field not in available:
        print("render.py: no field '%s' in %s, skipped" % (field, args.pvd))
        continue
    low, high = field_range(field)
    # Three equal cells side by side: split the root cell at 1/3, then its
    # right child (cell 2) in halves (cells 5 and 6).
    layout = CreateLayout(field)
    layout.SplitHorizontal(0, 1.0 / 3)
    layout.SplitHorizontal(2, 0.5)
    for i, (t, cell) in enumerate(zip(times, [1, 5, 6])):
        view = CreateView("RenderView")
        view.ViewTime = t
        view.OrientationAxesVisibility = 0
        view.Background = [1, 1, 1]
        try:  # ParaView >= 5.10 uses a palette unless told otherwise
            view.UseColorPaletteForBackground = 0
        except AttributeError:
            pass
        display = Show(reader, view)
        if args.edges:
            display.SetRepresentationType("Surface With Edges")
            display.EdgeColor = [0.3, 0.3, 0.3]
        ColorBy(display, ("POINTS", field))
        lut = GetColorTransferFunction(field)
        lut.ApplyPreset("Viridis (matplotlib)", True)
        lut.RescaleTransferFunction(low, high)
        lut.AutomaticRescaleRangeMode = "Never"
        if i == len(times) - 1:
            display.SetScalarBarVisibility(view, True)
            bar = GetScalarBar(lut, view)
            bar.Title = field
            bar.ComponentTitle = ""
            bar.TitleColor = bar.LabelColor = [0, 0, 0]
            bar.TitleFontSize = bar.LabelFontSize = 12
            bar.WindowLocation = "Lower Right Corner"
            bar.ScalarBarLength = 0.4
        label = Text(Text="%s, t = %.3g" % (field, t))
        label_display = Show(label, view)
        label_display.Color = [0, 0, 0]
        label_display.FontSize = 11
        label_display.WindowLocation = "Upper Center"
        # A camera looking down the z axis that fits the domain into the
        # left part of the view, with room for the label above and for the
        # colour bar on the right.
        view.CameraParallelProjection = 1
        view.CameraPosition = [cx + shift, cy, cz + 1.0]
        view.CameraFocalPoint = [cx + shift, cy, cz]
        view.CameraViewUp = [0, 1, 0]
        view.CameraParallelScale = scale
        layout.AssignView(cell, view)
    name = "%s-%s.png" % (args.prefix, field)
    SaveScreenshot(name, layout,
                   ImageResolution=[args.view_size[0] * len(times),
                                    args.view_size[1]])
    print("render.py: wrote", name)
