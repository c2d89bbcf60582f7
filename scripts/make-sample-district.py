#!/usr/bin/env python3
"""Writes the synthetic sample district into data/sample-parcels/ (Python 3 standard library only).

    scripts/make-sample-district.py [--out DIR] [--seed N]

Two fictional districts (ilçe), Kuzeykent and Güneyyaka, covering lon 36.85-37.05, lat 37.52-37.66 (the box
`shared/peers/gen_points.py` fills with benchmark points) and a little beyond. Everything is invented: the
names are common Turkish mahalle and street names, the geometry is generated here. Same seed, same bytes.

How the geometry is made
1. A brick (topologically hexagonal) grid of ~400 m cells in a local metric frame; every vertex is shared by
   exactly three cells, so merged regions never touch themselves at a corner. Vertices are jittered, and each
   cell edge gets one jittered midpoint, shared by both cells on either side.
2. 34 seeds on rings around the centre (one old-town seed, then 7, 11 and 15 further out). Regions grow from
   them over the cell graph (competitive Dijkstra, outer seeds grow faster), so centre mahalle are small and
   edge mahalle large, and each region is connected. A region's boundary is traced from the cell edges that
   are not shared with a cell of the same region, so neighbours share exactly the same vertices.
3. One edge mahalle gets a small exclave on the outline (written as a MultiPolygon).
4. Parcels: a street grid (rotated 10 degrees) in the dense centre; blocks (ada) between streets, cut into
   two rows of parcels, each fronting one street. A block that would cross a mahalle border is left out.
   Door numbers run along each street: odd on one side, even on the other, a few with "/A".
"""
import argparse
import csv
import heapq
import json
import math
import os
import random

SEED = 20240521
BOX = (36.85, 37.52, 37.05, 37.66)           # lon0, lat0, lon1, lat1 that must be covered
LON_C, LAT_C = 36.95, 37.59                  # local frame origin (the old town)
MX = 111_320.0 * math.cos(math.radians(LAT_C))  # metres per degree of longitude here
MY = 110_990.0                               # metres per degree of latitude here
CELL_W, CELL_H = 400.0, 350.0                # brick cell width (x) and row height (y), metres

DISTRICTS = ("Kuzeykent", "Güneyyaka")
CODE_PREFIX = {"Kuzeykent": "KZK", "Güneyyaka": "GNY"}

# Mahalle names by ring (old town first). Unique across both districts, so a parcel's `mahalle` name is never
# ambiguous.
NAMES_CORE = ["Kaleboynu"]
NAMES_RING1 = ["Cumhuriyet", "Hürriyet", "İsmetpaşa", "Şehitler", "Kıbrıs", "Menderes", "Gazi"]
NAMES_RING2 = ["Yenişehir", "Bağlarbaşı", "Ulubahçe", "Güneşli", "Dumlupınar", "Ülkü", "Yörükselim", "Ördekdede",
               "Bahçelievler", "Esentepe", "Mimar Sinan"]
NAMES_RING3 = ["Karacasu", "Çınarlı", "Aksu", "Çamlıca", "Yeşilyurt", "Karaağaç", "Değirmendere", "Gökçeli",
               "Kızılseki", "Dereboğazı", "Şeyhadil", "Kurtuluş", "Sarıgüzel", "Ilıca", "Yazıköy"]
RINGS = [  # (count, radius m, growth speed, names)
    (1, 0.0, 0.80, NAMES_CORE),
    (7, 1250.0, 1.00, NAMES_RING1),
    (11, 3500.0, 1.85, NAMES_RING2),
    (15, 8000.0, 3.30, NAMES_RING3),
]

