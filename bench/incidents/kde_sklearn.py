#!/usr/bin/python3
"""bench/incidents/kde_sklearn.py — a B of the kernel density comparison (see
bench/README.md): scikit-learn's KernelDensity at agora's cell centres.

Usage: kde_sklearn.py POINTS X0 Y0 CELL NX NY BANDWIDTH RTOL OUT

  POINTS   CSV without a header, x,y per line: the points' plane coordinates
           exported from agora's database (the same numbers agora uses)
  X0 Y0 CELL NX NY
           the grid (south-west corner, cell size, columns, rows): cell (ix,
           iy) has its centre at (X0 + (ix + 0.5) CELL, Y0 + (iy + 0.5) CELL)
  BANDWIDTH  the Gaussian's sigma in metres
  RTOL     KernelDensity's rtol (0: exact; 1e-8: each value within a relative
           1e-8 of the exact sum); atol is 0
  OUT      written: the densities as a NumPy .npy file of NX * NY doubles in
           agora's order (row by row from the south-west), in points per km²

Prints on stdout "time_compute S": fit and score_samples alone, without
reading the points or writing the result. KernelDensity returns the log of a
density that integrates to 1; exp(log) * n * 1e6 is points per km².
SPDX-License-Identifier: EUPL-1.2
"""
import sys
import time

import numpy as np
from sklearn.neighbors import KernelDensity


def main():
    if len(sys.argv) != 10:
        sys.exit(__doc__.split("\n\n")[1])
    points_csv, out = sys.argv[1], sys.argv[9]
    x0, y0, cell = (float(a) for a in sys.argv[2:5])
    nx, ny = int(sys.argv[5]), int(sys.argv[6])
    bandwidth, rtol = float(sys.argv[7]), float(sys.argv[8])

    pts = np.loadtxt(points_csv, delimiter=",", dtype=np.float64, ndmin=2)
    gx, gy = np.meshgrid(x0 + (np.arange(nx) + 0.5) * cell, y0 + (np.arange(ny) + 0.5) * cell)
    centres = np.column_stack([gx.ravel(), gy.ravel()])   # row by row from the south-west

    t = time.perf_counter()
    kd = KernelDensity(kernel="gaussian", bandwidth=bandwidth, rtol=rtol, atol=0.0)
    kd.fit(pts)
    log_density = kd.score_samples(centres)
    t = time.perf_counter() - t

    np.save(out, np.exp(log_density) * len(pts) * 1e6)
    print(f"points {len(pts)}")
    print(f"time_compute {t:.6f}")


if __name__ == "__main__":
    main()
