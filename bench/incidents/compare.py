#!/usr/bin/python3
"""bench/incidents/compare.py — the agreement checks of bench/incidents (see
bench/README.md). Each mode prints "key value" lines for bench/incidents/run.

  compare.py gistar AGORA_CSV R_CSV
      agora's `incidents gistar --csv` (ix,iy,x,y,count,z,...) against
      gistar.R's count,z (in agora's cell order). Prints cells, the number of
      cells whose counts differ, cells whose z is undefined in one and not
      the other, max_abs (largest |z_agora - z_R|), max_rel (largest
      |z_agora - z_R| / |z_R| over cells with |z_R| >= 0.01), max_scaled
      (largest |z_agora - z_R| / max(1, |z_R|): the figure held against the
      tolerance) and z_min, z_max.

  compare.py kde AGORA_JSON PEER npy|bin
      agora's `incidents kde --json` values against a peer's grid (a NumPy
      .npy file or R's native doubles), same order and unit (per km²).
      Over the cells where agora's density is at least 1 % of its maximum:
      cells, max_rel and median_rel (|peer - agora| / agora). Over every
      cell: max_abs_of_max (largest |peer - agora| / agora's maximum), and
      the totals of both grids (the mass, times the cell area).

  compare.py knox CSV AGORA_KNOX_JSON AGORA_NR_JSON
      an independent count of the observed pairs (SciPy's cKDTree for the
      distances, NumPy for the time lags) against agora's Knox 2 x 2 table
      and near-repeat table: the same incidents (the CSV's records with a
      date), the same limits (inclusive; bands (a, b], "same location" at
      0 m), Euclidean distance, lags in days. The permutations are not
      checked (no peer shuffles the same way); expected and p-values are
      agora's alone. Prints knox_observed, knox_mismatch (cells of the 2 x 2
      table that differ), nr_cells, nr_mismatch.
SPDX-License-Identifier: EUPL-1.2
"""
import csv
import json
import sys

import numpy as np


def gistar(agora_csv, r_csv):
    with open(agora_csv, newline="") as f:
        rows = list(csv.DictReader(f))
    nx = max(int(r["ix"]) for r in rows) + 1
    for i, r in enumerate(rows):
        if int(r["ix"]) != i % nx or int(r["iy"]) != i // nx:
            sys.exit(f"compare.py: agora's CSV is not in the order iy * nx + ix at line {i + 2}")
    za = np.array([float(r["z"]) if r["z"] not in ("", "nan", "NaN") else np.nan for r in rows])
    ca = np.array([int(r["count"]) for r in rows])
    rd = np.genfromtxt(r_csv, delimiter=",", names=True, dtype=None, encoding="ascii")
    zb = np.asarray(rd["z"], dtype=float)
    cb = np.asarray(rd["count"], dtype=int)
    if len(zb) != len(za):
        sys.exit(f"compare.py: {len(za)} cells from agora, {len(zb)} from R")
    both = np.isfinite(za) & np.isfinite(zb)
    d = np.abs(za - zb)[both]
    big = np.abs(zb[both]) >= 0.01
    print("cells", len(za))
    print("count_mismatch", int(np.sum(ca != cb)))
    print("nan_mismatch", int(np.sum(np.isfinite(za) != np.isfinite(zb))))
    print("max_abs", f"{d.max():.3e}" if d.size else "nan")
    print("max_rel", f"{(d[big] / np.abs(zb[both][big])).max():.3e}" if big.any() else "nan")
    print("max_scaled", f"{(d / np.maximum(1.0, np.abs(zb[both]))).max():.3e}" if d.size else "nan")
    print("z_min", f"{np.nanmin(za):.3f}")
    print("z_max", f"{np.nanmax(za):.3f}")