CATEGORIES = [  # code, name_tr, name_en, department
    ("yol", "Yol, asfalt ve çukur", "Roads, paving and potholes", "Fen İşleri Müdürlüğü"),
    ("kaldirim", "Kaldırım ve bordür", "Pavements and kerbs", "Fen İşleri Müdürlüğü"),
    ("temizlik", "Sokak temizliği", "Street cleaning", "Temizlik İşleri Müdürlüğü"),
    ("cop", "Çöp toplama ve konteyner", "Waste collection and bins", "Temizlik İşleri Müdürlüğü"),
    ("park", "Park ve yeşil alan", "Parks and green space", "Park ve Bahçeler Müdürlüğü"),
    ("agac", "Ağaç budama ve kesimi", "Tree pruning and felling", "Park ve Bahçeler Müdürlüğü"),
    ("su", "İçme suyu arızası ve kesintisi", "Water supply faults and cuts", "Su ve Kanalizasyon İdaresi"),
    ("kanalizasyon", "Kanalizasyon ve yağmur suyu", "Sewerage and storm drains", "Su ve Kanalizasyon İdaresi"),
    ("aydinlatma", "Sokak aydınlatması", "Street lighting", "Fen İşleri Müdürlüğü"),
    ("ulasim", "Toplu ulaşım ve durak", "Public transport and stops", "Ulaşım Hizmetleri Müdürlüğü"),
    ("zabita", "Zabıta: işgal ve seyyar satıcı", "Municipal police: obstruction and hawkers", "Zabıta Müdürlüğü"),
    ("gurultu", "Gürültü", "Noise", "Zabıta Müdürlüğü"),
    ("kar", "Kar ve buzlanma", "Snow and ice", "Fen İşleri Müdürlüğü"),
    ("hava", "Hava kirliliği ve baca dumanı", "Air pollution and chimney smoke", "Çevre Koruma ve Kontrol Müdürlüğü"),
    ("ilaclama", "Haşere ve sivrisinek ilaçlama", "Pest and mosquito control", "Çevre Koruma ve Kontrol Müdürlüğü"),
    ("hayvan", "Sokak hayvanları", "Stray animals", "Veteriner İşleri Müdürlüğü"),
    ("imar", "İmar ve kaçak yapı", "Zoning and unlicensed building", "İmar ve Şehircilik Müdürlüğü"),
    ("sosyal", "Sosyal yardım", "Social assistance", "Sosyal Yardım İşleri Müdürlüğü"),
    ("diger", "Diğer", "Other", "Basın Yayın ve Halkla İlişkiler Müdürlüğü"),
]

CADDE_NAMES = ["Cumhuriyet Caddesi", "İstiklal Caddesi", "Hürriyet Caddesi", "Kıbrıs Caddesi", "Gazi Caddesi",
               "Şehit Er Ahmet Çelik Caddesi", "Trabzon Caddesi", "Azerbaycan Caddesi", "Mimar Sinan Caddesi",
               "Yunus Emre Caddesi", "Fevzi Çakmak Caddesi", "Necip Fazıl Caddesi", "Barbaros Caddesi",
               "Kanuni Sultan Süleyman Caddesi", "Mevlana Caddesi", "Ertuğrul Gazi Caddesi"]
SOKAK_NAMES = ["Gül", "Lale", "Menekşe", "Çiçek", "Papatya", "Zambak", "Karanfil", "Söğüt", "Çınar", "Ihlamur",
               "Nergis", "Sümbül", "Leylak", "Ardıç", "Meşe", "Kavak", "Şebboy", "Yasemin", "Manolya", "Akasya",
               "Dut", "Ilgın", "Erguvan", "Fesleğen", "Gelincik", "Çağlayan", "Yıldız", "Güneş", "Pınar", "Şelale",
               "Bahar", "Sedir", "Kardelen", "Begonvil", "Ayva", "Nar", "İncir", "Zeytin", "Öğretmen", "Değirmen"]


def to_ll(x, y):
    return (round(LON_C + x / MX, 6), round(LAT_C + y / MY, 6))


def ring_area(pts):
    a = 0.0
    for i in range(len(pts) - 1):
        a += pts[i][0] * pts[i + 1][1] - pts[i + 1][0] * pts[i][1]
    return a / 2


