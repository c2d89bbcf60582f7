#!/usr/bin/env python3
"""A webhook receiver for trying and testing `taskmap hooks`: verifies each delivery's signature
(X-Taskmap-Signature: t=<unix>,v1=<hex HMAC-SHA-256 of "<t>.<body>">), drops repeats by X-Taskmap-Delivery, and
appends one JSON line per accepted delivery to OUT. This is what an SMS gateway or a messaging bot in front of team
leaders' phones would do first.

    scripts/hook-receiver.py PORT SECRET OUT.jsonl [--fail-first N] [--delay SECONDS]

Listens on 127.0.0.1 only. --fail-first N answers 503 to the first N requests (a receiver that is down); --delay
answers each request only after SECONDS (a slow gateway).
"""
import hashlib, hmac, http.server, json, sys, threading, time

port, secret, out = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
fail_first = int(sys.argv[sys.argv.index("--fail-first") + 1]) if "--fail-first" in sys.argv else 0
delay = float(sys.argv[sys.argv.index("--delay") + 1]) if "--delay" in sys.argv else 0.0
seen, lock, count = set(), threading.Lock(), [0]

class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        received = time.time()
        if delay:
            time.sleep(delay)
        with lock:
            count[0] += 1
            if count[0] <= fail_first:
                self.send_response(503); self.end_headers(); return
        parts = dict(p.split("=", 1) for p in self.headers.get("X-Taskmap-Signature", "").split(",") if "=" in p)
        expected = hmac.new(secret, parts.get("t", "").encode() + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, parts.get("v1", "")) or abs(time.time() - int(parts.get("t", "0"))) > 300:
            self.send_response(401); self.end_headers(); return
        delivery = self.headers.get("X-Taskmap-Delivery")
        with lock:
            if delivery not in seen:
                seen.add(delivery)
                with open(out, "a") as f:
                    f.write(json.dumps({"delivery": delivery, "event": self.headers.get("X-Taskmap-Event"),
                                        "received_at": received, "body": json.loads(body)}, ensure_ascii=False) + "\n")
        self.send_response(200); self.end_headers()

    def log_message(self, *args):
        pass

http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
