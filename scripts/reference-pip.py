#!/usr/bin/python3
"""Independent point-in-polygon reference for taskmap's geocoder tests (GEOS via shapely, not taskmap's code).

    reference-pip.py sample BOUNDARIES.geojson N SEED OUT.csv
    reference-pip.py count  BOUNDARIES.geojson [--name-field name] [--lon lon] [--lat lat] CSV [CSV ...]
    reference-pip.py assign BOUNDARIES.geojson [--name-field name] [--lon lon] [--lat lat] --id COL CSV [CSV ...]

Both read a GeoJSON FeatureCollection and repair every invalid geometry with make_valid, keeping only its
polygonal parts (a GeometryCollection becomes the union of its Polygon/MultiPolygon members). "In a polygon"
means GEOS `contains`: a point exactly on a border is in no polygon.

sample: writes N deterministic points as CSV `lon,lat,expected`. Each draw (random.Random(SEED)) picks a feature
  uniformly, then a point uniformly in that feature's bounding box (as given in the file); lon/lat are rounded to
  6 decimals before anything is tested, and written exactly as tested. `expected` is the 1-based index (file
  order) of the feature whose repaired polygon contains the point, empty if none does, `a|b` (ascending) if
  several do. Draws within 1e-7 degrees of any repaired polygon's boundary are dropped and replaced by the next
  draw, so the reference never decides a border case; the output is the first N kept draws of the stream.
count: reads the CSVs (header row; an unnamed first column is fine; UTF-8, BOM allowed) and prints JSON
  {"counts": {name: rows in exactly that feature}, "outside": n, "multiple": n, "unparsed": n, "rows": total}.
  A row in two or more polygons counts in "multiple" and under no name; features sharing a name are summed
  under it (a warning lists such names); rows whose lon/lat is empty or not a finite number are "unparsed".

assign: prints CSV `id,expected,near` for every row: the names of the features containing it ('|'-joined, empty
  if none), and the names of the features whose border lies within 1e-9 degrees of it (empty for almost every
  row): there floating point, not geography, decides the side, so a tested geocoder may give either.

Uses the standard library and shapely (numpy only as shapely's own array type). Works with Debian's shapely
1.8 (shapely.vectorized.contains, per-polygon bounding-box filter) and with shapely 2 (STRtree bulk queries,
contains_xy, intersects).
"""
import argparse
import csv
import json
import math
import random
import sys
import time

import numpy as np  # shapely's own dependency: its vectorised calls take and return numpy arrays
import shapely
from shapely.geometry import GeometryCollection, MultiPolygon, Polygon, shape
from shapely.ops import unary_union

try:
    from shapely import make_valid  # shapely >= 2
except ImportError:  # shapely 1.8
    from shapely.validation import make_valid

SHAPELY2 = hasattr(shapely, "contains_xy")
if not SHAPELY2:
    import shapely.vectorized
    from shapely.geometry import Point

BORDER_EPS = 1e-7  # degrees


# assign: a point this close to a border (degrees, ~0.1 mm) may go to either side; floating point decides it.
BORDER_ASSIGN_EPS = 1e-9


def fail(msg):
    print(f"reference-pip: {msg}", file=sys.stderr)
    sys.exit(2)


def polygonal(geom):
    """The polygonal part of geom after make_valid (an empty Polygon when there is none)."""
    if geom is None or geom.is_empty:
        return Polygon()
    if not geom.is_valid:
        geom = make_valid(geom)
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    if isinstance(geom, GeometryCollection) or hasattr(geom, "geoms"):
        parts = [g for g in geom.geoms if isinstance(g, (Polygon, MultiPolygon)) and not g.is_empty]
        if not parts:
            return Polygon()
        return parts[0] if len(parts) == 1 else unary_union(parts)
    return Polygon()  # a point or line: contains nothing


