#!/usr/bin/env python3
"""Load helpers for scripts/concurrency and scripts/soak (Python standard library only).

  reliability_load.py lua KIND OUT.lua [--seed N]
      writes a wrk script: a list of request paths of KIND (conc-tiles, tiles, queries, analytics) and Lua
      that counts responses by status and prints them (`status CODE COUNT`) with latency figures when wrk ends.
  reliability_load.py writer --port P --key K --seconds S --rate R --out SUMMARY.json [--patch-every N]
      POSTs complaints at a steady rate (JSON intake, Idempotency-Key, external_ref) and PATCHes the status of
      earlier ones (open → assigned → in_progress → resolved); counts statuses, flags 5xx, 429 and any body that
      mentions SQLITE_BUSY / "database is locked"; writes a JSON summary with the created ids and points.
  reliability_load.py points N [--seed N]
      the first N points the writer will POST (lon lat per line), so a script can fetch their tiles before.
  reliability_load.py rss PID INTERVAL OUT.csv [--port P]
      samples VmRSS of PID from /proc every INTERVAL seconds (elapsed_s,rss_kib[,tile_cache_kib,sqlite_kib,render_cache_kib from /metrics])
      until the process ends or this one gets SIGTERM.
  reliability_load.py tile LON LAT Z
      the tile x y containing the point at zoom Z.
"""
import argparse
import http.client
import json
import math
import random
import signal
import sys
import threading
import time

# The peers' box (../shared/peers/gen_points.py): inside the sample district, where the 1M store's points are.
BOX = (36.85, 37.52, 37.05, 37.66)
CATS = ["yol", "temizlik", "park", "su", "aydinlatma", "ulasim", "zabita", "kar", "cop", "kaldirim", "gurultu", "diger"]
STATUSES = ["open", "assigned", "in_progress", "resolved", "closed"]
CHANNELS = ["phone", "web", "whatsapp", "mobile", "e-devlet", "cimer", "beyaz-masa"]


