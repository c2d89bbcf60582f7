#!/usr/bin/env python3
"""The client side of scripts/crash-serve (Python standard library only).

  crash_serve_writer.py write --port P --key K --stop-file F --out RESULTS.json [--threads 4] [--run TAG]
      POSTs complaints in bursts from several threads until F exists; each complaint has its own uid and is
      retried after a connection error (or any answer but 200/201) with the SAME Idempotency-Key and/or
      external_ref until it is acknowledged. Three kinds, by uid % 3: both an Idempotency-Key header and an
      external_ref; the header only; the external_ref only. Every complaint's description carries its uid, so
      the store can be checked without trusting the server. Every attempt (start, end, outcome) is recorded.
  crash_serve_writer.py verify --db STORE --results RESULTS.json --kills KILLS.txt --base N [--port P]
      checks the store after the kills: every acknowledged complaint (201, or 200 = replay of an earlier commit)
      is there exactly once with the id it was acknowledged with, no complaint is there twice, each has one
      creation entry in its history, idempotency keys point at the right row, the total count adds up; with
      --port, GET /api/complaints/{id} on the restarted server returns each of them. Exit 1 on any violation.
"""
import argparse
import http.client
import json
import os
import random
import sqlite3
import sys
import threading
import time

CATS = ["yol", "temizlik", "park", "su", "aydinlatma", "cop", "kaldirim", "zabita"]
BOX = (36.86, 37.53, 37.04, 37.65)