def load(path):
    """[(properties, geometry as in the file or None, repaired polygonal geometry)] in file order."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{path}: {e}")
    feats = data.get("features") if isinstance(data, dict) else None
    if not isinstance(feats, list):
        fail(f"{path}: not a GeoJSON FeatureCollection")
    out, repaired = [], 0
    for i, ft in enumerate(feats, 1):
        g = ft.get("geometry")
        geom = shape(g) if g else None
        if geom is not None and not geom.is_empty and not geom.is_valid:
            repaired += 1
        out.append((ft.get("properties") or {}, geom, polygonal(geom)))
    empty = sum(1 for _, _, p in out if p.is_empty)
    print(f"reference-pip: {path}: {len(out)} features, {repaired} invalid repaired with make_valid"
          + (f", {empty} with no polygonal area" if empty else ""), file=sys.stderr)
    return out


class Locator:
    """Vectorised point-in-polygon over a fixed list of polygonal geometries."""

    def __init__(self, geoms):
        self.geoms = geoms
        if SHAPELY2:
            self.arr = np.array(geoms, dtype=object)
            self.tree = shapely.STRtree(self.arr)
            shapely.prepare(self.arr)
            self.bnd = shapely.boundary(self.arr)
            self.btree = shapely.STRtree(self.bnd)
            shapely.prepare(self.bnd)
        else:
            b = np.array([g.bounds if not g.is_empty else (np.inf, np.inf, -np.inf, -np.inf) for g in geoms],
                         dtype=float).reshape(-1, 4)
            self.minx, self.miny, self.maxx, self.maxy = b.T
            self.bnd = [None if g.is_empty else g.boundary for g in geoms]

    def _bbox_pairs(self, xs, ys, eps):
        """shapely 1.8: (point index, polygon index) pairs whose polygon bounding box is within eps."""
        for j, g in enumerate(self.geoms):
            if g.is_empty:
                continue
            m = ((xs >= self.minx[j] - eps) & (xs <= self.maxx[j] + eps)
                 & (ys >= self.miny[j] - eps) & (ys <= self.maxy[j] + eps))
            idx = np.nonzero(m)[0]
            if idx.size:
                yield j, idx

    def contains(self, xs, ys):
        """(point index, polygon index) arrays of every pair where the polygon contains the point."""
        if SHAPELY2:
            pi, gi = self.tree.query(shapely.points(xs, ys))  # bounding-box candidates
            hit = shapely.contains_xy(self.arr[gi], xs[pi], ys[pi])
            return pi[hit], gi[hit]
        ps, gs = [], []
        for j, idx in self._bbox_pairs(xs, ys, 0.0):
            hit = shapely.vectorized.contains(self.geoms[j], xs[idx], ys[idx])
            ps.append(idx[hit])
            gs.append(np.full(int(hit.sum()), j))
        if not ps:
            return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
        return np.concatenate(ps), np.concatenate(gs)

    def near_boundary(self, xs, ys, eps):
        """Boolean array: the point lies within eps (Euclidean, degrees) of some polygon's boundary."""
        near = np.zeros(len(xs), dtype=bool)
        if SHAPELY2:
            pts = shapely.points(xs, ys)
            boxes = shapely.box(xs - eps, ys - eps, xs + eps, ys + eps)
            pi, gi = self.btree.query(boxes, predicate="intersects")
            if pi.size:
                close = shapely.distance(self.bnd[gi], pts[pi]) <= eps
                near[pi[close]] = True
            return near
        for j, idx in self._bbox_pairs(xs, ys, eps):
            b = self.bnd[j]
            for i in idx:
                if not near[i] and b.distance(Point(xs[i], ys[i])) <= eps:
                    near[i] = True
        return near


def group_hits(n, pi, gi):
    """Per point, the ascending list of 0-based polygon indices containing it."""
    hits = [[] for _ in range(n)]
    order = np.lexsort((gi, pi))
    for p, g in zip(pi[order].tolist(), gi[order].tolist()):
        hits[p].append(g)
    return hits