def tile_of(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def tiles_in_box(zooms, box=BOX):
    out = []
    for z in zooms:
        x0, y0 = tile_of(box[0], box[3], z)
        x1, y1 = tile_of(box[2], box[1], z)
        out += [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    return out


def writer_points(n, seed):
    rng = random.Random(seed)
    return [(round(rng.uniform(BOX[0] + 0.01, BOX[2] - 0.01), 6), round(rng.uniform(BOX[1] + 0.01, BOX[3] - 0.01), 6))
            for _ in range(n)]


# ---------------------------------------------------------------------------------------------------- wrk scripts

def random_filter(rng, p_none=0.3):
    if rng.random() < p_none:
        return ""
    parts = []
    r = rng.random()
    if r < 0.5:
        parts.append("category=" + ",".join(rng.sample(CATS, rng.randint(1, 3))))
    if rng.random() < 0.5:
        parts.append("month=2024-%02d" % rng.randint(1, 12))
    elif rng.random() < 0.3:
        a = rng.randint(1, 300)
        d0 = time.strftime("%Y-%m-%d", time.gmtime(1704067200 + a * 86400))
        d1 = time.strftime("%Y-%m-%d", time.gmtime(1704067200 + (a + rng.randint(1, 60)) * 86400))
        parts.append(f"from={d0}&to={d1}")
    if rng.random() < 0.25:
        parts.append("status=" + rng.choice(["open", "closed", "open,assigned,in_progress"]))
    if rng.random() < 0.15:
        parts.append("channel=" + rng.choice(CHANNELS))
    return "&".join(parts)


def paths_for(kind, rng):
    paths = []
    if kind == "conc-tiles":
        # Heat and pins over the district, z12–z16: a third unfiltered (the viewer's default view, cache hits
        # that a write must invalidate), the rest with a category and/or month filter (renders under writes).
        tl = tiles_in_box(range(12, 17))
        seen = set()
        while len(paths) < 4000:
            z, x, y = rng.choice(tl)
            layer = rng.choice(["heat", "pins"])
            q = random_filter(rng, p_none=0.35)
            p = f"/tiles/{layer}/{z}/{x}/{y}.png" + ("?" + q if q else "")
            if p not in seen:
                seen.add(p)
                paths.append(p)
    elif kind == "tiles":
        # Every layer, z10–z16, random filters (mostly distinct URLs: the cache fills up to its bound), 10 % @2x.
        tl = tiles_in_box(range(10, 17))
        seen = set()
        while len(paths) < 40000:
            z, x, y = rng.choice(tl)
            layer = rng.choices(["heat", "pins", "choropleth", "boundaries"], [5, 4, 2, 1])[0]
            q = "" if layer == "boundaries" else random_filter(rng, p_none=0.25)
            if layer == "choropleth" and rng.random() < 0.5:
                q = (q + "&" if q else "") + "metric=" + rng.choice(["count", "per1000", "open"])
            retina = "@2x" if rng.random() < 0.1 else ""
            p = f"/tiles/{layer}/{z}/{x}/{y}{retina}.png" + ("?" + q if q else "")
            if p not in seen:
                seen.add(p)
                paths.append(p)
        # A quarter of the requests go to popular tiles (the default view: unfiltered heat and pins at z12–z14,
        # 258 URLs): cache hits, and the invalidation of the ones the writes land under.
        popular = [f"/tiles/{layer}/{z}/{x}/{y}.png" for z, x, y in tiles_in_box(range(12, 15)) for layer in ("heat", "pins")]
        paths = [p for q in paths for p in ([q, rng.choice(popular)] if rng.random() < 1 / 3 else [q])]
    elif kind == "queries":
        # bbox queries on the complaints API, single complaints, Open311 lists and single requests.
        for _ in range(20000):
            r = rng.random()
            if r < 0.45:
                w = rng.uniform(0.002, 0.05)
                lon = rng.uniform(BOX[0], BOX[2] - w)
                lat = rng.uniform(BOX[1], BOX[3] - w)
                q = random_filter(rng, p_none=0.4)
                limit = rng.choice([50, 500, 2000])
                paths.append(f"/api/complaints?bbox={lon:.5f},{lat:.5f},{lon + w:.5f},{lat + w:.5f}&limit={limit}"
                             + ("&" + q if q else ""))
            elif r < 0.6:
                paths.append(f"/api/complaints/{rng.randint(1, 1000000)}")
            elif r < 0.8:
                a = rng.randint(0, 330)
                d0 = time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(1704067200 + a * 86400))
                d1 = time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(1704067200 + (a + rng.randint(1, 30)) * 86400))
                fmt = rng.choice(["json", "json", "xml"])
                q = f"start_date={d0}&end_date={d1}"
                if rng.random() < 0.6:
                    q += "&service_code=" + rng.choice(CATS)
                if rng.random() < 0.3:
                    q += "&status=" + rng.choice(["open", "closed"])
                paths.append(f"/open311/v2/requests.{fmt}?{q}")
            elif r < 0.92:
                paths.append(f"/open311/v2/requests/{rng.randint(1, 1000000)}.{rng.choice(['json', 'xml'])}")
            else:
                paths.append(rng.choice(["/open311/v2/services.json", "/open311/v2/services.xml",
                                         "/open311/v2/discovery.json", "/open311/v2/services/yol.json"]))
    elif kind == "analytics":
        for _ in range(2000):
            r = rng.random()
            if r < 0.4:
                paths.append("/api/mahalle")
            elif r < 0.8:
                q = "month=2024-%02d" % rng.randint(1, 12)
                if rng.random() < 0.3:
                    q += "&district=" + rng.choice(["Kuzeykent", "G%C3%BCneyyaka"])
                if rng.random() < 0.3:
                    q += "&mahalle=" + str(rng.randint(1, 34))
                paths.append("/api/needs?" + q)
            else:
                q = "month=2024-%02d" % rng.randint(1, 12)
                if rng.random() < 0.3:
                    q += "&category=" + rng.choice(CATS)
                paths.append("/api/hotspots?" + q)
    else:
        raise SystemExit(f"unknown kind {kind}")
    return paths


