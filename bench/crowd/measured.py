#!/usr/bin/env python3
"""Measured values of the Juelich experiments in tests/data/crowd/, computed
from the trajectories with nothing but the standard library (docs/validation.md).

  bottleneck 040_c_56_h-  (25 fps, metres): flow through the line y = 0,
      x in [-0.4, 0.4] (the 0.5 m gap's entrance), over the time between the
      first and the last crossing; classical density in the area in front of
      the gap x in [-0.4, 0.4], y in [0.5, 1.3] (PedPy's user guide area),
      averaged over the frames between the 10th and the last 10th crossing.
  corridor uo-050-180-180, uo-180-180-180 (16 fps, centimetres): flow through
      y = 0 over the steady-state frames (PedPy: 211-800 and 400-1284),
      classical density and mean speed in x in [0, 1.8], y in [-2, 0].
  single file (Seyfried 2005): the data set as given (rho 1/m, v m/s),
      binned by density.

Prints one "key value" per line; SPDX-License-Identifier: EUPL-1.2"""
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "tests", "data", "crowd")


def load(path, scale):
    traj = {}
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            p = line.split()
            pid, fr = int(p[0]), int(p[1])
            traj.setdefault(pid, []).append((fr, float(p[2]) * scale, float(p[3]) * scale))
    for v in traj.values():
        v.sort()
    return traj


def crossings(traj, y0, xlo, xhi, fps, sign=-1):
    """Times at which a pedestrian crosses y = y0 (downwards for sign -1)
    within x in [xlo, xhi], linearly interpolated; first crossing only."""
    out = []
    for v in traj.values():
        for (f0, x0, ya), (f1, x1, yb) in zip(v, v[1:]):
            if (ya - y0) * sign < 0 <= (yb - y0) * sign or (ya - y0) * sign <= 0 < (yb - y0) * sign:
                if ya == yb:
                    continue
                u = (y0 - ya) / (yb - ya)
                if sign < 0 and not (ya > y0 >= yb):
                    continue
                if sign > 0 and not (ya < y0 <= yb):
                    continue
                x = x0 + u * (x1 - x0)
                if xlo <= x <= xhi:
                    out.append((f0 + u * (f1 - f0)) / fps)
                    break
    return sorted(out)


def by_frame(traj):
    fr = {}
    for pid, v in traj.items():
        for f, x, y in v:
            fr.setdefault(f, []).append((pid, x, y))
    return fr


def speeds(traj, fps, half=5):
    """Speed of each pedestrian at each frame by a centred difference over
    2*half frames (as PedPy's default speed calculation, 10 frames)."""
    sp = {}
    for pid, v in traj.items():
        for k, (f, x, y) in enumerate(v):
            a, b = v[max(0, k - half)], v[min(len(v) - 1, k + half)]
            if b[0] > a[0]:
                sp[(pid, f)] = math.hypot(b[1] - a[1], b[2] - a[2]) * fps / (b[0] - a[0])
    return sp


def bottleneck():
    fps = 25.0
    t = load(os.path.join(DATA, "040_c_56_h-.txt"), 1.0)
    c = crossings(t, 0.0, -0.4, 0.4, fps, sign=-1)
    n = len(c)
    flow = (n - 1) / (c[-1] - c[0])
    # steady part: between the 10th and the (n-10)th crossing
    lo, hi = c[9], c[-10]
    flow_steady = (n - 20 - 1 + 1) / (hi - lo)
    fr = by_frame(t)
    area = 0.8 * 0.8
    dens = []
    for f in sorted(fr):
        if lo * fps <= f <= hi * fps:
            k = sum(1 for _, x, y in fr[f] if -0.4 <= x <= 0.4 and 0.5 <= y <= 1.3)
            dens.append(k / area)
    print("bottleneck_persons %d" % len(t))
    print("bottleneck_crossings %d" % n)
    print("bottleneck_first_last_s %.2f %.2f" % (c[0], c[-1]))
    print("bottleneck_flow_ps %.3f" % flow)
    print("bottleneck_flow_steady_ps %.3f" % flow_steady)
    print("bottleneck_specific_flow_psm %.3f" % (flow / 0.5))
    print("bottleneck_density_front_pm2 %.2f" % (sum(dens) / len(dens)))
    # spread of the time headways: the 10-90 % range of the flow over
    # windows of 10 crossings
    w = sorted(9 / (c[k + 9] - c[k]) for k in range(0, n - 9))
    print("bottleneck_flow_p10_p90_ps %.3f %.3f" % (w[len(w) // 10], w[(9 * len(w)) // 10]))


def corridor(name, f0, f1):
    fps = 16.0
    t = load(os.path.join(DATA, name + ".txt"), 0.01)
    # which way do they walk? mean dy
    dy = sum(v[-1][2] - v[0][2] for v in t.values())
    sign = 1 if dy > 0 else -1
    c = [x for x in crossings(t, 0.0, 0.0, 1.8, fps, sign=sign) if f0 / fps <= x <= f1 / fps]
    flow = (len(c) - 1) / (c[-1] - c[0])
    fr = by_frame(t)
    sp = speeds(t, fps)
    dens, vel = [], []
    for f in range(f0, f1 + 1):
        inside = [(pid, x, y) for pid, x, y in fr.get(f, []) if 0 <= x <= 1.8 and -2 <= y <= 0]
        dens.append(len(inside) / 3.6)
        vel.extend(sp[(pid, f)] for pid, _, _ in inside if (pid, f) in sp)
    rho = sum(dens) / len(dens)
    v = sum(vel) / len(vel)
    key = name.split("-")[1]
    print("corridor_%s_persons %d" % (key, len(t)))
    print("corridor_%s_direction %+d" % (key, sign))
    print("corridor_%s_flow_ps %.3f" % (key, flow))
    print("corridor_%s_specific_flow_psm %.3f" % (key, flow / 1.8))
    print("corridor_%s_density_pm2 %.3f" % (key, rho))
    print("corridor_%s_speed_ms %.3f" % (key, v))
    print("corridor_%s_rho_v_psm %.3f" % (key, rho * v))
    s = sorted(dens)
    print("corridor_%s_density_p10_p90 %.2f %.2f" % (key, s[len(s) // 10], s[(9 * len(s)) // 10]))


def single_file():
    rows = []
    with open(os.path.join(DATA, "01_FD_germany_seyfried2005_all.txt")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            r, v = map(float, line.split())
            rows.append((r, v))
    print("single_file_samples %d" % len(rows))
    for lo in (0.5, 0.75, 1.0, 1.25, 1.5, 1.75):
        b = [v for r, v in rows if lo <= r < lo + 0.25]
        if b:
            m = sum(b) / len(b)
            sd = math.sqrt(sum((x - m) ** 2 for x in b) / max(1, len(b) - 1))
            print("single_file_bin %.2f-%.2f n %d v_mean %.3f v_sd %.3f" % (lo, lo + 0.25, len(b), m, sd))
    # least-squares line of the headway d = 1/rho against v: d = l + T v
    xs = [v for _, v in rows]
    ys = [1 / r for r, _ in rows]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    T = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    print("single_file_headway_fit l_m %.3f T_s %.3f" % (my - T * mx, T))


if __name__ == "__main__":
    what = sys.argv[1:] or ["bottleneck", "corridor", "single"]
    if "bottleneck" in what:
        bottleneck()
    if "corridor" in what:
        corridor("uo-050-180-180", 211, 800)
        corridor("uo-180-180-180", 400, 1284)
    if "single" in what:
        single_file()