def point_in_ring(p, ring):
    x, y = p
    c = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < xi + (y - yi) * (xj - xi) / (yj - yi):
            c = not c
        j = i
    return c


def point_in_polys(p, polys):
    """polys: list of polygons, each a list of rings (outer first)."""
    for rings in polys:
        inside = False
        for r in rings:
            if point_in_ring(p, r):
                inside = not inside
        if inside:
            return True
    return False


def segments_cross(a, b, c, d):
    """True when segments ab and cd share any point (proper crossing, touching or collinear overlap)."""
    def orient(p, q, r):
        v = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
        return (v > 0) - (v < 0)

    def on_seg(p, q, r):
        return min(p[0], r[0]) <= q[0] <= max(p[0], r[0]) and min(p[1], r[1]) <= q[1] <= max(p[1], r[1])
    o1, o2, o3, o4 = orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
    if o1 != o2 and o3 != o4:
        return True
    return ((o1 == 0 and on_seg(a, c, b)) or (o2 == 0 and on_seg(a, d, b)) or
            (o3 == 0 and on_seg(c, a, d)) or (o4 == 0 and on_seg(c, b, d)))


# ----------------------------------------------------------------------------------------------------------
# 1. The cell grid

class Grid:
    def __init__(self, rng):
        # Domain in metres: the box plus a margin, with a ragged outline drawn later.
        bx0, by0 = (BOX[0] - LON_C) * MX, (BOX[1] - LAT_C) * MY
        bx1, by1 = (BOX[2] - LON_C) * MX, (BOX[3] - LAT_C) * MY
        self.box = (bx0, by0, bx1, by1)
        margin = 3800.0
        self.x0, self.y0 = bx0 - margin, by0 - margin
        self.rows = int(math.ceil((by1 - by0 + 2 * margin) / CELL_H))
        self.cols = int(math.ceil((bx1 - bx0 + 2 * margin) / CELL_W))
        self.rng = rng
        self.verts = {}   # (line j, half-step k) -> (x, y)
        self.mids = {}    # canonical (va, vb) -> (x, y)

    def vertex(self, j, k):
        v = self.verts.get((j, k))
        if v is None:
            r = self.rng
            v = (self.x0 + k * CELL_W / 2 + r.uniform(-0.17, 0.17) * CELL_W,
                 self.y0 + j * CELL_H + r.uniform(-0.2, 0.2) * CELL_H)
            self.verts[(j, k)] = v
        return v

    def cell_vertices(self, i, c):
        """Vertex keys of cell (row i, column c), counter-clockwise: three on the bottom line, three on top."""
        k0 = 2 * c + (i % 2)
        return [(i, k0), (i, k0 + 1), (i, k0 + 2), (i + 1, k0 + 2), (i + 1, k0 + 1), (i + 1, k0)]

    def centre(self, i, c):
        pts = [self.vertex(*v) for v in self.cell_vertices(i, c)]
        return (sum(p[0] for p in pts) / 6, sum(p[1] for p in pts) / 6)

    def neighbours(self, i, c):
        off = i % 2
        out = [(i, c - 1), (i, c + 1)]
        for di in (-1, 1):
            # Row i±1 has the other offset: the cells overlapping this one in x.
            if off == 0:
                out += [(i + di, c - 1), (i + di, c)]
            else:
                out += [(i + di, c), (i + di, c + 1)]
        return out

    def midpoint(self, a, b):
        key = (a, b) if a < b else (b, a)
        m = self.mids.get(key)
        if m is None:
            pa, pb = self.vertex(*key[0]), self.vertex(*key[1])
            dx, dy = pb[0] - pa[0], pb[1] - pa[1]
            t = self.rng.uniform(-0.11, 0.11)
            s = self.rng.uniform(-0.12, 0.12)
            m = (pa[0] + dx * (0.5 + s) - dy * t, pa[1] + dy * (0.5 + s) + dx * t)
            self.mids[key] = m
        return m