def cmd_sample(a):
    t0 = time.monotonic()
    if a.n < 0:
        fail("N must be >= 0")
    feats = load(a.boundaries)
    geoms = [p for _, _, p in feats]
    drawable = [i for i, (_, g, _) in enumerate(feats) if g is not None and not g.is_empty]
    if not drawable:
        fail(f"{a.boundaries}: no feature has a geometry to draw from")
    boxes = [g.bounds if g is not None and not g.is_empty else None for _, g, _ in feats]
    loc = Locator(geoms)
    rng = random.Random(a.seed)
    kept, dropped, draws = [], 0, 0
    while len(kept) < a.n:
        need = a.n - len(kept)
        sx, sy = [], []
        for _ in range(need):
            b = boxes[drawable[rng.randrange(len(drawable))]]
            sx.append(f"{rng.uniform(b[0], b[2]):.6f}")
            sy.append(f"{rng.uniform(b[1], b[3]):.6f}")
        draws += need
        xs = np.array([float(v) for v in sx])
        ys = np.array([float(v) for v in sy])
        near = loc.near_boundary(xs, ys, BORDER_EPS)
        hits = group_hits(need, *loc.contains(xs, ys))
        for i in range(need):
            if near[i]:
                dropped += 1
            else:
                kept.append((sx[i], sy[i], "|".join(str(g + 1) for g in hits[i])))
        if dropped > 1000 + 100 * a.n:
            fail(f"gave up: {dropped} of {draws} draws fell within {BORDER_EPS} of a boundary")
    with open(a.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["lon", "lat", "expected"])
        w.writerows(kept)
    one = sum(1 for k in kept if k[2] and "|" not in k[2])
    several = sum(1 for k in kept if "|" in k[2])
    print(f"reference-pip: sample: {len(kept)} points to {a.out} ({one} in one polygon, "
          f"{len(kept) - one - several} in none, {several} in several); dropped {dropped} of {draws} draws "
          f"within {BORDER_EPS}° of a boundary; {time.monotonic() - t0:.2f} s", file=sys.stderr)