def write(a):
    lock = threading.Lock()
    state = {"next": 0}
    results = {}      # uid → {"kind", "acks": [[status, id]], "attempts", "unexpected": [..]}
    attempts = []     # [uid, start, end, outcome]

    def new_uid():
        with lock:
            u = state["next"]
            state["next"] += 1
            return u

    def worker(t):
        rng = random.Random(1000 + t)
        conn = None

        def post(body, headers):
            """One POST on this worker's connection (opened when needed): (status, body text)."""
            nonlocal conn
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=20)
            conn.request("POST", "/api/complaints", body=body, headers=headers)
            r = conn.getresponse()
            return r.status, r.read().decode("utf-8", "replace")

        def drop():
            """Forget a connection the server may have lost (killed): the next POST opens a new one."""
            nonlocal conn
            if conn is not None:
                conn.close()
            conn = None
        while not os.path.exists(a.stop_file):
            burst = rng.randint(50, 300)
            for _ in range(burst):
                if os.path.exists(a.stop_file):
                    break
                uid = new_uid()
                kind = ("both", "header", "ref")[uid % 3]
                marker = f"crash-serve {a.run} {uid}"
                lon = round(rng.uniform(BOX[0], BOX[2]), 6)
                lat = round(rng.uniform(BOX[1], BOX[3]), 6)
                doc = {"lon": lon, "lat": lat, "category": CATS[uid % len(CATS)], "channel": "phone",
                       "description": marker}
                headers = {"Content-Type": "application/json", "X-API-Key": a.key}
                if kind in ("both", "ref"):
                    doc["external_ref"] = f"cs-{a.run}-{uid}"
                if kind in ("both", "header"):
                    headers["Idempotency-Key"] = f"cs-{a.run}-{uid}"
                body = json.dumps(doc)
                rec = {"kind": kind, "lon": lon, "lat": lat, "acks": [], "attempts": 0, "unexpected": []}
                with lock:
                    results[uid] = rec
                # Retry until acknowledged. After the stop file appears the server is up for good, so every
                # complaint started before then is still carried through.
                while True:
                    rec["attempts"] += 1
                    start = time.time()
                    try:
                        status, data = post(body, headers)
                        end = time.time()
                        if status in (200, 201):
                            cid = json.loads(data)["id"]
                            rec["acks"].append([status, cid])
                            with lock:
                                attempts.append([uid, start, end, str(status)])
                            break
                        if not (status == 503 and a.allow_503):
                            rec["unexpected"].append(f"{status}: {data[:200]}")
                        with lock:
                            attempts.append([uid, start, end, str(status)])
                        time.sleep(0.05)
                    except (OSError, http.client.HTTPException) as e:
                        end = time.time()
                        with lock:
                            attempts.append([uid, start, end, type(e).__name__])
                        drop()
                        time.sleep(0.03)
                    if rec["attempts"] > 2000:
                        rec["unexpected"].append("gave up after 2000 attempts")
                        break
                # Replay check: now and then ask again for an acknowledged complaint (must be a 200 with the same id).
                if rng.random() < 0.05 and rec["acks"]:
                    try:
                        status, data = post(body, headers)
                        if status in (200, 201):
                            rec["acks"].append([status, json.loads(data)["id"]])
                        elif not (status == 503 and a.allow_503):
                            rec["unexpected"].append(f"replay {status}: {data[:200]}")
                    except (OSError, http.client.HTTPException):
                        drop()
            time.sleep(rng.uniform(0.0, 0.3))
        drop()

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(a.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(a.out, "w") as f:
        json.dump({"results": results, "attempts": attempts}, f)
    print(f"writer: {len(results)} complaints, {len(attempts)} attempts")


class PsqlDB:
    """The same four queries against a PostGIS pool, through psql (no driver needed): rows as tuples of ints/strings."""

    class Rows(list):
        def fetchall(self):
            return list(self)

        def fetchone(self):
            return self[0] if self else None

    def __init__(self, url):
        self.url = url

    def execute(self, sql):
        import subprocess
        out = subprocess.run(["psql", self.url, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        rows = PsqlDB.Rows()
        for line in out.splitlines():
            rows.append(tuple(None if v == "" else int(v) if v.lstrip("-").isdigit() else v for v in line.split("\t")))
        return rows


def verify(a):
    with open(a.results) as f:
        doc = json.load(f)
    results = {int(k): v for k, v in doc["results"].items()}
    attempts = doc["attempts"]
    kills = [float(l.split()[0]) for l in open(a.kills) if l.strip()]
    bad = []

    db = PsqlDB(a.db) if a.db.startswith(("postgresql://", "postgres://")) else sqlite3.connect(a.db)
    rows = db.execute("SELECT id, description, external_ref FROM complaints WHERE description LIKE 'crash-serve %'").fetchall()
    by_marker = {}
    for cid, desc, ref in rows:
        by_marker.setdefault(desc, []).append((cid, ref))
    total = db.execute("SELECT count(*) FROM complaints").fetchone()[0]
    creation = dict(db.execute("""SELECT complaint_id, count(*) FROM complaint_history WHERE from_status IS NULL
                                  AND complaint_id IN (SELECT id FROM complaints WHERE description LIKE 'crash-serve %')
                                  GROUP BY complaint_id""").fetchall())
    idem = {}
    for key, cid in db.execute("SELECT key, complaint_id FROM idempotency_keys WHERE key LIKE 'cs-%'"):
        idem.setdefault(key, []).append(cid)

    acked = created = replays = stored_unacked = 0
    statuses = {}
    replay_kinds = {}
    for uid, rec in results.items():
        stored = by_marker.get(f"crash-serve {a.run} {uid}", [])
        for s, _ in rec["acks"]:
            statuses[s] = statuses.get(s, 0) + 1
        if len(stored) > 1:
            bad.append(f"uid {uid} ({rec['kind']}) is in the store {len(stored)} times: ids {[c for c, _ in stored]}")
            continue
        if rec["acks"]:
            acked += 1
            ids = {cid for _, cid in rec["acks"]}
            if rec["acks"][0][0] == 201:
                created += 1
            else:
                replays += 1
                replay_kinds[rec["kind"]] = replay_kinds.get(rec["kind"], 0) + 1
            if not stored:
                bad.append(f"uid {uid} ({rec['kind']}) was acknowledged ({rec['acks']}) but is not in the store")
                continue
            if len(ids) != 1 or stored[0][0] not in ids:
                bad.append(f"uid {uid}: acknowledged ids {sorted(ids)} but stored as {stored[0][0]}")
            if creation.get(stored[0][0], 0) != 1:
                bad.append(f"uid {uid}: {creation.get(stored[0][0], 0)} creation entries in complaint_history")
        elif stored:
            stored_unacked += 1
        if rec["kind"] in ("both", "header"):
            key = f"cs-{a.run}-{uid}"
            got = idem.get(key, [])
            if len(got) > 1 or (stored and got != [stored[0][0]]):
                bad.append(f"uid {uid}: idempotency key {key} → {got}, stored {stored}")
        if rec["kind"] in ("both", "ref") and stored and stored[0][1] != f"cs-{a.run}-{uid}":
            bad.append(f"uid {uid}: external_ref {stored[0][1]!r}")
        if rec["unexpected"]:
            bad.append(f"uid {uid}: unexpected answers {rec['unexpected'][:3]}")
    known = {f"crash-serve {a.run} {u}" for u in results}
    strays = [m for m in by_marker if m not in known]
    if strays:
        bad.append(f"{len(strays)} complaints in the store that the writer never sent: {strays[:3]}")
    ours = sum(len(v) for v in by_marker.values())
    if total != a.base + ours:
        bad.append(f"store has {total} complaints, expected {a.base} + {ours}")

    # Which kills landed while requests were in flight (mid-burst), and how many attempts each one cut.
    in_flight = []
    for k in kills:
        n = sum(1 for _, s, e, o in attempts if s <= k <= e)
        in_flight.append(n)
    conn_failures = sum(1 for *_, o in attempts if not o.isdigit())
    unexpected_status = sum(1 for *_, o in attempts if o.isdigit() and o not in ("200", "201", "503"))
    unavailable = sum(1 for *_, o in attempts if o == "503")

    # The restarted server answers for every acknowledged complaint.
    served = 0
    if a.port:
        conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=20)
        for uid, rec in results.items():
            if not rec["acks"]:
                continue
            cid = rec["acks"][0][1]
            conn.request("GET", f"/api/complaints/{cid}")
            r = conn.getresponse()
            data = r.read()
            if r.status != 200:
                bad.append(f"GET /api/complaints/{cid} → {r.status}")
                continue
            c = json.loads(data)
            loc = c.get("location", {})
            if abs(loc.get("lon", 0) - rec["lon"]) > 1e-6 or abs(loc.get("lat", 0) - rec["lat"]) > 1e-6:
                bad.append(f"GET /api/complaints/{cid}: location {loc} ≠ sent {rec['lon']}, {rec['lat']}")
                continue
            served += 1

    mid = sum(1 for n in in_flight if n > 0)
    print(f"crash-serve: {len(kills)} kills ({mid} with POSTs in flight: {in_flight}); {len(results)} complaints sent "
          f"in {len(attempts)} attempts ({conn_failures} cut by a kill or refused while down, {unavailable} answered 503 "
          f"(database unreachable), {unexpected_status} other statuses); "
          f"{acked} acknowledged ({created} first answer 201, {replays} first answer 200 = committed before a kill, answer "
          f"lost, retry replayed {replay_kinds}), {stored_unacked} stored but never acknowledged; in the store: {ours} of "
          f"ours, {sum(1 for v in by_marker.values() if len(v) > 1)} twice, total {total} = {a.base} + {ours}"
          + (f"; {served} served by GET after restart" if a.port else ""))
    for b in bad[:20]:
        print("VIOLATION:", b)
    if bad:
        print(f"crash-serve: FAIL, {len(bad)} violations")
        return 1
    if len(kills) < a.min_kills or mid < 1:
        print(f"crash-serve: FAIL, only {len(kills)} kills ({mid} mid-burst)")
        return 1
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("write")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--key", required=True)
    s.add_argument("--stop-file", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--threads", type=int, default=4)
    s.add_argument("--run", default="r1")
    s.add_argument("--allow-503", action="store_true", help="503 (database unreachable) is an expected answer: retried")
    s.set_defaults(fn=write)
    s = sub.add_parser("verify")
    s.add_argument("--db", required=True)
    s.add_argument("--results", required=True)
    s.add_argument("--kills", required=True)
    s.add_argument("--base", type=int, required=True)
    s.add_argument("--run", default="r1")
    s.add_argument("--port", type=int)
    s.add_argument("--min-kills", type=int, default=10)
    s.set_defaults(fn=verify)
    a = p.parse_args()
    sys.exit(a.fn(a) or 0)


if __name__ == "__main__":
    main()
