#!/usr/bin/env python3
"""Freshness across servers on one PostGIS pool (issue 17): how long after server A answers 201 to a POSTed
complaint does server B serve the changed heat tile containing it?

    scripts/bench-pool-freshness.py URL_A URL_B API_KEY [--count 200] [--zoom 15] [--poll-ms 1] [--timeout 10]

URL_A, URL_B: http://127.0.0.1:PORT of two `taskmap serve --db postgresql://…` on the same pool; API_KEY: a key
that may create complaints (intake or above) on A. For each of COUNT complaints (category yol, channel web, a point
jittered around 36.9405 E, 37.5855 N in the sample district; seeded, the same points every run):
  1. GET B's heat tile at ZOOM containing the point (baseline ETag and bytes; also B's current state);
  2. POST /api/complaints to A; the clock starts when A's 201 has been read;
  3. GET the same tile from B every POLL_MS until its ETag or bytes differ; the clock stops when that answer has
     been read (so the lag includes one tile request: an upper bound, resolution POLL_MS plus a request).
Prints one line: p50/p99/max of the lag, how many polls it took and how long the changed answer's own request
took (B renders the tile again: the lag's floor), the POSTs' own p50/p99, and how many never changed within TIMEOUT s.
Exits 1 when any tile stayed stale. Python 3 standard library only (urllib, time.perf_counter).
"""
import argparse
import json
import math
import random
import sys
import time
import urllib.request


def tile_of(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.headers.get("ETag"), r.read()


def quantile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * q))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("key")
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--zoom", type=int, default=15)
    ap.add_argument("--poll-ms", type=float, default=1.0)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--lon", type=float, default=36.9405)
    ap.add_argument("--lat", type=float, default=37.5855)
    ap.add_argument("--jitter", type=float, default=0.002, help="degrees, uniform ± around the point")
    args = ap.parse_args()
    a, b = args.a.rstrip("/"), args.b.rstrip("/")
    rng = random.Random(17)
    lags, posts, stale, polls, lasts = [], [], 0, [], []
    for i in range(args.count):
        lon = args.lon + rng.uniform(-args.jitter, args.jitter)
        lat = args.lat + rng.uniform(-args.jitter, args.jitter)
        x, y = tile_of(lon, lat, args.zoom)
        tile = f"{b}/tiles/heat/{args.zoom}/{x}/{y}.png"
        etag0, body0 = get(tile)
        body = json.dumps({"category": "yol", "lat": round(lat, 6), "lon": round(lon, 6), "channel": "web",
                           "description": f"bench-pool-freshness {i}"}).encode()
        req = urllib.request.Request(f"{a}/api/complaints", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "X-API-Key": args.key})
        t_send = time.perf_counter()
        with urllib.request.urlopen(req, timeout=10) as r:
            r.read()
            if r.status != 201:
                sys.exit(f"bench-pool-freshness: POST answered {r.status}, expected 201")
        t0 = time.perf_counter()
        posts.append(t0 - t_send)
        n = 0
        while True:
            n += 1
            t_get = time.perf_counter()
            etag, data = get(tile)
            t1 = time.perf_counter()
            if etag != etag0 or data != body0:
                lags.append(t1 - t0)
                polls.append(n)
                lasts.append(t1 - t_get)
                break
            if t1 - t0 > args.timeout:
                stale += 1
                break
            time.sleep(args.poll_ms / 1000.0)
    ms = lambda s: f"{s * 1000:.1f} ms"
    who = "A's own" if a == b else "B's"
    line = (f"{args.count} complaints POSTed to A, {who} z{args.zoom} heat tile containing each polled every "
            f"{args.poll_ms:g} ms: changed after p50 {ms(quantile(lags, 0.5))}, p99 {ms(quantile(lags, 0.99))}, "
            f"max {ms(max(lags))} from A's 201 (polls p50 {quantile(polls, 0.5)}, max {max(polls)}; the changed answer's own request, a "
            f"re-render, p50 {ms(quantile(lasts, 0.5))}); "
            f"POST itself p50 {ms(quantile(posts, 0.5))}, p99 {ms(quantile(posts, 0.99))}; "
            f"never changed within {args.timeout:g} s: {stale}") if lags else f"no tile changed within {args.timeout:g} s: {stale}/{args.count}"
    print(line)
    sys.exit(1 if stale else 0)


if __name__ == "__main__":
    main()
