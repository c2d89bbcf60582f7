/// The work screen (`GET /work`) for departments and field teams: log in with a staff key (kept in this tab's
/// sessionStorage and sent only as the `X-API-Key` header to this origin — never in a URL, no cookies, so no CSRF),
/// the department's open work as a list and on a map (newest, oldest, nearest to me, overdue first), each item's
/// description, contact and photos, and the actions: assign to a team, start, resolve with a note and a photo link,
/// reject with a reason, reopen; a supervisor's "awaiting approval" list approves (closes) or sends back. New and
/// changed work appears without reloading (the public event stream tells the page when to re-read its list).
/// Phone first: one column with big touch targets at 390 px; on a desk the list and the map side by side.
enum WorkPage {
    static let html = #"""
<!DOCTYPE html>
<html lang="tr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>taskmap — iş ekranı</title>
<link rel="stylesheet" href="/static/leaflet/leaflet.css">
<style>
  html, body { margin: 0; height: 100%; font: 15px/1.35 system-ui, sans-serif; color: #1f2933; background: #f6f6f3; }
  header { display: flex; align-items: center; gap: 8px; padding: 8px 12px; background: #263238; color: #fff; }
  header h1 { font-size: 17px; margin: 0; flex: 1; }
  header button { background: #455a64; color: #fff; border: 0; border-radius: 6px; padding: 8px 10px; font-size: 14px; }
  #login { max-width: 420px; margin: 40px auto; padding: 16px; background: #fff; border-radius: 10px; box-shadow: 0 1px 4px rgba(0,0,0,.2); }
  #login input { width: 100%; box-sizing: border-box; font-size: 16px; padding: 12px; margin: 8px 0; }
  button.big, #login button { min-height: 44px; font-size: 16px; border-radius: 8px; border: 1px solid #90a4ae; background: #fff; padding: 8px 12px; }
  button.primary { background: #1565c0; color: #fff; border-color: #1565c0; }
  #app { display: none; position: absolute; top: 48px; bottom: 0; left: 0; right: 0; }
  #side { position: absolute; top: 0; bottom: 0; left: 0; width: 460px; display: flex; flex-direction: column; background: #fff; border-right: 1px solid #ccc; }
  #map { position: absolute; top: 0; bottom: 0; left: 460px; right: 0; }
  #tabs { display: flex; border-bottom: 1px solid #ddd; }
  #tabs button { flex: 1; min-height: 48px; border: 0; background: #fff; font-size: 15px; border-bottom: 3px solid transparent; }
  #tabs button.on { border-bottom-color: #1565c0; font-weight: 600; }
  #tools { display: flex; gap: 6px; padding: 6px 8px; align-items: center; }
  #tools select { flex: 1; min-height: 44px; font-size: 15px; }
  #list { flex: 1; overflow-y: auto; }
  .item { border-bottom: 1px solid #e3e3e3; padding: 10px 12px; }
  .item.sel { background: #e8f1fb; }
  .item .top { display: flex; justify-content: space-between; gap: 8px; }
  .item .cat { font-weight: 600; }
  .item .where, .item .meta { font-size: 13px; color: #52606d; }
  .item .desc { margin: 6px 0; }
  .badge { display: inline-block; font-size: 12px; padding: 1px 6px; border-radius: 10px; background: #eceff1; }
  .badge.overdue { background: #c62828; color: #fff; }
  .actions { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
  .actions button { min-height: 44px; min-width: 44px; font-size: 15px; border-radius: 8px; border: 1px solid #90a4ae; background: #fff; padding: 6px 12px; }
  .actions button.go { background: #2e7d32; color: #fff; border-color: #2e7d32; }
  .actions button.no { color: #c62828; border-color: #c62828; }
  #msg { padding: 6px 12px; font-size: 13px; color: #c62828; min-height: 18px; }
  .empty { padding: 24px 12px; color: #52606d; }
  @media (max-width: 700px) {
    #side { width: auto; right: 0; bottom: 38%; border-right: 0; }
    #map { left: 0; top: 62%; }
  }
</style>
</head>
<body>
<header><h1>İş ekranı</h1><span id="who"></span><button id="logout" type="button" style="display:none">Çıkış</button></header>
<form id="login">
  <h2 style="margin-top:0">Giriş</h2>
  <p>Müdürlüğünüzün personel anahtarını girin. Anahtar yalnız bu sekmede tutulur ve yalnız bu sunucuya gönderilir.</p>
  <input id="key" type="password" autocomplete="off" placeholder="tmk_…" aria-label="Anahtar">
  <button type="submit" class="primary">Giriş</button>
  <div id="login-msg" style="color:#c62828;margin-top:8px"></div>
</form>
<div id="app">
  <div id="side">
    <div id="tabs"><button id="tab-open" class="on" type="button">Açık işler <span id="n-open"></span></button>
      <button id="tab-approval" type="button">Onay bekleyen <span id="n-approval"></span></button></div>
    <div id="tools"><select id="sort" aria-label="Sıra">
      <option value="newest">En yeni</option><option value="oldest">En eski</option>
      <option value="overdue">Süresi geçen önce</option><option value="nearest">Bana en yakın</option></select>
      <span id="n-overdue" class="badge overdue" title="süresi geçen"></span></div>
    <form id="find" style="display:flex;gap:6px;padding:0 8px 6px"><input id="address" type="search" placeholder="Adres: Gül Sk. No:3, Şehitler Mah."
      aria-label="Adres" style="flex:1;min-height:44px;font-size:15px"><button type="submit" class="big">Bul</button></form>
    <div id="found"></div>
    <div id="msg"></div>
    <div id="list"></div>
  </div>
  <div id="map"></div>
</div>
<script src="/static/leaflet/leaflet.js"></script>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const state = { key: sessionStorage.getItem("taskmap.key"), view: "open", items: [], here: null, markers: null, selected: null, role: null };
let map = null;

// Every call goes to this origin only, with the key in a header.
async function api(path, options = {}) {
  const headers = Object.assign({ "X-API-Key": state.key }, options.headers || {});
  const r = await fetch(path, Object.assign({}, options, { headers, credentials: "omit", cache: "no-store" }));
  let body = null;
  try { body = await r.json(); } catch (e) {}
  if (!r.ok) throw new Error((body && body.error) || ("HTTP " + r.status));
  return body;
}

function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]); }

async function login(key) {
  state.key = key;
  try {
    const data = await api("/api/work?limit=1");
    sessionStorage.setItem("taskmap.key", key);
    state.role = data.role;
    $("who").textContent = data.key + " · " + data.role;
    $("login").style.display = "none";
    $("app").style.display = "block";
    $("logout").style.display = "";
    $("tab-approval").style.display = (data.role === "supervisor" || data.role === "admin") ? "" : "none";
    if (!map) {
      map = L.map("map", { zoomControl: true });
      state.markers = L.layerGroup().addTo(map);
      const meta = await (await fetch("/api/meta")).json();
      if (meta.basemap) L.tileLayer(meta.basemap, { maxZoom: 19 }).addTo(map);
      L.tileLayer("/tiles/boundaries/{z}/{x}/{y}{r}.png", { maxZoom: 19 }).addTo(map);
      L.tileLayer("/tiles/labels/{z}/{x}/{y}{r}.png", { maxZoom: 19 }).addTo(map);
      if (meta.bounds) map.fitBounds([[meta.bounds[1], meta.bounds[0]], [meta.bounds[3], meta.bounds[2]]]);
      listen();
    }
    await load();
  } catch (e) {
    state.key = null;
    sessionStorage.removeItem("taskmap.key");
    $("login-msg").textContent = e.message;
  }
}

async function load() {
  const q = new URLSearchParams({ view: state.view, sort: $("sort").value, limit: "300" });
  if (state.here) { q.set("lat", state.here.lat.toFixed(6)); q.set("lon", state.here.lon.toFixed(6)); }
  try {
    const data = await api("/api/work?" + q.toString());
    state.items = data.items;
    $("n-open").textContent = "(" + data.counts.open + ")";
    $("n-approval").textContent = "(" + data.counts.approval + ")";
    $("n-overdue").textContent = data.counts.overdue ? data.counts.overdue + " süresi geçmiş" : "";
    $("msg").textContent = "";
    render();
  } catch (e) { $("msg").textContent = e.message; }
  document.body.dataset.items = String(state.items.length);
}

const statusTR = { open: "açık", assigned: "atandı", in_progress: "işlemde", resolved: "çözüldü", closed: "kapandı", rejected: "reddedildi" };

function actionsFor(it) {
  if (state.view === "approval") return [["approve", "Onayla", "go"], ["sendback", "Geri gönder", "no"]];
  const a = [["assign", "Ekibe ata", ""]];
  if (it.status !== "in_progress") a.push(["start", "Başla", ""]);
  a.push(["resolve", "Çözüldü", "go"], ["reject", "Reddet", "no"]);
  return a;
}

function render() {
  const list = $("list");
  list.innerHTML = "";
  state.markers.clearLayers();
  if (!state.items.length) { list.innerHTML = '<div class="empty">Burada bekleyen iş yok.</div>'; return; }
  for (const it of state.items) {
    const div = document.createElement("div");
    div.className = "item" + (state.selected === it.id ? " sel" : "");
    div.dataset.id = it.id;
    const where = [it.mahalle, it.street && (it.street + (it.door ? " No:" + it.door : "")), it.district].filter(Boolean).join(", ");
    const contact = [it.contact.name, it.contact.phone && ('<a href="tel:' + esc(it.contact.phone) + '">' + esc(it.contact.phone) + "</a>")].filter(Boolean).join(" · ");
    const media = (it.media_urls || []).map((u, i) => '<a href="' + esc(u) + '" target="_blank" rel="noopener noreferrer">foto ' + (i + 1) + "</a>").join(" ");
    div.innerHTML = '<div class="top"><span class="cat">#' + it.id + " " + esc(it.category_name || it.category) + "</span>" +
      '<span><span class="badge">' + esc(statusTR[it.status] || it.status) + "</span> " + (it.overdue ? '<span class="badge overdue">süresi geçti</span>' : "") + "</span></div>" +
      '<div class="where">' + esc(where) + (it.distance_m != null ? " · " + (it.distance_m < 1000 ? it.distance_m + " m" : (it.distance_m / 1000).toFixed(1) + " km") : "") + "</div>" +
      (it.description ? '<div class="desc">' + esc(it.description) + "</div>" : "") +
      '<div class="meta">' + esc(it.age_hours < 48 ? Math.round(it.age_hours) + " saat önce" : Math.round(it.age_hours / 24) + " gün önce") +
      (it.team ? " · ekip: " + esc(it.team) : "") + (contact ? " · " + contact : "") + (media ? " · " + media : "") + "</div>" +
      '<div class="actions">' + actionsFor(it).map(([k, label, cls]) => '<button type="button" class="' + cls + '" data-act="' + k + '" data-id="' + it.id + '">' + label + "</button>").join("") + "</div>";
    list.appendChild(div);
    const m = L.circleMarker([it.location.lat, it.location.lon], { radius: 8, weight: 2, color: "#fff", fillColor: it.overdue ? "#c62828" : "#1565c0", fillOpacity: 0.9 })
      .bindTooltip("#" + it.id + " " + (it.category_name || it.category));
    m.on("click", () => select(it.id, true));
    state.markers.addLayer(m);
  }
}

function select(id, scroll) {
  state.selected = id;
  for (const el of document.querySelectorAll(".item")) el.classList.toggle("sel", Number(el.dataset.id) === id);
  const it = state.items.find((x) => x.id === id);
  if (it && map) map.panTo([it.location.lat, it.location.lon]);
  if (scroll) { const el = document.querySelector('.item[data-id="' + id + '"]'); if (el) el.scrollIntoView({ block: "nearest" }); }
}

async function act(kind, id) {
  const body = {};
  if (kind === "assign") { const t = prompt("Ekip adı"); if (!t) return; body.status = "assigned"; body.team = t; }
  if (kind === "start") body.status = "in_progress";
  if (kind === "resolve") {
    const n = prompt("Yapılan iş (not)"); if (n === null) return;
    const photo = prompt("Fotoğraf bağlantısı (isteğe bağlı)") || "";
    body.status = "resolved"; body.note = (n + (photo ? " · foto: " + photo : "")).trim();
  }
  if (kind === "reject") { const r = prompt("Ret gerekçesi"); if (!r) return; body.status = "rejected"; body.note = r; }
  if (kind === "approve") body.status = "closed";
  if (kind === "sendback") { const r = prompt("Geri gönderme nedeni"); if (!r) return; body.status = "in_progress"; body.note = r; }
  try {
    await api("/api/complaints/" + id, { method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    $("msg").textContent = "";
    await load();
  } catch (e) { $("msg").textContent = e.message; }
}

// Live: the key's departments' event stream (read with fetch: the key goes in a header, which EventSource cannot
// send) says that work changed; the list is re-read. Reconnects after a dropped connection.
async function listen() {
  if (new URLSearchParams(location.search).get("live") === "0") return;
  let pending = null;
  const again = () => { clearTimeout(pending); pending = setTimeout(load, 400); };
  while (state.key) {
    try {
      const r = await fetch("/api/work/events", { headers: { "X-API-Key": state.key }, credentials: "omit", cache: "no-store" });
      if (!r.ok || !r.body) throw new Error("HTTP " + r.status);
      const reader = r.body.getReader(), dec = new TextDecoder();
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, i); buf = buf.slice(i + 2);
          if (/^event: (created|updated)$/m.test(block)) again();
        }
      }
    } catch (e) {}
    await new Promise((res) => setTimeout(res, 3000));
  }
}

// The address box: the store's own parcels and mahalle (GET /api/geocode), a pin on the map for each place.
$("find").addEventListener("submit", async (e) => {
  e.preventDefault();
  const q = $("address").value.trim();
  if (!q) return;
  const r = await (await fetch("/api/geocode?" + new URLSearchParams({ q }).toString())).json();
  const found = $("found");
  found.innerHTML = "";
  if (!r.candidates || !r.candidates.length) { found.innerHTML = '<div class="empty" style="padding:4px 12px">Adres bulunamadı.</div>'; return; }
  const precisionTR = { door: "kapı", street: "sokak/cadde", mahalle: "mahalle" };
  for (const c of r.candidates) {
    const b = document.createElement("button");
    b.type = "button"; b.className = "big"; b.style.margin = "0 8px 6px";
    b.textContent = [c.street && (c.street + (c.door ? " No:" + c.door : "")), c.mahalle, c.district].filter(Boolean).join(", ") + " (" + precisionTR[c.precision] + ")";
    b.addEventListener("click", () => { map.setView([c.lat, c.lon], c.precision === "mahalle" ? 15 : 18); L.marker([c.lat, c.lon]).addTo(state.markers); });
    found.appendChild(b);
  }
});
$("login").addEventListener("submit", (e) => { e.preventDefault(); $("login-msg").textContent = ""; login($("key").value.trim()); });
$("logout").addEventListener("click", () => { sessionStorage.removeItem("taskmap.key"); location.reload(); });
$("list").addEventListener("click", (e) => {
  const b = e.target.closest("button[data-act]");
  if (b) { act(b.dataset.act, Number(b.dataset.id)); return; }
  const item = e.target.closest(".item");
  if (item && e.target.tagName !== "A") select(Number(item.dataset.id), false);
});
for (const v of ["open", "approval"]) $("tab-" + v).addEventListener("click", () => {
  state.view = v;
  $("tab-open").classList.toggle("on", v === "open"); $("tab-approval").classList.toggle("on", v === "approval");
  load();
});
$("sort").addEventListener("change", () => {
  if ($("sort").value === "nearest" && !state.here) {
    navigator.geolocation.getCurrentPosition((p) => { state.here = { lat: p.coords.latitude, lon: p.coords.longitude }; load(); },
      () => { $("msg").textContent = "Konum alınamadı"; $("sort").value = "newest"; load(); });
    return;
  }
  load();
});
if (state.key) login(state.key);
</script>
</body>
</html>
"""#
}