def cmd_count(a):
    t0 = time.monotonic()
    feats = load(a.boundaries)
    names = []
    for i, (props, _, _) in enumerate(feats, 1):
        v = props.get(a.name_field)
        names.append(str(v) if v is not None else f"#{i}")
    missing = sum(1 for props, _, _ in feats if props.get(a.name_field) is None)
    if missing:
        print(f"reference-pip: warning: {missing} features have no '{a.name_field}'; named #<index>",
              file=sys.stderr)
    seen, dup = set(), []
    for nm in names:
        if nm in seen and nm not in dup:
            dup.append(nm)
        seen.add(nm)
    if dup:
        print(f"reference-pip: warning: {len(dup)} names are shared by several features, their counts are "
              f"summed: {', '.join(dup[:10])}{' …' if len(dup) > 10 else ''}", file=sys.stderr)

    _, xs, ys, rows, unparsed = read_points(a.csv, a.lon, a.lat)
    loc = Locator([p for _, _, p in feats])
    pi, gi = loc.contains(np.array(xs, dtype=float), np.array(ys, dtype=float))
    per_point = np.bincount(pi, minlength=len(xs)) if len(xs) else np.zeros(0, dtype=int)
    single = per_point[pi] == 1
    per_feat = np.bincount(gi[single], minlength=len(feats)).tolist()
    counts = {}
    for nm, c in zip(names, per_feat):
        counts[nm] = counts.get(nm, 0) + c
    result = {"counts": counts, "outside": int((per_point == 0).sum()), "multiple": int((per_point > 1).sum()),
              "unparsed": unparsed, "rows": rows}
    sys.stdout.buffer.write((json.dumps(result, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    print(f"reference-pip: count: {rows} rows from {len(a.csv)} files, {sum(per_feat)} in exactly one polygon, "
          f"{result['outside']} in none, {result['multiple']} in several, {unparsed} unparsed; "
          f"{time.monotonic() - t0:.2f} s", file=sys.stderr)


def read_points(paths, lon, lat, id_col=None):
    """(ids, xs, ys, rows, unparsed) of every row of the CSVs; ids only when id_col is given."""
    ids, xs, ys, rows, unparsed = [], [], [], 0, 0
    for path in paths:
        try:
            with open(path, newline="", encoding="utf-8-sig") as f:
                r = csv.reader(f)
                header = next(r, None)
                if header is None:
                    continue
                try:
                    ix, iy = header.index(lon), header.index(lat)
                    ii = header.index(id_col) if id_col else None
                except ValueError:
                    fail(f"{path}: header has no column '{lon}', '{lat}'" + (f" or '{id_col}'" if id_col else "") + f": {header}")
                for row in r:
                    if not row:
                        continue
                    rows += 1
                    try:
                        x, y = float(row[ix]), float(row[iy])
                    except (IndexError, ValueError):
                        unparsed += 1
                        continue
                    if not (math.isfinite(x) and math.isfinite(y)):
                        unparsed += 1
                        continue
                    xs.append(x)
                    ys.append(y)
                    if ii is not None:
                        ids.append(row[ii])
        except (OSError, UnicodeDecodeError, csv.Error) as e:
            fail(f"{path}: {e}")
    return ids, xs, ys, rows, unparsed


def cmd_assign(a):
    """Per row: its id, the names of the features containing it, and the names of the features whose border
    lies within BORDER_ASSIGN_EPS (a point there may fairly be given to either side)."""
    t0 = time.monotonic()
    feats = load(a.boundaries)
    names = [str(p.get(a.name_field, f"#{i}")) for i, (p, _, _) in enumerate(feats, 1)]
    ids, xs, ys, rows, unparsed = read_points(a.csv, a.lon, a.lat, a.id)
    X, Y = np.array(xs, dtype=float), np.array(ys, dtype=float)
    loc = Locator([p for _, _, p in feats])
    hits = group_hits(len(xs), *loc.contains(X, Y))
    near = [[] for _ in xs]
    eps = BORDER_ASSIGN_EPS
    for j, (_, _, g) in enumerate(feats):
        if g.is_empty:
            continue
        # In the polygon grown by eps but not in the one shrunk by eps: within eps of its border.
        outer, inner = g.buffer(eps), g.buffer(-eps)
        bx0, by0, bx1, by1 = outer.bounds
        idx = np.nonzero((X >= bx0) & (X <= bx1) & (Y >= by0) & (Y <= by1))[0]
        if idx.size == 0:
            continue
        if SHAPELY2:
            a_in = shapely.contains_xy(outer, X[idx], Y[idx])
            b_in = shapely.contains_xy(inner, X[idx], Y[idx]) if not inner.is_empty else np.zeros(idx.size, dtype=bool)
        else:
            a_in = shapely.vectorized.contains(outer, X[idx], Y[idx])
            b_in = shapely.vectorized.contains(inner, X[idx], Y[idx]) if not inner.is_empty else np.zeros(idx.size, dtype=bool)
        for i in idx[a_in & ~b_in].tolist():
            near[i].append(j)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["id", "expected", "near"])
    border = 0
    for i in range(len(xs)):
        if near[i]:
            border += 1
        out.writerow([ids[i], "|".join(names[g] for g in hits[i]), "|".join(sorted(names[g] for g in near[i]))])
    print(f"reference-pip: assign: {rows} rows, {border} within {eps}° of a border, {unparsed} unparsed; "
          f"{time.monotonic() - t0:.2f} s", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample", help="deterministic random points with the containing feature's index")
    s.add_argument("boundaries")
    s.add_argument("n", type=int)
    s.add_argument("seed", type=int)
    s.add_argument("out")
    c = sub.add_parser("count", help="rows per feature of lon/lat CSVs, as JSON")
    c.add_argument("boundaries")
    c.add_argument("--name-field", default="name")
    c.add_argument("--lon", default="lon")
    c.add_argument("--lat", default="lat")
    c.add_argument("csv", nargs="+")
    g = sub.add_parser("assign", help="per row: id, containing feature names, feature borders within 1e-9°")
    g.add_argument("boundaries")
    g.add_argument("--name-field", default="name")
    g.add_argument("--lon", default="lon")
    g.add_argument("--lat", default="lat")
    g.add_argument("--id", required=True)
    g.add_argument("csv", nargs="+")
    a = ap.parse_args()
    {"sample": cmd_sample, "count": cmd_count, "assign": cmd_assign}[a.cmd](a)


if __name__ == "__main__":
    main()