LUA = r"""
counter = 0
statuses = {}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  counter = math.random(#paths)
  statuses = {}
end
function request()
  counter = counter + 1
  return wrk.format(nil, paths[(counter % #paths) + 1])
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do io.write(string.format("status %d %d\n", k, v)) end
  local e = summary.errors
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("socket_errors connect %d read %d write %d timeout %d\n", e.connect, e.read, e.write, e.timeout))
  io.write(string.format("latency_ms p50 %.2f p99 %.2f max %.2f\n", latency:percentile(50) / 1000,
                         latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def cmd_lua(a):
    rng = random.Random(a.seed)
    paths = paths_for(a.kind, rng)
    with open(a.out, "w") as f:
        f.write("paths = {\n" + ",\n".join('"%s"' % p for p in paths) + "\n}\n")
        f.write(LUA)
    print(f"{a.out}: {len(paths)} {a.kind} paths")


# ------------------------------------------------------------------------------------------------------- writer

class Writer:
    BAD_BODY = ("sqlite_busy", "database is locked", "sqlite_locked", "database table is locked")

    def __init__(self, a):
        self.a = a
        self.lock = threading.Lock()
        self.counts = {}          # "POST 201" → n
        self.errors = []          # first few unexpected answers
        self.busy_bodies = 0
        self.conn_errors = 0
        self.created = []         # (id, lon, lat)
        self.patchable = []       # [id, status index]
        self.latencies = []
        self.stop = threading.Event()
        self.points = writer_points(1_000_000, a.seed)
        self.next_point = 0

    def count(self, kind, status, body):
        key = f"{kind} {status}"
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            low = body.lower()
            if any(b in low for b in self.BAD_BODY):
                self.busy_bodies += 1
            unexpected = status >= 500 or status == 429 or (kind == "POST" and status not in (200, 201)) \
                or (kind == "PATCH" and status not in (200, 409))
            if unexpected and len(self.errors) < 20:
                self.errors.append(f"{kind} {status}: {body[:300]}")

    def request(self, conn, method, path, body, headers):
        t = time.monotonic()
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read().decode("utf-8", "replace")
        with self.lock:
            self.latencies.append(time.monotonic() - t)
        return r.status, data

    def post_one(self, conn):
        with self.lock:
            i = self.next_point
            self.next_point += 1
        lon, lat = self.points[i]
        ref = f"{self.a.tag}-{i}"
        body = json.dumps({"lon": lon, "lat": lat, "category": CATS[i % len(CATS)], "channel": CHANNELS[i % len(CHANNELS)],
                           "external_ref": ref, "description": f"{self.a.tag} load complaint {i}"})
        status, data = self.request(conn, "POST", "/api/complaints", body,
                                    {"Content-Type": "application/json", "X-API-Key": self.a.key, "Idempotency-Key": ref})
        self.count("POST", status, data)
        if status in (200, 201):
            cid = json.loads(data)["id"]
            with self.lock:
                self.created.append((cid, lon, lat))
                self.patchable.append([cid, 0])

    def patch_one(self, conn):
        with self.lock:
            if not self.patchable:
                return
            item = self.patchable[random.randrange(len(self.patchable))]
            if item[1] + 1 >= len(STATUSES):
                self.patchable.remove(item)
                return
            item[1] += 1
            cid, status = item[0], STATUSES[item[1]]
        body = json.dumps({"status": status, "team": "ekip-%d" % (cid % 7), "note": f"{self.a.tag} → {status}"})
        code, data = self.request(conn, "PATCH", f"/api/complaints/{cid}", body,
                                  {"Content-Type": "application/json", "X-API-Key": self.a.key})
        self.count("PATCH", code, data)

    def worker(self, w, start):
        # Each worker owns every `workers`-th slot of the schedule: slot k is due at start + k / rate.
        conn = http.client.HTTPConnection("127.0.0.1", self.a.port, timeout=30)
        k = w
        period = 1.0 / self.a.rate
        deadline = start + self.a.seconds
        while not self.stop.is_set():
            due = start + k * period
            if due >= deadline:
                break
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            try:
                if self.a.patch_every and k % self.a.patch_every == self.a.patch_every - 1:
                    self.patch_one(conn)
                else:
                    self.post_one(conn)
            except (OSError, http.client.HTTPException) as e:
                with self.lock:
                    self.conn_errors += 1
                    if len(self.errors) < 20:
                        self.errors.append(f"connection: {e!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.a.port, timeout=30)
            k += self.a.workers
        conn.close()

    def run(self):
        signal.signal(signal.SIGTERM, lambda *_: self.stop.set())
        start = time.monotonic()
        threads = [threading.Thread(target=self.worker, args=(w, start)) for w in range(self.a.workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        lat = sorted(self.latencies)
        pct = lambda p: round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 1) if lat else None
        posts = sum(v for k, v in self.counts.items() if k.startswith("POST"))
        patches = sum(v for k, v in self.counts.items() if k.startswith("PATCH"))
        failures = sum(v for k, v in self.counts.items() if int(k.split()[1]) >= 500 or k.split()[1] == "429"
                       or (k.startswith("POST") and k.split()[1] not in ("200", "201"))
                       or (k.startswith("PATCH") and k.split()[1] not in ("200", "409")))
        summary = {"elapsed_s": round(elapsed, 1), "posts": posts, "patches": patches,
                   "rate_per_s": round((posts + patches) / elapsed, 1) if elapsed else 0, "counts": self.counts,
                   "failures": failures, "connection_errors": self.conn_errors, "busy_bodies": self.busy_bodies,
                   "latency_ms": {"p50": pct(0.5), "p99": pct(0.99), "max": pct(1.0)},
                   "errors": self.errors, "created": self.created}
        with open(self.a.out, "w") as f:
            json.dump(summary, f)
        short = {k: v for k, v in summary.items() if k not in ("created", "errors")}
        print("writer:", json.dumps(short))
        for e in self.errors[:5]:
            print("writer error:", e)
        return 0 if failures == 0 and self.conn_errors == 0 and self.busy_bodies == 0 else 1


def cmd_writer(a):
    return Writer(a).run()


def cmd_points(a):
    for lon, lat in writer_points(a.n, a.seed):
        print(lon, lat)


def metrics_kib(port, names=("taskmap_tile_cache_bytes", "taskmap_sqlite_memory_bytes", "taskmap_render_cache_bytes")):
    """Gauges from the server's /metrics, in KiB (-1 each when they cannot be read)."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
        conn.close()
        values = {l.split()[0]: int(float(l.split()[1])) // 1024 for l in text.splitlines() if l and not l.startswith("#")}
        return [values.get(n, -1) for n in names]
    except (OSError, http.client.HTTPException, ValueError, IndexError):
        return [-1 for _ in names]


def tile_cache_kib(port):
    """taskmap_tile_cache_bytes from the server's /metrics, in KiB (-1 when it cannot be read)."""
    return metrics_kib(port)[0]


def cmd_rss(a):
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    start = time.monotonic()
    with open(a.out, "w") as f:
        f.write("elapsed_s,rss_kib" + (",tile_cache_kib,sqlite_kib,render_cache_kib" if a.port else "") + "\n")
        while not stop.is_set():
            try:
                with open(f"/proc/{a.pid}/status") as s:
                    rss = next(int(l.split()[1]) for l in s if l.startswith("VmRSS:"))
            except (OSError, StopIteration):
                break
            extra = "".join(f",{v}" for v in metrics_kib(a.port)) if a.port else ""
            f.write(f"{time.monotonic() - start:.1f},{rss}{extra}\n")
            f.flush()
            stop.wait(a.interval)


def cmd_tile(a):
    x, y = tile_of(a.lon, a.lat, a.z)
    print(x, y)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("lua")
    s.add_argument("kind")
    s.add_argument("out")
    s.add_argument("--seed", type=int, default=11)
    s.set_defaults(fn=cmd_lua)
    s = sub.add_parser("writer")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--key", required=True)
    s.add_argument("--seconds", type=float, required=True)
    s.add_argument("--rate", type=float, default=30, help="requests per second (POSTs and PATCHes together)")
    s.add_argument("--patch-every", type=int, default=4, help="every Nth request is a PATCH (0: none)")
    s.add_argument("--workers", type=int, default=4)
    s.add_argument("--seed", type=int, default=5)
    s.add_argument("--tag", default="load")
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_writer)
    s = sub.add_parser("points")
    s.add_argument("n", type=int)
    s.add_argument("--seed", type=int, default=5)
    s.set_defaults(fn=cmd_points)
    s = sub.add_parser("rss")
    s.add_argument("pid", type=int)
    s.add_argument("interval", type=float)
    s.add_argument("out")
    s.add_argument("--port", type=int, help="also record the tile cache's bytes from this server's /metrics")
    s.set_defaults(fn=cmd_rss)
    s = sub.add_parser("tile")
    s.add_argument("lon", type=float)
    s.add_argument("lat", type=float)
    s.add_argument("z", type=int)
    s.set_defaults(fn=cmd_tile)
    a = p.parse_args()
    sys.exit(a.fn(a) or 0)


if __name__ == "__main__":
    main()
