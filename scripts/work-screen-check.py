#!/usr/bin/env python3
"""Drives the work screen (/work) in headless Chromium over the DevTools protocol, as a field worker and then a
supervisor would use it on a phone, and prints what it saw as JSON (the Swift test asserts on it):

    scripts/work-screen-check.py BASE STAFF_KEY SUPERVISOR_KEY OUT_DIR

1. a phone (390 x 844): log in with the staff key -> the list (ids, departments), a screenshot;
2. resolve the first item with a note (the page's prompts answered) -> the list after;
3. log out, log in as the supervisor -> "awaiting approval" holds it; approve -> gone; a desk screenshot (1400 x 900).
Uses python3-websocket (Debian) and the chromium binary; listens on loopback only.
"""
import base64, json, os, shutil, subprocess, sys, tempfile, time, urllib.request

import websocket

base, staff, supervisor, out = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
chromium = shutil.which("chromium") or shutil.which("chromium-browser")
profile = tempfile.mkdtemp(prefix="taskmap-cdp-")
port = 9300 + os.getpid() % 500
proc = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                         f"--remote-debugging-port={port}", "--remote-debugging-address=127.0.0.1", f"--user-data-dir={profile}",
                         "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(100):
        try:
            pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
            page = next(p for p in pages if p.get("type") == "page")
            break
        except Exception:
            time.sleep(0.1)
    ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
    seq = [0]

    def call(method, **params):
        seq[0] += 1
        ws.send(json.dumps({"id": seq[0], "method": method, "params": params}))
        while True:
            m = json.loads(ws.recv())
            if m.get("id") == seq[0]:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})

    def js(expr):
        r = call("Runtime.evaluate", expression=expr, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expr[:80]}: {r['exceptionDetails']}")
        return r.get("result", {}).get("value")

    def wait(expr, seconds=10):
        end = time.time() + seconds
        while time.time() < end:
            if js(expr):
                return True
            time.sleep(0.1)
        return False

    def size(w, h, mobile):
        call("Emulation.setDeviceMetricsOverride", width=w, height=h, deviceScaleFactor=1, mobile=mobile)

    def shot(name):
        time.sleep(0.8)  # tiles
        data = call("Page.captureScreenshot", format="png")["data"]
        with open(os.path.join(out, name), "wb") as f:
            f.write(base64.b64decode(data))

    def login(key):
        js(f"document.getElementById('key').value = {json.dumps(key)}; document.getElementById('login').requestSubmit(); true")
        return wait("document.body.dataset.items !== undefined && document.getElementById('app').style.display === 'block'")

    def items():
        return js("Array.from(document.querySelectorAll('.item')).map(e => Number(e.dataset.id))")

    result = {}
    call("Page.enable")
    call("Runtime.enable")
    size(390, 844, True)
    call("Page.navigate", url=base + "/work?live=0")
    wait("document.readyState === 'complete'")
    result["login_form_shown"] = js("getComputedStyle(document.getElementById('login')).display !== 'none'")
    result["staff_logged_in"] = login(staff)
    result["staff_items"] = items()
    result["staff_who"] = js("document.getElementById('who').textContent")
    result["approval_tab_visible_to_staff"] = js("getComputedStyle(document.getElementById('tab-approval')).display !== 'none'")
    result["key_in_url"] = js("location.href.includes('tmk_')")
    result["touch_targets_min_px"] = js("Math.min(...Array.from(document.querySelectorAll('.actions button, #tabs button, #sort')).filter(b => b.offsetParent !== null).map(b => b.getBoundingClientRect().height))")
    shot("work-phone.png")
    first = result["staff_items"][0] if result["staff_items"] else None
    result["resolved_id"] = first
    if first is not None:
        js("window.prompt = (q) => q.startsWith('Fotoğraf') ? 'https://foto.belediye.local/1.jpg' : 'Çukur dolduruldu'; true")
        js(f"document.querySelector('button[data-act=resolve][data-id=\"{first}\"]').click(); true")
        wait(f"!Array.from(document.querySelectorAll('.item')).some(e => Number(e.dataset.id) === {first})")
        result["staff_items_after_resolve"] = items()
    # The supervisor, on a desk.
    js("sessionStorage.clear(); true")
    size(1400, 900, False)
    call("Page.navigate", url=base + "/work")  # live: the key's event stream is read (fetch with the key in a header)
    wait("document.readyState === 'complete'")
    result["supervisor_logged_in"] = login(supervisor)
    js("document.getElementById('tab-approval').click(); true")
    wait("document.getElementById('tab-approval').classList.contains('on') && document.body.dataset.items !== undefined")
    time.sleep(0.5)
    result["approval_items"] = items()
    shot("work-desk.png")
    if first is not None and first in result["approval_items"]:
        js(f"document.querySelector('button[data-act=approve][data-id=\"{first}\"]').click(); true")
        wait(f"!Array.from(document.querySelectorAll('.item')).some(e => Number(e.dataset.id) === {first})")
        result["approval_items_after_approve"] = items()
    # A change made elsewhere (another screen, through the API) reaches this one through the stream, no reload.
    others = items()
    if others:
        other = others[0]
        req = urllib.request.Request(f"{base}/api/complaints/{other}", data=json.dumps({"status": "closed"}).encode(), method="PATCH",
                                     headers={"Content-Type": "application/json", "X-API-Key": supervisor})
        urllib.request.urlopen(req).read()
        result["live_removed"] = wait(f"!Array.from(document.querySelectorAll('.item')).some(e => Number(e.dataset.id) === {other})", 8)
    result["list_beside_map"] = js("document.getElementById('side').getBoundingClientRect().right <= document.getElementById('map').getBoundingClientRect().left + 1")
    print(json.dumps(result))
finally:
    proc.terminate()
    proc.wait()
    shutil.rmtree(profile, ignore_errors=True)