def build_cells(grid, rng):
    """The cells kept: all that reach into the box (plus 300 m), and more beyond it inside a ragged outline."""
    bx0, by0, bx1, by1 = grid.box
    lobes = [(rng.uniform(0, 2 * math.pi), rng.uniform(0.05, 0.10), n) for n in (2, 3, 5, 7)]

    def outline_r(theta):
        return 1.0 + sum(a * math.sin(n * theta + ph) for ph, a, n in lobes)

    hx, hy = (bx1 - bx0) / 2, (by1 - by0) / 2
    cells = []
    for i in range(grid.rows):
        for c in range(-1, grid.cols):
            pts = [grid.vertex(*v) for v in grid.cell_vertices(i, c)]
            cx, cy = grid.centre(i, c)
            touches_box = any(bx0 - 300 <= x <= bx1 + 300 and by0 - 300 <= y <= by1 + 300 for x, y in pts)
            # A rounded, lobed outline about 1.0-1.4 times the box.
            theta = math.atan2(cy / hy, cx / hx)
            q = ((abs(cx) / (hx * 1.2)) ** 3 + (abs(cy) / (hy * 1.22)) ** 3) ** (1 / 3)
            if touches_box or q <= outline_r(theta):
                cells.append((i, c))
    return cells


def grow_regions(grid, cells, seeds, rng):
    """Competitive Dijkstra from the seeds over the cell graph; returns {cell: seed index}."""
    cellset = set(cells)
    noise = {cell: rng.uniform(0.75, 1.35) for cell in cells}   # "terrain": borders wander
    centres = {cell: grid.centre(*cell) for cell in cells}
    heap = []
    for s, (sx, sy, speed) in enumerate(seeds):
        start = min(cells, key=lambda cl: (centres[cl][0] - sx) ** 2 + (centres[cl][1] - sy) ** 2)
        heapq.heappush(heap, (0.0, s, start))
    owner = {}
    while heap:
        cost, s, cell = heapq.heappop(heap)
        if cell in owner:
            continue
        owner[cell] = s
        speed = seeds[s][2]
        for nb in grid.neighbours(*cell):
            if nb in cellset and nb not in owner:
                a, b = centres[cell], centres[nb]
                step = math.hypot(a[0] - b[0], a[1] - b[1]) * noise[nb] / speed
                heapq.heappush(heap, (cost + step, s, nb))
    return owner


def region_rings(grid, region_cells):
    """Boundary rings of a set of cells, as lists of (x, y) metres; counter-clockwise outer rings."""
    directed = {}
    for cell in region_cells:
        vs = grid.cell_vertices(*cell)
        for n in range(6):
            a, b = vs[n], vs[(n + 1) % 6]
            directed[(a, b)] = True
    nxt = {}
    for (a, b) in directed:
        if (b, a) not in directed:
            assert a not in nxt, "a vertex with two outgoing boundary edges (cannot happen on a brick grid)"
            nxt[a] = b
    rings = []
    while nxt:
        start = min(nxt)
        ring = [start]
        v = nxt.pop(start)
        while v != start:
            ring.append(v)
            v = nxt.pop(v)
        pts = []
        for n in range(len(ring)):
            a, b = ring[n], ring[(n + 1) % len(ring)]
            pts.append(grid.vertex(*a))
            pts.append(grid.midpoint(a, b))
        pts.append(pts[0])
        rings.append(pts)
    return rings


def connected(cells, grid):
    cells = set(cells)
    if not cells:
        return False
    start = next(iter(cells))
    seen = {start}
    stack = [start]
    while stack:
        cur = stack.pop()
        for nb in grid.neighbours(*cur):
            if nb in cells and nb not in seen:
                seen.add(nb)
                stack.append(nb)
    return len(seen) == len(cells)


