#!/usr/bin/env python3
"""Checks data/sample-parcels/ (Python 3 standard library only; uses ogrinfo for GEOS validity when present).

    scripts/check-sample-district.py [DIR]

Mahalle: counts and properties, rings closed and oriented (outer counter-clockwise), no self-intersections,
borders shared vertex for vertex (every inner edge used by exactly two mahalle in opposite directions, and the
edges used once form a single outline: no gaps, slivers or T-junctions), a grid of sample points over the
box each in exactly one mahalle, and outside the box in at most one.
Parcels: counts and properties, convex and closed, inside the mahalle they name (no corner outside, no edge
crossing its border), no two overlapping (edge crossings and vertices inside; shared edges are fine), door numbers unique
per street. Categories: header, the codes the benchmark peers use, Turkish text intact.
Exits 1 and lists what failed.
"""
import csv
import json
import math
import os
import shutil
import subprocess
import sys

BOX = (36.85, 37.52, 37.05, 37.66)
PEER_CODES = ["yol", "temizlik", "park", "su", "aydinlatma", "ulasim", "zabita", "kar", "cop", "kaldirim",
              "gurultu", "diger"]
failures = []


def fail(msg):
    failures.append(msg)


def ring_area(r):
    return sum(r[i][0] * r[i + 1][1] - r[i + 1][0] * r[i][1] for i in range(len(r) - 1)) / 2


def orient(p, q, r):
    v = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    return (v > 0) - (v < 0)


def on_seg(p, q, r):
    return min(p[0], r[0]) <= q[0] <= max(p[0], r[0]) and min(p[1], r[1]) <= q[1] <= max(p[1], r[1])


def touch(a, b, c, d):
    o1, o2, o3, o4 = orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
    if o1 != o2 and o3 != o4:
        return True
    return ((o1 == 0 and on_seg(a, c, b)) or (o2 == 0 and on_seg(a, d, b)) or
            (o3 == 0 and on_seg(c, a, d)) or (o4 == 0 and on_seg(c, b, d)))


def ring_simple(r):
    """No two edges touch except consecutive ones at their shared vertex. O(n²), rings are small."""
    n = len(r) - 1
    for i in range(n):
        a, b = r[i], r[i + 1]
        for j in range(i + 1, n):
            c, d = r[j], r[j + 1]
            if j == i + 1 or (i == 0 and j == n - 1):
                # Adjacent: only the shared vertex, and not folding back onto each other.
                shared = b if j == i + 1 else a
                other = d if j == i + 1 else c
                far = a if j == i + 1 else b
                if orient(far, shared, other) == 0 and (on_seg(far, other, shared) or on_seg(shared, far, other)):
                    return False
                continue
            if touch(a, b, c, d):
                return False
    return True


def in_ring(p, r):
    x, y = p
    c = False
    j = len(r) - 1
    for i in range(len(r)):
        xi, yi = r[i]
        xj, yj = r[j]
        if (yi > y) != (yj > y) and x < xi + (y - yi) * (xj - xi) / (yj - yi):
            c = not c
        j = i
    return c


class Shape:
    def __init__(self, polys):
        self.polys = polys   # [[outer, hole...], ...]
        xs = [p[0] for rs in polys for p in rs[0]]
        ys = [p[1] for rs in polys for p in rs[0]]
        self.bbox = (min(xs), min(ys), max(xs), max(ys))

    def contains(self, p):
        b = self.bbox
        if not (b[0] <= p[0] <= b[2] and b[1] <= p[1] <= b[3]):
            return False
        for rs in self.polys:
            inside = False
            for r in rs:
                if in_ring(p, r):
                    inside = not inside
            if inside:
                return True
        return False

    def edges(self):
        for rs in self.polys:
            for r in rs:
                for i in range(len(r) - 1):
                    yield r[i], r[i + 1]


def polys_of(geom):
    if geom["type"] == "Polygon":
        return [geom["coordinates"]]
    if geom["type"] == "MultiPolygon":
        return geom["coordinates"]
    raise ValueError(geom["type"])


def to_t(rings):
    return [[[tuple(p) for p in r] for r in rs] for rs in rings]


