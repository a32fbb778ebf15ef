#!/usr/bin/python3
"""bench/incidents/million.py — the one million points of the large kernel
density (see bench/README.md), made from the NYC vehicle thefts.

Usage: million.py POINTS N SIGMA SEED DX DY OUT_CSV OUT_XY

  POINTS   CSV without a header, x,y per line: the NYC thefts' plane
           coordinates exported from agora's database (metres)
  N        how many points to make (1000000)
  SIGMA    the jitter, a Gaussian's standard deviation in metres (50)
  SEED     the seed of NumPy's PCG64 generator: the same seed, the same points
  DX DY    added to every point (metres): they move the local plane to where
           New York lies in UTM zone 18N, so that the file is imported with
           --crs EPSG:32618 (agora then keeps the coordinates as they are)
  OUT_CSV  written: the points with a header line "x,y", in millimetres
  OUT_XY   written: the same points without a header (for spatstat)

The thefts are repeated in their order until there are N (28 rounds for
35,746 points, the last one cut short), and each copy is moved by an
independent Gaussian jitter in x and y.
SPDX-License-Identifier: EUPL-1.2
"""
import sys

import numpy as np


def main():
    if len(sys.argv) != 9:
        sys.exit(__doc__.split("\n\n")[1])
    points_csv, out_csv, out_xy = sys.argv[1], sys.argv[7], sys.argv[8]
    n, sigma, seed = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    dx, dy = float(sys.argv[5]), float(sys.argv[6])

    base = np.loadtxt(points_csv, delimiter=",", dtype=np.float64, ndmin=2)
    rng = np.random.Generator(np.random.PCG64(seed))
    pts = np.resize(base, (n, 2)) + rng.normal(0.0, sigma, size=(n, 2)) + (dx, dy)
    pts = np.round(pts, 3)
    np.savetxt(out_csv, pts, fmt="%.3f", delimiter=",", header="x,y", comments="")
    np.savetxt(out_xy, pts, fmt="%.3f", delimiter=",")
    print(f"points {n}")
    print(f"bbox {pts[:, 0].min():.3f} {pts[:, 1].min():.3f} {pts[:, 0].max():.3f} {pts[:, 1].max():.3f}")


if __name__ == "__main__":
    main()