def make_mahalle(rng):
    grid = Grid(rng)
    cells = build_cells(grid, rng)
    seeds, meta = [], []
    for ring_no, (count, radius, speed, names) in enumerate(RINGS):
        phase = rng.uniform(0, 2 * math.pi)
        for n in range(count):
            ang = phase + 2 * math.pi * n / count + rng.uniform(-0.25, 0.25) * 2 * math.pi / count
            r = radius * rng.uniform(0.85, 1.15)
            # Stretch the outer ring to the box's aspect so the corners are reached.
            sx, sy = r * math.cos(ang) * (1.12 if ring_no == 3 else 1.0), r * math.sin(ang)
            seeds.append((sx, sy, speed * rng.uniform(0.9, 1.1)))
            meta.append((ring_no, names[n]))
    owner = grow_regions(grid, cells, seeds, rng)
    regions = [[] for _ in seeds]
    for cell, s in owner.items():
        regions[s].append(cell)

    # An exclave: a few outline cells of one outer mahalle handed to a neighbouring outer mahalle without
    # touching it (common after village mergers). Chosen deterministically; skipped if nothing fits.
    cellset = set(cells)
    outline = [cl for cl in sorted(cells) if any(nb not in cellset for nb in grid.neighbours(*cl))]
    exclave_done = False
    for cl in outline:
        b = owner[cl]
        if meta[b][0] != 3:
            continue
        for nb in grid.neighbours(*cl):
            if nb in cellset and owner[nb] == b and nb in outline:
                piece = {cl, nb}
                rest = [x for x in regions[b] if x not in piece]
                around = {owner[x] for p in piece for x in grid.neighbours(*p) if x in cellset} - {b}
                # Receiver: the other outer mahalle nearest to the piece, not adjacent to it.
                candidates = [a for a in range(len(seeds)) if meta[a][0] == 3 and a != b and a not in around]
                if not candidates or len(rest) < 20 or not connected(rest, grid):
                    continue
                px, py = grid.centre(*cl)
                a = min(candidates, key=lambda s: min((grid.centre(*x)[0] - px) ** 2 + (grid.centre(*x)[1] - py) ** 2
                                                      for x in regions[s]))
                gap = min(math.hypot(grid.centre(*x)[0] - px, grid.centre(*x)[1] - py) for x in regions[a])
                if gap > 1500:
                    continue
                for p in piece:
                    owner[p] = a
                regions[b] = rest
                regions[a] = regions[a] + sorted(piece)
                exclave_done = True
                break
        if exclave_done:
            break

    out = []
    for s, reg in enumerate(regions):
        assert reg, f"seed {s} got no cells"
        polys = []
        # Components (one, or two for the exclave), each traced on its own.
        left = set(reg)
        while left:
            start = min(left)
            comp = {start}
            stack = [start]
            while stack:
                cur = stack.pop()
                for nb in grid.neighbours(*cur):
                    if nb in left and nb not in comp:
                        comp.add(nb)
                        stack.append(nb)
            left -= comp
            rings = region_rings(grid, comp)
            if len(rings) != 1:
                return None   # a hole: try another seed
            polys.append(rings)
        polys.sort(key=lambda rs: -abs(ring_area(rs[0])))
        out.append({"seed": seeds[s], "ring": meta[s][0], "name": meta[s][1], "polys": polys,
                    "cells": len(reg)})
    return grid, out, exclave_done


def district_of(m):
    """Kuzeykent: the old town and everything whose seed lies north of a tilted line; Güneyyaka the rest."""
    sx, sy, _ = m["seed"]
    if m["ring"] == 0:
        return "Kuzeykent"
    ang = math.degrees(math.atan2(sy, sx))
    return "Kuzeykent" if -20 <= ang < 160 else "Güneyyaka"