def check_mahalle(path):
    fc = json.load(open(path, encoding="utf-8"))
    feats = fc["features"]
    n = len(feats)
    if not 30 <= n <= 36:
        fail(f"mahalle: {n} features, expected 30-36")
    names, codes, shapes = {}, set(), []
    districts = {}
    small = 0
    for i, f in enumerate(feats):
        pr = f["properties"]
        where = f"mahalle feature {i} ({pr.get('name')})"
        for k in ("name", "code", "population", "district"):
            if k not in pr:
                fail(f"{where}: missing '{k}'")
        key = (pr["district"], pr["name"])
        if key in names:
            fail(f"{where}: name repeated in {pr['district']}")
        names[key] = i
        if pr["code"] in codes:
            fail(f"{where}: code {pr['code']} repeated")
        codes.add(pr["code"])
        pop = pr["population"]
        if not (isinstance(pop, int) and 2000 <= pop <= 45000):
            fail(f"{where}: population {pop} outside 2,000-45,000")
        small += pop < 3000
        districts[pr["district"]] = districts.get(pr["district"], 0) + 1
        polys = to_t(polys_of(f["geometry"]))
        for rs in polys:
            for k, r in enumerate(rs):
                if len(r) < 4 or r[0] != r[-1]:
                    fail(f"{where}: ring {k} not closed or too short")
                    continue
                a = ring_area(r)
                if (k == 0 and a <= 0) or (k > 0 and a >= 0):
                    fail(f"{where}: ring {k} has the wrong orientation (outer rings counter-clockwise)")
                if not ring_simple(r):
                    fail(f"{where}: ring {k} self-intersects")
                for p in r:
                    if round(p[0], 6) != p[0] or round(p[1], 6) != p[1]:
                        fail(f"{where}: coordinates not rounded to 6 decimals")
                        break
        shapes.append(Shape(polys))
    if len(districts) < 2:
        fail(f"mahalle: {len(districts)} district(s), expected two or more")
    if not 1 <= small <= 2:
        fail(f"mahalle: {small} with population under 3,000, expected one or two")

    # Shared borders: every undirected edge used once (outline) or twice by two mahalle in opposite directions.
    uses = {}
    for i, s in enumerate(shapes):
        for a, b in s.edges():
            uses.setdefault((min(a, b), max(a, b)), []).append((i, a, b))
    inner = outline = 0
    nxt = {}
    for key, us in uses.items():
        if len(us) == 1:
            outline += 1
            _, a, b = us[0]
            if a in nxt:
                fail(f"mahalle: the outline passes {a} twice")
            nxt[a] = b
        elif len(us) == 2 and us[0][0] != us[1][0] and us[0][1] == us[1][2]:
            inner += 1
        else:
            fail(f"mahalle: edge {key} used {len(us)} times by {[u[0] for u in us]}")
    loops = 0
    while nxt:
        start = next(iter(nxt))
        v = nxt.pop(start)
        while v != start:
            if v not in nxt:
                fail("mahalle: the outline does not close")
                break
            v = nxt.pop(v)
        loops += 1
    if loops != 1:
        fail(f"mahalle: edges used once form {loops} loops; expected 1 (the outline): gaps, slivers or T-junctions")

    # Coverage: sample points (offsets chosen off the 6-decimal lattice).
    lon0, lat0, lon1, lat1 = BOX
    step = 0.0013
    in_box = out_box = 0
    holes = multi = 0
    xs = [min(s.bbox[0] for s in shapes), max(s.bbox[2] for s in shapes)]
    ys = [min(s.bbox[1] for s in shapes), max(s.bbox[3] for s in shapes)]
    x = xs[0] + 0.000_123_7
    while x < xs[1]:
        y = ys[0] + 0.000_071_3
        while y < ys[1]:
            hits = sum(1 for s in shapes if s.contains((x, y)))
            if lon0 <= x <= lon1 and lat0 <= y <= lat1:
                in_box += 1
                if hits == 0:
                    holes += 1
                elif hits > 1:
                    multi += 1
            else:
                out_box += 1
                if hits > 1:
                    multi += 1
            y += step
        x += step
    if holes:
        fail(f"coverage: {holes} of {in_box} sample points in the box are in no mahalle")
    if multi:
        fail(f"overlap: {multi} sample points are in more than one mahalle")
    total_pop = sum(f["properties"]["population"] for f in feats)
    n_multi = sum(1 for f in feats if f["geometry"]["type"] == "MultiPolygon")
    print(f"mahalle: {n} ({', '.join(f'{d} {c}' for d, c in districts.items())}; {n_multi} MultiPolygon), "
          f"population {total_pop:,}, {small} under 3,000; borders: {inner} shared edges, {outline} outline edges "
          f"in {loops} loop; sample points: {in_box} in the box each in exactly one mahalle "
          f"({holes} in none, {multi} in two), {out_box} around it")
    print(f"mahalle bbox: lon {xs[0]:.6f}..{xs[1]:.6f}, lat {ys[0]:.6f}..{ys[1]:.6f}")
    return feats, shapes