def kde(agora_json, peer, fmt):
    with open(agora_json) as f:
        a = json.load(f)
    va = np.array(a["values"], dtype=float)
    cell = float(a["grid"]["cell_m"])
    vb = np.load(peer) if fmt == "npy" else np.fromfile(peer, dtype=np.float64)
    if vb.shape != va.shape:
        sys.exit(f"compare.py: {va.size} cells from agora, {vb.size} from the peer")
    top = va.max()
    m = va >= 0.01 * top
    rel = np.abs(vb[m] - va[m]) / va[m]
    area = cell * cell / 1e6
    print("cells", int(m.sum()), "of", va.size)
    print("max_rel", f"{rel.max():.3e}")
    print("median_rel", f"{np.median(rel):.3e}")
    print("max_abs_of_max", f"{np.abs(vb - va).max() / top:.3e}")
    print("mass_agora", f"{va.sum() * area:.2f}")
    print("mass_peer", f"{vb.sum() * area:.2f}")


def knox(csv_path, knox_json, nr_json):
    from scipy.spatial import cKDTree

    with open(knox_json) as f:
        kx = json.load(f)
    with open(nr_json) as f:
        nr = json.load(f)
    xs, ys, days = [], [], []
    with open(csv_path, newline="") as f:
        for r in csv.DictReader(f):
            if r["date"].strip() == "":
                continue
            xs.append(float(r["X"]))
            ys.append(float(r["Y"]))
            days.append(np.datetime64(r["date"][:10], "D").astype(np.int64))
    xy = np.column_stack([xs, ys])
    t = np.array(days, dtype=np.int64)
    n = len(t)
    npairs = n * (n - 1) // 2

    # Pairs close in space, within the largest distance needed.
    p = kx["parameters"]
    q = nr["parameters"]
    reach = max(p["delta_m"], q["band_m"] * q["bands"])
    pairs = cKDTree(xy).query_pairs(reach, output_type="ndarray")
    d = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)
    lag = np.abs(t[pairs[:, 0]] - t[pairs[:, 1]]).astype(float)

    # Time lags of all pairs, by band, from the sorted times: the number of
    # pairs with lag <= L is sum over i of #(j > i with t_j - t_i <= L).
    ts = np.sort(t)

    def pairs_within(limit):
        return int(np.sum(np.searchsorted(ts, ts + limit, side="right") - np.arange(1, n + 1)))

    # Knox 2 x 2.
    s_close = d <= p["delta_m"]
    st = int(np.sum(s_close & (lag <= p["tau_days"])))
    ns = int(np.sum(s_close))
    nt = pairs_within(p["tau_days"])
    mine = [[st, ns - st], [nt - st, npairs - ns - nt + st]]
    theirs = kx["table"]
    print("knox_observed", st, "agora", theirs[0][0])
    print("knox_mismatch", sum(mine[i][j] != theirs[i][j] for i in range(2) for j in range(2)))

    # Near-repeat table: rows same location, (k b, (k+1) b] for k < bands,
    # beyond; columns [0, tb], (k tb, (k+1) tb], beyond.
    b, nb, tb, ntb = q["band_m"], q["bands"], q["band_days"], q["tbands"]
    if q.get("same_m", 0) != 0 or q.get("nrc"):
        sys.exit("compare.py: only --same 0 without --nrc is checked")
    row = np.where(d == 0, 0, np.ceil(d / b).astype(int))       # 1..bands within reach
    col = np.where(lag == 0, 0, np.ceil(lag / tb).astype(int) - 1)
    col = np.minimum(col, ntb)
    table = np.zeros((nb + 2, ntb + 1), dtype=np.int64)
    inside = row <= nb
    np.add.at(table, (row[inside], col[inside]), 1)
    colsum = [pairs_within(tb * (k + 1)) for k in range(ntb)]
    coltot = [colsum[0]] + [colsum[k] - colsum[k - 1] for k in range(1, ntb)]
    coltot.append(npairs - colsum[-1])
    table[nb + 1] = np.array(coltot) - table[: nb + 1].sum(axis=0)
    obs = np.array(nr["observed"], dtype=np.int64)
    print("nr_cells", table.size)
    print("nr_mismatch", int(np.sum(obs != table)) if obs.shape == table.shape else table.size)


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "gistar" and len(sys.argv) == 4:
        gistar(*sys.argv[2:])
    elif mode == "kde" and len(sys.argv) == 5:
        kde(*sys.argv[2:])
    elif mode == "knox" and len(sys.argv) == 5:
        knox(*sys.argv[2:])
    else:
        sys.exit(__doc__.split("\n\n", 1)[1])


if __name__ == "__main__":
    main()
