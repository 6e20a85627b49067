#!/usr/bin/env bash
# The commands that made the sensor files of prm/hyco_heat_{full,half,
# quarter}.prm (run from the project root, after a build): the HYCO
# authors' heat experiment (doc/design.md section 11, doc/hyco.md).
#
# 10 x 10 sensors start on a grid and are carried by x' = A(x - c),
# A = [[-0.1, -1], [1, -0.1]], measuring at 100 times in [0, 1]; a seeded
# 60 % of them train, the other 40 % validate. Rows of a sensor that has
# left D = (-3, 3)^2 are dropped (the authors' code reads u = 0 there).
# The measurements are a forward run with the true kappa on a mesh refined
# once more than the training mesh, with four times the steps, sampled at
# the points without noise (the authors add none).
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for case in "full|-3,-3:3,3|0,0" "half|-1.5,-1.5:3,3|0.75,0.75" \
            "quarter|0,0:3,3|1.5,1.5"; do
  IFS='|' read -r name grid centre <<< "$case"
  for set in train validation; do
    python3 tools/sensor_points.py flow --grid="$grid:10" \
      --matrix=-0.1,-1,1,-0.1 --centre="$centre" --times 0:1:100 \
      --select $set --fraction 0.6 --seed 1 \
      --inside "abs(x) <= 3 and abs(y) <= 3" > "$tmp/points.csv"
    build/npde --set "Mode=forward" \
      --set "Model/Constants=A1=3, A2=2.5, x1=1, y1=1, x2=-2, y2=-2" \
      --set "Domain/Global refinements=6" --set "Time/Number of steps=200" \
      --set "Output/Write VTU=false" --set "Output/Timing summary=false" \
      --set "Output/Directory=$tmp/run" \
      --set "Output/Sample points file=$tmp/points.csv" \
      prm/hyco_heat_$name.prm > /dev/null
    suffix=$([ $set = train ] && echo "" || echo "_validation")
    cp "$tmp/run/samples.csv" prm/data/hyco_heat_${name}${suffix}.csv
  done
done
