#!/usr/bin/env python3
"""Gi* cross-check fixtures for NeedsAnalysis: PySAL (libpysal Queen + esda G_Local) on small polygon sets.

Writes Tests/NeedsAnalysisTests/Fixtures/pysal-gistar.json. The Swift tests read that file; they never run Python.
Re-run after changing the cases:  pip install esda libpysal geopandas && python3 scripts/pysal-fixtures.py

Cases
  irregular  5x5 jittered lattice (shared corner vertices give diagonal "vertex only" neighbours), cell (2,2)
             split into two triangles, cell (4,4) removed, extra vertices on some shared edges (present in both
             polygons), one far-away island. Values: Poisson counts and rates.
  lattice    6x7 regular grid, libpysal lat2W(rook=False) (queen on a grid), Poisson counts.
  sample     the sample district's mahalle (data/sample-parcels/mahalle.geojson): libpysal Queen neighbours by code.
For every case and value set: esda.G_Local(y, w, transform=T, star=True, permutations=0) for T in B and R,
with Gs, EGs, VGs, Zs and p_norm (one-sided: 1 - Phi(|z|)).
"""
import json
import os
import sys
import warnings

import numpy as np
import esda
import libpysal
from libpysal.weights import Queen, W, lat2W
from shapely.geometry import Polygon, mapping

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "NeedsAnalysisTests", "Fixtures", "pysal-gistar.json")
warnings.filterwarnings("ignore")


def r7(v):
    return round(float(v), 7)


def irregular_polygons():
    rng = np.random.default_rng(20240601)
    n = 5
    lon0, lat0, step = 36.90, 37.55, 0.01
    # Jittered lattice vertices, shared by every cell that uses them.
    pts = [[(r7(lon0 + i * step + rng.uniform(-0.002, 0.002) * (0 < i < n)),
             r7(lat0 + j * step + rng.uniform(-0.002, 0.002) * (0 < j < n))) for j in range(n + 1)] for i in range(n + 1)]
    # Midpoints inserted on the vertical edge x=i between rows j and j+1 for a few (i, j): both cells get the vertex.
    mids = {(1, 0), (3, 2), (2, 4)}

    def midpoint(a, b):
        return (r7((a[0] + b[0]) / 2), r7((a[1] + b[1]) / 2))

    polys, labels = [], []
    for i in range(n):
        for j in range(n):
            if (i, j) == (4, 4):
                continue
            sw, se, ne, nw = pts[i][j], pts[i + 1][j], pts[i + 1][j + 1], pts[i][j + 1]
            # Ring: sw -> se -> (mid on east edge) -> ne -> nw -> (mid on west edge) -> sw
            ring = [sw, se]
            if (i + 1, j) in mids:
                ring.append(midpoint(se, ne))
            ring.append(ne)
            ring.append(nw)
            if (i, j) in mids:
                ring.append(midpoint(nw, sw))
            if (i, j) == (2, 2):
                # Two triangles sharing the sw-ne diagonal.
                polys.append(Polygon([sw, se, ne, sw])); labels.append(f"c{i}{j}a")
                polys.append(Polygon([sw, ne, nw, sw])); labels.append(f"c{i}{j}b")
                continue
            polys.append(Polygon(ring + [ring[0]])); labels.append(f"c{i}{j}")
    # An island 0.5 degrees east.
    polys.append(Polygon([(37.5, 37.5), (37.51, 37.5), (37.51, 37.51), (37.5, 37.51), (37.5, 37.5)])); labels.append("island")
    return polys, labels


def nulls(a):
    """JSON has no NaN: undefined values (esda gives islands no self-weight under 'R') become null."""
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(a, dtype=float)]


def esda_runs(y, make_w):
    out = {}
    g_r = esda.G_Local(np.asarray(y, dtype=float), make_w(), transform="R", star=True, permutations=0)
    for t in ("B", "R"):
        g = esda.G_Local(np.asarray(y, dtype=float), make_w(), transform=t, star=True, permutations=0)
        out[t] = {"Gs": nulls(g.Gs), "EGs": nulls(np.broadcast_to(g.EGs, g.Gs.shape)),
                  "VGs": nulls(g.VGs), "Zs": nulls(g.Zs), "p_norm": nulls(g.p_norm)}
    # The documented call without a transform is transform='R'.
    d = esda.G_Local(np.asarray(y, dtype=float), make_w(), star=True, permutations=0)
    assert np.allclose(d.Zs, g_r.Zs, equal_nan=True)
    return out


def neighbour_lists(w, order):
    return [sorted(int(order.index(j)) for j in w.neighbors[k]) for k in order]


def main():
    rng = np.random.default_rng(7)
    cases = []

    polys, labels = irregular_polygons()
    wq = Queen.from_iterable(polys)
    order = list(range(len(polys)))
    nb = neighbour_lists(wq, order)
    counts = rng.poisson(lam=np.linspace(3, 30, len(polys))).tolist()
    pops = rng.integers(2000, 20000, len(polys)).tolist()
    rates = [1000.0 * c / p for c, p in zip(counts, pops)]
    cases.append({
        "name": "irregular",
        "labels": labels,
        "polygons": [[list(map(list, p.exterior.coords))] for p in polys],
        "neighbours": nb,
        "values": {"counts": counts, "rates": rates},
        "esda": {"counts": esda_runs(counts, lambda: Queen.from_iterable(polys)),
                 "rates": esda_runs(rates, lambda: Queen.from_iterable(polys))},
    })

    rows, cols = 6, 7
    lat_counts = rng.poisson(lam=4, size=rows * cols).tolist()
    lat_counts[10] += 25; lat_counts[11] += 18; lat_counts[17] += 20  # a planted hot spot
    wl = lat2W(rows, cols, rook=False)
    cases.append({
        "name": "lattice",
        "rows": rows, "columns": cols,
        "neighbours": [sorted(wl.neighbors[i]) for i in range(rows * cols)],
        "values": {"counts": lat_counts},
        "esda": {"counts": esda_runs(lat_counts, lambda: lat2W(rows, cols, rook=False))},
    })

    import geopandas as gpd
    gdf = gpd.read_file(os.path.join(ROOT, "data", "sample-parcels", "mahalle.geojson"))
    ws = Queen.from_dataframe(gdf, use_index=False)
    codes = gdf["code"].tolist()
    sample_nb = {codes[i]: sorted(codes[j] for j in ws.neighbors[i]) for i in range(len(codes))}
    sample_pop = gdf["population"].astype(float).tolist()
    sample_vals = rng.poisson(lam=np.asarray(sample_pop) / 1000.0).tolist()
    sample_rates = [1000.0 * v / p if p > 0 else 0.0 for v, p in zip(sample_vals, sample_pop)]
    cases.append({
        "name": "sample",
        "codes": codes,
        "neighboursByCode": sample_nb,
        "values": {"rates": sample_rates},
        "esda": {"rates": esda_runs(sample_rates, lambda: Queen.from_dataframe(gdf, use_index=False))},
    })

    doc = {
        "generator": "scripts/pysal-fixtures.py",
        "versions": {"esda": esda.__version__, "libpysal": libpysal.__version__, "numpy": np.__version__,
                     "python": sys.version.split()[0]},
        "call": "esda.G_Local(y, w, transform=T, star=True, permutations=0); w from libpysal Queen / lat2W",
        "cases": cases,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