def strictly_inside(p, ring, verts):
    """Inside `ring` and not one of its vertices (neighbouring parcels share their boundary vertices exactly)."""
    return p not in verts and in_ring(p, ring)


def proper_crossing(a, b, c, d):
    return orient(a, b, c) * orient(a, b, d) < 0 and orient(c, d, a) * orient(c, d, b) < 0


def overlap(p, q, pv, qv):
    """Two simple rings whose shared boundaries use the same vertices overlap when an edge of one properly
    crosses an edge of the other, a vertex of one lies strictly inside the other, or an interior point of one
    (the midpoint of a diagonal-ish chord) lies inside the other."""
    for i in range(len(p) - 1):
        for j in range(len(q) - 1):
            if proper_crossing(p[i], p[i + 1], q[j], q[j + 1]):
                return True
    if any(strictly_inside(v, q, qv) for v in p[:-1]) or any(strictly_inside(v, p, pv) for v in q[:-1]):
        return True
    return interior_point(p) in qv or in_ring(interior_point(p), q) or in_ring(interior_point(q), p)


def interior_point(r):
    """A point inside a (nearly) convex ring: the mean of its vertices."""
    n = len(r) - 1
    return (sum(v[0] for v in r[:-1]) / n, sum(v[1] for v in r[:-1]) / n)


def check_parcels(path, feats, shapes):
    fc = json.load(open(path, encoding="utf-8"))
    ps = fc["features"]
    if not 3000 <= len(ps) <= 6000:
        fail(f"parcels: {len(ps)}, expected 3,000-6,000")
    by_name = {}
    for i, f in enumerate(feats):
        by_name.setdefault(f["properties"]["name"], []).append(i)
    rings, bboxes = [], []
    doors = {}
    bad_inside = 0
    per_mahalle = {}
    for i, f in enumerate(ps):
        pr = f["properties"]
        where = f"parcel feature {i}"
        for k in ("ada", "parsel", "street", "door", "mahalle"):
            if not isinstance(pr.get(k), str) or not pr[k]:
                fail(f"{where}: missing '{k}'")
        if f["geometry"]["type"] != "Polygon" or len(f["geometry"]["coordinates"]) != 1:
            fail(f"{where}: not a one-ring Polygon")
        r = [tuple(p) for p in f["geometry"]["coordinates"][0]]
        if r[0] != r[-1] or ring_area(r) <= 0 or not ring_simple(r):
            fail(f"{where}: ring not closed, simple and counter-clockwise")
        rings.append(r)
        bboxes.append((min(p[0] for p in r), min(p[1] for p in r), max(p[0] for p in r), max(p[1] for p in r)))
        key = (pr["street"], pr["door"])
        if key in doors:
            fail(f"{where}: door {pr['door']} on {pr['street']} repeats feature {doors[key]}")
        doors[key] = i
        base = pr["door"].split("/")[0]
        if not base.isdigit():
            fail(f"{where}: door '{pr['door']}' is not a number (with an optional /A)")
        # Inside the named mahalle: all corners inside, no edge touching its border.
        idx = [j for j in by_name.get(pr["mahalle"], [])
               if feats[j]["properties"]["district"] == pr.get("district", feats[j]["properties"]["district"])]
        if len(idx) != 1:
            fail(f"{where}: names mahalle '{pr['mahalle']}' in '{pr.get('district', '?')}': "
                 f"{'no such mahalle' if not idx else 'ambiguous'}")
            continue
        s = shapes[idx[0]]
        per_mahalle[pr["mahalle"]] = per_mahalle.get(pr["mahalle"], 0) + 1
        ok = all(s.contains(p) for p in r[:-1])
        if ok:
            bb = bboxes[-1]
            for a, b in s.edges():
                if max(a[0], b[0]) < bb[0] or min(a[0], b[0]) > bb[2] or max(a[1], b[1]) < bb[1] or min(a[1], b[1]) > bb[3]:
                    continue
                if any(touch(a, b, r[k], r[k + 1]) for k in range(len(r) - 1)):
                    ok = False
                    break
        if not ok:
            bad_inside += 1
            if bad_inside <= 5:
                fail(f"{where}: not inside its mahalle '{pr['mahalle']}'")

    # Overlaps, with a bucket grid on the bounding boxes.
    cell = 0.002
    buckets = {}
    for i, b in enumerate(bboxes):
        for gx in range(int(b[0] / cell), int(b[2] / cell) + 1):
            for gy in range(int(b[1] / cell), int(b[3] / cell) + 1):
                buckets.setdefault((gx, gy), []).append(i)
    pairs = overlaps = 0
    seen = set()
    vsets = [set(r) for r in rings]
    for ids in buckets.values():
        for x in range(len(ids)):
            for y in range(x + 1, len(ids)):
                i, j = ids[x], ids[y]
                if (i, j) in seen:
                    continue
                seen.add((i, j))
                a, b = bboxes[i], bboxes[j]
                if a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]:
                    continue
                pairs += 1
                if overlap(rings[i], rings[j], vsets[i], vsets[j]):
                    overlaps += 1
                    if overlaps <= 5:
                        fail(f"parcels {i} and {j} overlap")
    if overlaps:
        fail(f"parcels: {overlaps} overlapping pairs")
    if bad_inside:
        fail(f"parcels: {bad_inside} not inside their mahalle")
    streets = {p["properties"]["street"] for p in ps}
    adas = {(p["properties"]["mahalle"], p["properties"]["ada"]) for p in ps}
    slash = sum(1 for p in ps if "/" in p["properties"]["door"])
    print(f"parcels: {len(ps)} in {len(per_mahalle)} mahalle, {len(adas)} ada, {len(streets)} streets, "
          f"{slash} doors with /A; {bad_inside} outside their mahalle; {pairs} touching-or-near pairs tested, "
          f"{overlaps} overlapping")


