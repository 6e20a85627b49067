#!/usr/bin/env python3
"""Point files for npde's 'Output/Sample points file': where and when
sensors measure (doc/observations.md).

Fixed sensors, drawn uniformly in a box (optionally only where a condition
holds, for a domain that is not a box), measuring at given times:

  tools/sensor_points.py fixed --box 0,0:0.5,1 --sensors 40 --seed 1 \
      --times 0:1:41 > points.csv

Moving sensors, one per trajectory x(t)[;y(t)[;z(t)]] (Python expressions
in t, with the functions of the math module), measuring at given times:

  tools/sensor_points.py moving --trajectory "0.25+0.15*cos(2*pi*t);0.5+0.3*sin(2*pi*t)" \
      --trajectory "0.25;0.1+0.8*t" --times 0:1:65 > points.csv

Sensors carried by a linear flow x' = A(x - c) from the nodes of a grid
(HYCO's heat experiment, doc/hyco.md): x(t) = c + exp(tA)(x_0 - c), with
the matrix exponential by scaling and squaring of its Taylor series:

  tools/sensor_points.py flow --grid=-3,-3:3,3:10 --matrix=-0.1,-1,1,-0.1 \
      --centre 0,0 --times 0:1:100 --select train --fraction 0.6 \
      --seed 1 --inside "abs(x) <= 3 and abs(y) <= 3" > points.csv

(--select splits the sensors by a seeded permutation: the first fraction
for training, the rest for validation; --inside drops the rows of a
sensor that has left the domain.)

--times a:b:n gives n equally spaced times from a to b (both included);
--times t1,t2,... gives them one by one. --inside "x**2+y**2<1" keeps only
points where the condition holds. Only the standard library is used.
"""
import argparse
import math
import random
import sys


def times(spec):
    if ':' in spec:
        a, b, n = spec.split(':')
        a, b, n = float(a), float(b), int(n)
        return [a + (b - a) * i / (n - 1) for i in range(n)] if n > 1 else [a]
    return [float(t) for t in spec.split(',')]


def names(dim):
    return ['x', 'y', 'z'][:dim]


def condition(expression, dim):
    if not expression:
        return lambda p: True
    code = compile(expression, '--inside', 'eval')
    return lambda p: bool(eval(code, vars(math), dict(zip(names(dim), p))))


def fixed(args):
    lower, upper = ([float(c) for c in corner.split(',')]
                    for corner in args.box.split(':'))
    dim = len(lower)
    keep = condition(args.inside, dim)
    rng = random.Random(args.seed)
    sensors = []
    while len(sensors) < args.sensors:
        p = [lo + (hi - lo) * rng.random() for lo, hi in zip(lower, upper)]
        if keep(p):
            sensors.append(p)
    return dim, [(t, p) for t in times(args.times) for p in sensors]


def moving(args):
    paths = [[compile(c, '--trajectory', 'eval') for c in trajectory.split(';')]
             for trajectory in args.trajectory]
    dim = len(paths[0])
    if any(len(path) != dim for path in paths):
        sys.exit('sensor_points.py: every trajectory needs the same number '
                 'of coordinates')
    rows = []
    for t in times(args.times):
        for path in paths:
            env = dict(vars(math), t=t)
            rows.append((t, [float(eval(c, env)) for c in path]))
    return dim, rows


def expm(a, t):
    """exp(t a) for a small square matrix a (lists of rows)."""
    n = len(a)
    m = [[t * v for v in row] for row in a]
    scale = max(1.0, max(sum(abs(v) for v in row) for row in m))
    squarings = max(0, math.ceil(math.log2(scale)) + 4)
    m = [[v / 2 ** squarings for v in row] for row in m]
    result = [[float(i == j) for j in range(n)] for i in range(n)]
    term = [row[:] for row in result]
    for k in range(1, 20):
        term = [[sum(term[i][l] * m[l][j] for l in range(n)) / k
                 for j in range(n)] for i in range(n)]
        result = [[result[i][j] + term[i][j] for j in range(n)]
                  for i in range(n)]
    for _ in range(squarings):
        result = [[sum(result[i][l] * result[l][j] for l in range(n))
                   for j in range(n)] for i in range(n)]
    return result


def flow(args):
    lower, upper, count = args.grid.split(':')
    lower = [float(v) for v in lower.split(',')]
    upper = [float(v) for v in upper.split(',')]
    count = int(count)
    dim = len(lower)
    values = [float(v) for v in args.matrix.split(',')]
    if len(values) != dim * dim or len(upper) != dim:
        sys.exit('sensor_points.py: --matrix needs dim*dim entries and --grid '
                 'two corners of dim coordinates')
    a = [values[i * dim:(i + 1) * dim] for i in range(dim)]
    c = [float(v) for v in args.centre.split(',')]
    axes = [[lo + (hi - lo) * i / (count - 1) for i in range(count)]
            for lo, hi in zip(lower, upper)]
    starts = [[]]
    for axis in axes:
        starts = [p + [v] for p in starts for v in axis]
    # The split by sensor: a seeded permutation of the start points, the
    # first fraction of it for training, the rest for validation.
    order = list(range(len(starts)))
    random.Random(args.seed).shuffle(order)
    n_train = int(args.fraction * len(starts))
    chosen = set(order[:n_train] if args.select == 'train' else
                 order[n_train:] if args.select == 'validation' else order)
    keep = condition(args.inside, dim)
    rows = []
    for t in times(args.times):
        e = expm(a, t)
        for k, p in enumerate(starts):
            x = [c[i] + sum(e[i][j] * (p[j] - c[j]) for j in range(dim))
                 for i in range(dim)]
            if k in chosen and keep(x):
                rows.append((t, x))
    return dim, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='kind', required=True)
    f = sub.add_parser('fixed', help='sensors at fixed places')
    f.add_argument('--box', required=True, help='lower:upper, e.g. 0,0:0.5,1')
    f.add_argument('--sensors', type=int, required=True)
    f.add_argument('--seed', type=int, default=1)
    f.add_argument('--inside', default='', help='keep points where this holds')
    f.add_argument('--times', required=True)
    m = sub.add_parser('moving', help='sensors moving along trajectories')
    m.add_argument('--trajectory', action='append', required=True)
    m.add_argument('--times', required=True)
    w = sub.add_parser('flow', help="sensors carried by x' = A(x - c)")
    w.add_argument('--grid', required=True,
                   help='lower:upper:n, the n^d start points')
    w.add_argument('--matrix', required=True, help='A, row by row')
    w.add_argument('--centre', required=True)
    w.add_argument('--times', required=True)
    w.add_argument('--inside', default='',
                   help='keep the rows (sensor and time) where this holds')
    w.add_argument('--select', default='all',
                   choices=['all', 'train', 'validation'],
                   help='the sensors of a seeded split')
    w.add_argument('--fraction', type=float, default=0.6,
                   help='the share of the sensors for training')
    w.add_argument('--seed', type=int, default=1)
    args = parser.parse_args()
    dim, rows = {'fixed': fixed, 'moving': moving, 'flow': flow}[args.kind](args)
    print('# made by: tools/sensor_points.py ' + ' '.join(a if ' ' not in a else repr(a) for a in sys.argv[1:]))
    print(','.join(['t'] + names(dim)))
    for t, p in rows:
        print(','.join(repr(v) for v in [t] + p))


if __name__ == '__main__':
    main()