def populations(mahalle, rng):
    for m in mahalle:
        area_km2 = sum(ring_area(p[0]) for p in m["polys"]) / 1e6
        sx, sy, _ = m["seed"]
        r = math.hypot(sx, sy)
        density = 24_000 * math.exp(-r / 1900) + 160          # people per km², falling away from the centre
        pop = area_km2 * density * rng.uniform(0.7, 1.35)
        m["area_km2"] = area_km2
        m["population"] = int(round(min(45_000, max(3_100, pop)) / 10) * 10)
    # Two small rural mahalle (the two smallest of the outer ring) under 3,000.
    outer = sorted((m for m in mahalle if m["ring"] == 3), key=lambda m: m["population"])
    outer[0]["population"] = 2_140 + 10 * rng.randrange(0, 40)
    outer[1]["population"] = 2_560 + 10 * rng.randrange(0, 40)


# ----------------------------------------------------------------------------------------------------------
# 2. Parcels along streets in the centre

def make_parcels(mahalle, rng):
    theta = math.radians(10.0)
    ct, st = math.cos(theta), math.sin(theta)

    def uv_to_xy(u, v):
        return (u * ct - v * st, u * st + v * ct)

    # Dense core: an ellipse along the boulevard, slightly off the old town.
    core_u, core_v, cu0, cv0 = 1500.0, 950.0, 120.0, -60.0

    def in_core(u, v):
        return ((u - cu0) / core_u) ** 2 + ((v - cv0) / core_v) ** 2 <= 1.0

    # Mahalle outlines in metres for the containment tests, with an edge list for crossings.
    mpolys = []
    for idx, m in enumerate(mahalle):
        for rings in m["polys"]:
            ring = rings[0]
            xs, ys = [p[0] for p in ring], [p[1] for p in ring]
            mpolys.append((idx, ring, (min(xs), min(ys), max(xs), max(ys))))

    def mahalle_of_block(corners):
        owner = None
        for idx, ring, bb in mpolys:
            if all(bb[0] <= x <= bb[2] and bb[1] <= y <= bb[3] for x, y in corners) and \
                    all(point_in_ring(p, ring) for p in corners):
                owner = (idx, ring)
                break
        if owner is None:
            return None
        idx, ring = owner
        closed = corners + [corners[0]]
        for n in range(len(ring) - 1):
            a, b = ring[n], ring[n + 1]
            for q in range(4):
                if segments_cross(a, b, closed[q], closed[q + 1]):
                    return None
        return idx

    # Streets along u at v positions; blocks between them. k = 0 is the boulevard (v = 0).
    def street_rows(direction):
        rows = []   # (street index below, street index above, v0, v1) with v0 < v1 in block coordinates
        v = 20.0   # half of the 40 m boulevard
        k = 0
        while v < 2200:
            depth = rng.uniform(46.0, 64.0)
            k_next = k + 1
            width = 22.0 if k_next % 6 == 0 else rng.choice((10.0, 12.0, 12.0, 14.0))
            rows.append((k, k_next, v, v + depth))
            v += depth + width
            k = k_next
        if direction < 0:
            return [(-b, -a, -v1, -v0) for a, b, v0, v1 in rows]
        return rows

    # Cross streets along v at u positions (shared by all rows; some rows skip one to make long blocks).
    cross = [(-14.0, 14.0)]   # İnönü Caddesi at u = 0, 28 m wide: (u start, u end) of the street
    u = 14.0
    while u < 2600:
        length = rng.uniform(95.0, 170.0)
        width = rng.choice((10.0, 12.0, 12.0))
        cross.append((u + length, u + length + width))
        u += length + width
    u = -14.0
    left = []
    while u > -2600:
        length = rng.uniform(95.0, 170.0)
        width = rng.choice((10.0, 12.0, 12.0))
        left.append((u - length - width, u - length))
        u -= length + width
    cross = sorted(left + cross)

    # Street names for each (k, west/east of İnönü Caddesi).
    sokak_pool = list(SOKAK_NAMES)
    rng.shuffle(sokak_pool)
    cadde_pool = list(CADDE_NAMES)
    rng.shuffle(cadde_pool)
    numbered = rng.sample(range(1100, 2400), 400)
    names = {}

    def street_name(k, east):
        if k == 0:
            return "Atatürk Bulvarı"
        if k % 6 == 0:
            key = (k, None)
            if key not in names:
                names[key] = cadde_pool.pop()
            return names[key]
        key = (k, east)
        if key not in names:
            if sokak_pool and rng.random() < 0.35:
                names[key] = sokak_pool.pop() + " Sokak"
            else:
                names[key] = f"{numbered.pop()}. Sokak"
        return names[key]

    blocks = []
    for rows in (street_rows(1), street_rows(-1)):
        for (k_lo, k_hi, v0, v1) in rows:
            skip = -1
            for n in range(len(cross) - 1):
                if n == skip:
                    continue
                u0 = cross[n][1]
                n_end = n + 1
                # Now and then a cross street ends at this row (a T-junction): one long block.
                if rng.random() < 0.12 and n + 2 < len(cross) and not (cross[n + 1][0] < 0 < cross[n + 1][1]):
                    n_end = n + 2
                    skip = n + 1
                u1 = cross[n_end][0]
                if u0 < 0 < u1:
                    continue
                corners_uv = [(u0, v0), (u1, v0), (u1, v1), (u0, v1)]
                if not all(in_core(a, b) for a, b in corners_uv):
                    continue
                # Tested with a 3 m margin, so rounding can never put a parcel corner across a border.
                corners = [uv_to_xy(a, b) for a, b in [(u0 - 3, v0 - 3), (u1 + 3, v0 - 3), (u1 + 3, v1 + 3), (u0 - 3, v1 + 3)]]
                idx = mahalle_of_block(corners)
                if idx is None:
                    continue
                blocks.append({"u0": u0, "u1": u1, "v0": v0, "v1": v1, "k_lo": k_lo, "k_hi": k_hi,
                               "mahalle": idx, "open_space": rng.random() < 0.07})

    # Parcels: each block cut at mid-depth; the lower row fronts street k_lo, the upper row street k_hi.
    parcels = []
    ada_counter = {}
    for blk in sorted(blocks, key=lambda b: (b["mahalle"], -b["v1"], b["u0"])):
        if blk["open_space"]:
            continue   # a park, school or mosque yard: no address parcels
        m = blk["mahalle"]
        ada_counter[m] = ada_counter.get(m, 100) + rng.choice((1, 1, 1, 2, 3))
        ada = ada_counter[m]
        vm = (blk["v0"] + blk["v1"]) / 2 + rng.uniform(-4, 4)
        parsel_no = 0
        rows = []
        for _ in range(2):
            cuts = [blk["u0"]]
            while blk["u1"] - cuts[-1] > 30:
                c = cuts[-1] + rng.uniform(13.0, 24.0)
                # A cut within 1.5 m of one in the other row is aligned with it (no sliver-thin edges).
                near = [x for x in (rows[0] if rows else []) if abs(x - c) < 1.5]
                cuts.append(near[0] if near else c)
            if blk["u1"] - cuts[-1] < 9:
                cuts.pop()
            cuts.append(blk["u1"])
            rows.append(cuts)
        for half, (va, vb, k) in enumerate(((blk["v0"], vm, blk["k_lo"]), (vm, blk["v1"], blk["k_hi"]))):
            cuts, across = rows[half], rows[1 - half]
            order = range(len(cuts) - 1) if half == 0 else reversed(range(len(cuts) - 1))
            for n in order:
                a, b = cuts[n], cuts[n + 1]
                # The edge at mid-depth also carries the other row's cut points inside it, so neighbours share
                # every vertex (no T-junctions) and rounding cannot open slivers between the rows.
                inner = [c for c in across if a < c < b]
                if half == 0:
                    ring_uv = [(a, va), (b, va), (b, vb)] + [(c, vb) for c in reversed(inner)] + [(a, vb), (a, va)]
                else:
                    ring_uv = [(a, va)] + [(c, va) for c in inner] + [(b, va), (b, vb), (a, vb), (a, va)]
                ring = [to_ll(*uv_to_xy(p, q)) for p, q in ring_uv]
                parsel_no += 1
                # The lower row lies north of its street (even numbers), the upper row south of its (odd).
                street_side = "even" if half == 0 else "odd"
                east = (a + b) / 2 > 0
                parcels.append({"ring": ring, "ada": str(ada), "parsel": str(parsel_no), "k": k,
                                "street": street_name(k, east), "side": street_side, "u": (a + b) / 2,
                                "mahalle": m})
    # Door numbers along each street side, west to east; about 5% share the previous number with "/A".
    by_side = {}
    for p in parcels:
        by_side.setdefault((p["street"], p["side"]), []).append(p)
    for (street, side), ps in sorted(by_side.items()):
        ps.sort(key=lambda p: p["u"])
        n = 2 if side == "even" else 1
        last = None
        for p in ps:
            if last is not None and rng.random() < 0.05:
                p["door"] = f"{last}/A"
                last = None
                continue
            p["door"] = str(n)
            last = n
            n += 2
    return parcels