def check_categories(path):
    raw = open(path, "rb").read()
    text = raw.decode("utf-8")
    rows = list(csv.reader(text.splitlines()))
    if rows[0] != ["code", "name_tr", "name_en", "department"]:
        fail(f"categories: header {rows[0]}")
    codes = [r[0] for r in rows[1:]]
    if len(set(codes)) != len(codes):
        fail("categories: repeated code")
    for c in codes:
        if not (c.isascii() and c == c.lower() and c.isalnum()):
            fail(f"categories: code '{c}' is not lowercase ASCII")
    missing = [c for c in PEER_CODES if c not in codes]
    if missing:
        fail(f"categories: missing the peers' codes {missing}")
    for r in rows[1:]:
        if len(r) != 4 or not all(r):
            fail(f"categories: row {r}")
    letters = set("İığşçöüĞŞÇÖÜ") & set(text)
    print(f"categories: {len(codes)} codes, Turkish letters present: {''.join(sorted(letters))}")


def check_geos(path):
    """GEOS validity of every polygon through ogrinfo's SQLite dialect, when ogrinfo is installed."""
    if not shutil.which("ogrinfo"):
        print("geos: ogrinfo not installed, skipped")
        return
    for layer, f in (("mahalle", path), ("parcels", path.replace("mahalle.geojson", "parcels.geojson"))):
        sql = f"SELECT count(*) AS n, sum(ST_IsValid(geometry)) AS valid FROM \"{layer}\""
        out = subprocess.run(["ogrinfo", "-ro", "-q", "-dialect", "SQLite", "-sql", sql, f],
                             capture_output=True, text=True)
        vals = dict(line.strip().split(" (Integer) = ") for line in out.stdout.splitlines() if "(Integer) =" in line)
        if out.returncode != 0 or "n" not in vals:
            print(f"geos: ogrinfo could not run ST_IsValid on {layer}: {out.stderr.strip()[:200]}; skipped")
            continue
        if vals["n"] != vals.get("valid"):
            fail(f"geos: {layer}: {vals.get('valid')} of {vals['n']} geometries valid")
        print(f"geos: {layer}: {vals.get('valid')} of {vals['n']} valid (ST_IsValid)")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "data", "sample-parcels")
    feats, shapes = check_mahalle(os.path.join(d, "mahalle.geojson"))
    check_parcels(os.path.join(d, "parcels.geojson"), feats, shapes)
    check_categories(os.path.join(d, "categories.csv"))
    check_geos(os.path.join(d, "mahalle.geojson"))
    if failures:
        print(f"\nFAILED ({len(failures)}):")
        for f in failures:
            print("  " + f)
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
