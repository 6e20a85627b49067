#!/usr/bin/env bash
# The commands that made the observation files of prm/heat_observations.prm
# and prm/l_shape_observations.prm (run from the project root, after a
# build): sensor points from tools/sensor_points.py, then a forward run with
# the true source g* on a finer mesh with more steps, sampled at the points
# with 1 % noise (Output/Sample points file, Output/Sample noise level).
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The paper's heat experiment: 40 fixed sensors for training, 20 others for
# validation, each measuring 41 times in [0, 1] (every 1/40: mostly between
# the time levels, which are every 1/64).
g='800*(1-y)^2*(0.2+0.6*t-y)^2*y^2*(1-2*x)*(2*x)'
python3 tools/sensor_points.py fixed --box 0,0:0.5,1 --sensors 40 --seed 1 \
  --times 0:1:41 > "$tmp/heat_points.csv"
python3 tools/sensor_points.py fixed --box 0,0:0.5,1 --sensors 20 --seed 2 \
  --times 0:1:41 > "$tmp/heat_validation_points.csv"
for set in heat heat_validation; do
  build/npde --set "Mode=forward" --set "Model/Source=$g" \
    --set "Domain/Global refinements=1" --set "Time/Number of steps=128" \
    --set "Output/Write VTU=false" --set "Output/Timing summary=false" \
    --set "Output/Directory=$tmp/$set" \
    --set "Output/Sample points file=$tmp/${set}_points.csv" \
    --set "Output/Sample noise level=0.01" \
    --set "Output/Sample noise seed=$([ $set = heat ] && echo 1 || echo 2)" \
    prm/heat_training_lbfgs.prm > /dev/null
  cp "$tmp/$set/samples.csv" prm/data/${set/heat/heat_sensors}.csv
done

# The L-shape: eight sensors that sweep the domain to and fro along
# horizontal lines (four across the lower half, four across the upper left
# quarter), eight fixed ones for validation; all measure every 1/64.
g='10*exp(-20*((x - r*cos(2*pi*t))^2 + (y + r*sin(2*pi*t))^2))'
python3 tools/sensor_points.py moving --times 0:1:65 \
  --trajectory="0.95*sin(2*pi*(t+0/8));-0.85" \
  --trajectory="0.95*sin(2*pi*(t+1/8));-0.6" \
  --trajectory="0.95*sin(2*pi*(t+2/8));-0.35" \
  --trajectory="0.95*sin(2*pi*(t+3/8));-0.1" \
  --trajectory="-0.5+0.45*sin(2*pi*(t+4/8));0.15" \
  --trajectory="-0.5+0.45*sin(2*pi*(t+5/8));0.4" \
  --trajectory="-0.5+0.45*sin(2*pi*(t+6/8));0.65" \
  --trajectory="-0.5+0.45*sin(2*pi*(t+7/8));0.9" \
  > "$tmp/l_shape_points.csv"
python3 tools/sensor_points.py fixed --box=-1,-1:1,1 --sensors 8 --seed 3 \
  --inside "not (x > 0 and y > 0)" --times 0:1:65 \
  > "$tmp/l_shape_validation_points.csv"
for set in l_shape l_shape_validation; do
  build/npde --set "Mode=forward" --set "Model/Source=$g" \
    --set "Domain/Global refinements=5" --set "Time/Number of steps=64" \
    --set "Output/Write VTU=false" --set "Output/Timing summary=false" \
    --set "Output/Directory=$tmp/$set" \
    --set "Output/Sample points file=$tmp/${set}_points.csv" \
    --set "Output/Sample noise level=0.01" \
    --set "Output/Sample noise seed=$([ $set = l_shape ] && echo 3 || echo 4)" \
    prm/l_shape_training.prm > /dev/null
  cp "$tmp/$set/samples.csv" prm/data/${set/l_shape/l_shape_sensors}.csv
done