# ----------------------------------------------------------------------------------------------------------
# 3. Writing

def feature_line(props, geometry):
    return json.dumps({"type": "Feature", "properties": props, "geometry": geometry},
                      ensure_ascii=False, separators=(",", ":"))


def write_collection(path, name, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        # RFC 7946: WGS 84 lon/lat, no "crs" member; "name" is the layer name GDAL shows.
        f.write('{"type":"FeatureCollection","name":"%s","features":[\n' % name)
        f.write(",\n".join(lines))
        f.write("\n]}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "..", "data", "sample-parcels"))
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()

    attempt = 0
    while True:
        rng = random.Random(args.seed * 1000 + attempt)
        res = make_mahalle(rng)
        if res is not None and res[2]:
            break
        attempt += 1
        assert attempt < 50, "no hole-free layout found"
    grid, mahalle, _ = res
    populations(mahalle, rng)
    for m in mahalle:
        m["district"] = district_of(m)

    # Codes: per district, by distance from the centre.
    for d in DISTRICTS:
        ms = sorted((m for m in mahalle if m["district"] == d), key=lambda m: math.hypot(m["seed"][0], m["seed"][1]))
        for n, m in enumerate(ms):
            m["code"] = f"{CODE_PREFIX[d]}-{n + 1:03d}"
    mahalle.sort(key=lambda m: m["code"])

    parcels = make_parcels(mahalle, rng)

    os.makedirs(args.out, exist_ok=True)
    lines = []
    for m in mahalle:
        polys = [[[to_ll(x, y) for x, y in ring] for ring in rings] for rings in m["polys"]]
        geom = ({"type": "Polygon", "coordinates": polys[0]} if len(polys) == 1
                else {"type": "MultiPolygon", "coordinates": polys})
        lines.append(feature_line({"name": m["name"], "code": m["code"], "population": m["population"],
                                   "district": m["district"]}, geom))
    write_collection(os.path.join(args.out, "mahalle.geojson"), "mahalle", lines)

    lines = []
    for p in parcels:
        m = mahalle[p["mahalle"]]
        lines.append(feature_line({"ada": p["ada"], "parsel": p["parsel"], "street": p["street"], "door": p["door"],
                                   "mahalle": m["name"], "district": m["district"]},
                                  {"type": "Polygon", "coordinates": [p["ring"]]}))
    write_collection(os.path.join(args.out, "parcels.geojson"), "parcels", lines)

    with open(os.path.join(args.out, "categories.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name_tr", "name_en", "department"])
        w.writerows(CATEGORIES)

    total = sum(m["population"] for m in mahalle)
    per_district = ", ".join("%s %d" % (d, sum(1 for m in mahalle if m["district"] == d)) for d in DISTRICTS)
    print(f"layout attempt {attempt}: {len(mahalle)} mahalle ({per_district}), population {total:,}, "
          f"{len(parcels)} parcels, {len(CATEGORIES)} categories -> {os.path.normpath(args.out)}")


if __name__ == "__main__":
    main()
