/// The browser viewer: one HTML page with Leaflet from `/static/leaflet/` (Debian's libjs-leaflet; no CDN).
/// Layer switches, filters, a month slider, the legend from TileJSON, a click on a mahalle for its figures (and
/// needs, when `/api/needs` answers), a click on a pin for the complaint's public fields, live updates from
/// `/api/events`. The optional base map comes from `taskmap serve --basemap`. The map's state (layer, filters,
/// month, centre and zoom) lives in the URL, so a link opens the same map and the back button walks through filter
/// changes. Below 700 px wide (a phone) the panel is a bottom sheet over a full-screen map.
enum ViewerPage {
    static let html = #"""
<!DOCTYPE html>
<html lang="tr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>taskmap — görev haritası</title>
<link rel="stylesheet" href="/static/leaflet/leaflet.css">
<style>
  html, body { margin: 0; height: 100%; font: 14px/1.35 system-ui, sans-serif; }
  #map { position: absolute; top: 0; bottom: 0; left: 300px; right: 0; background: #f4f3ef; }
  #panel { position: absolute; top: 0; bottom: 0; left: 0; width: 300px; overflow-y: auto; box-sizing: border-box;
           padding: 10px 12px; border-right: 1px solid #ccc; background: #fff; }
  h1 { font-size: 17px; margin: 0 0 6px; }
  fieldset { border: 1px solid #ddd; margin: 0 0 8px; padding: 6px 8px; }
  legend { font-weight: 600; }
  select { width: 100%; }
  label { display: block; }
  #month-label { font-weight: 600; }
  #legend .swatch { display: inline-block; width: 14px; height: 10px; margin-right: 4px; border: 1px solid #999; }
  #events { font-size: 12px; max-height: 160px; overflow-y: auto; }
  #events div { border-bottom: 1px solid #eee; padding: 2px 0; }
  #status { font-size: 12px; color: #555; }
  .popup table td { padding: 0 4px; vertical-align: top; }
  .popup .needs { margin-top: 4px; }
  #sheet-toggle { display: none; }
  /* A phone: the map takes the screen; the panel is a sheet that slides up from the bottom edge. */
  @media (max-width: 700px) {
    #map { left: 0; }
    #panel { top: auto; left: 0; right: 0; bottom: 0; width: auto; max-height: 75vh; border-right: 0;
             border-top: 1px solid #bbb; border-radius: 12px 12px 0 0; box-shadow: 0 -2px 10px rgba(0,0,0,.25);
             z-index: 1000; padding-top: 0; transform: translateY(calc(100% - 52px)); transition: transform .2s; }
    body.sheet-open #panel { transform: translateY(0); }
    #sheet-toggle { display: block; width: 100%; height: 52px; border: 0; background: none; color: #222;
                    font: 600 16px system-ui, sans-serif; }
    label { padding: 6px 0; }
    select { font-size: 16px; min-height: 44px; }
    input[type=range] { height: 44px; }
    input[type=radio], input[type=checkbox] { width: 24px; height: 24px; vertical-align: middle; }
    .leaflet-touch .leaflet-bar a { width: 44px; height: 44px; line-height: 44px; font-size: 22px; }
  }
</style>
</head>
<body>
<div id="panel">
  <button id="sheet-toggle" type="button" aria-expanded="false" aria-controls="panel">☰ Süzgeç ve lejant</button>
  <h1>Görev haritası</h1>
  <div id="status">yükleniyor…</div>
  <fieldset><legend>Katman</legend>
    <label><input type="radio" name="layer" value="heat" checked> Isı haritası</label>
    <label><input type="radio" name="layer" value="pins"> Noktalar</label>
    <label><input type="radio" name="layer" value="choropleth"> Mahalle (koroplet)</label>
    <label><input type="checkbox" id="boundaries" checked> Mahalle sınırları</label>
    <label><input type="checkbox" id="labels" checked> Mahalle adları</label>
    <label id="metric-box">Ölçü <select id="metric">
      <option value="count">şikâyet sayısı</option><option value="per1000">1000 kişide</option><option value="open">açık iş</option>
    </select></label>
  </fieldset>
  <fieldset><legend>Süzgeç</legend>
    <label>Kategori <select id="category" multiple size="5"></select></label>
    <label>Durum <select id="status-filter"><option value="">hepsi</option></select></label>
    <label>Kanal <select id="channel"><option value="">hepsi</option></select></label>
    <label><input type="checkbox" id="use-month"> Ay: <span id="month-label">—</span></label>
    <input type="range" id="month" min="0" max="0" value="0" style="width:100%">
  </fieldset>
  <fieldset><legend>Lejant</legend><div id="legend">—</div></fieldset>
  <fieldset><legend>Canlı</legend><div id="events"></div></fieldset>
</div>
<div id="map"></div>
<script src="/static/leaflet/leaflet.js"></script>
<script>
"use strict";
const state = { meta: null, months: [], version: 0, tiles: null, bounds: null, mahalle: null, pins: null };
const map = L.map("map", { zoomControl: true, preferCanvas: true });
map.createPane("labels");
map.getPane("labels").style.zIndex = 450;          // over tiles and the mahalle overlay, under pins and popups
map.getPane("labels").style.pointerEvents = "none"; // taps go to the mahalle under a name
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function currentLayer() { return document.querySelector("input[name=layer]:checked").value; }

function filterQuery() {
  const q = new URLSearchParams();
  const cats = Array.from($("category").selectedOptions).map((o) => o.value);
  if (cats.length) q.set("category", cats.join(","));
  if ($("status-filter").value) q.set("status", $("status-filter").value);
  if ($("channel").value) q.set("channel", $("channel").value);
  if ($("use-month").checked && state.months.length) q.set("month", state.months[+$("month").value]);
  return q;
}

function tileURL(layer, extra) {
  const q = filterQuery();
  if (layer === "choropleth") q.set("metric", $("metric").value);
  if (extra) for (const [k, v] of Object.entries(extra)) q.set(k, v);
  q.set("v", state.version);  // a new data version makes the browser revalidate (the server keeps its ETags)
  return "/tiles/" + layer + "/{z}/{x}/{y}{r}.png?" + q.toString();
}

function refreshTiles() {
  const layer = currentLayer();
  if (!state.hasTiles) {  // no tile renderer in this build: the mahalle layer draws a choropleth itself
    $("metric-box").style.display = "";
    loadMahalle();
    loadPins();
    return;
  }
  if (state.tiles) map.removeLayer(state.tiles);
  state.tiles = L.tileLayer(tileURL(layer), { maxZoom: 19, detectRetina: false, opacity: 0.85,
    attribution: "taskmap" }).addTo(map);
  if (state.bounds) map.removeLayer(state.bounds);
  state.bounds = null;
  if ($("boundaries").checked) state.bounds = L.tileLayer(tileURL("boundaries"), { maxZoom: 19 }).addTo(map);
  // Names sit above the colours and below markers; they do not depend on filters or data (one URL, cached).
  if (state.labels) map.removeLayer(state.labels);
  state.labels = null;
  if ($("labels").checked) state.labels = L.tileLayer("/tiles/labels/{z}/{x}/{y}{r}.png", { maxZoom: 19, pane: "labels" }).addTo(map);
  $("metric-box").style.display = layer === "choropleth" ? "" : "none";
  loadLegend(layer);
  loadMahalle();
  loadPins();
}

// The legend comes from the same filter as the tiles (the server computes both from one set of classes and
// scales); a heat scale is per zoom, so the heat legend follows the map's zoom.
map.on("zoomend", () => { if (state.hasTiles && currentLayer() === "heat") loadLegend("heat"); });

async function loadLegend(layer) {
  const q = filterQuery();
  if (layer === "choropleth") q.set("metric", $("metric").value);
  const z = map.getZoom();
  if (layer === "heat" && Number.isFinite(z)) q.set("zoom", String(Math.round(z)));
  try {
    const r = await fetch("/tiles/" + layer + ".json?" + q.toString());
    if (!r.ok) { $("legend").textContent = "lejant yok (" + r.status + ")"; return; }
    const tj = await r.json();
    const lg = tj.legend || { title: "", stops: [] };
    $("legend").innerHTML = "<div>" + esc(lg.title) + "</div>" + lg.stops.map((s) =>
      '<div><span class="swatch" style="background:' + esc(s.color) + '"></span>' + esc(s.label) + "</div>").join("");
  } catch (e) { $("legend").textContent = "lejant yüklenemedi"; }
}

// Mahalle polygons (invisible, clickable): a click shows the mahalle's figures and, if available, its needs.
async function loadMahalle() {
  const r = await fetch("/api/mahalle?" + filterQuery().toString());
  if (!r.ok) return;
  const gj = await r.json();
  if (state.mahalle) map.removeLayer(state.mahalle);
  let style = { weight: 0, fillOpacity: 0, opacity: 0 };
  if (!state.hasTiles) {
    const key = { count: "complaints", per1000: "per_1000", open: "open" }[$("metric").value];
    const values = gj.features.map((f) => f.properties[key] || 0);
    const max = Math.max(1, ...values);
    const colors = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"];
    const color = (v) => colors[Math.min(4, Math.floor((v || 0) / max * 5))];
    style = (f) => ({ weight: 1, color: "#444", opacity: 0.8, fillOpacity: 0.6, fillColor: color(f.properties[key]) });
    $("legend").innerHTML = "<div>" + esc($("metric").selectedOptions[0].textContent) + " (mahalle)</div>" + colors.map((c, i) =>
      '<div><span class="swatch" style="background:' + c + '"></span>' + (max * i / 5).toFixed(1) + " – " + (max * (i + 1) / 5).toFixed(1) + "</div>").join("");
  }
  state.mahalle = L.geoJSON(gj, { style: style,
    onEachFeature: (f, l) => l.on("click", (ev) => showMahalle(f.properties, ev.latlng)) }).addTo(map);
  if (state.pins) state.pins.bringToFront();
}

async function showMahalle(p, latlng) {
  let html = '<div class="popup"><b>' + esc(p.name) + "</b> (" + esc(p.district) + ")<table>" +
    "<tr><td>Nüfus</td><td>" + esc(p.population) + "</td></tr>" +
    "<tr><td>Şikâyet</td><td>" + esc(p.complaints) + (p.per_1000 != null ? " (" + esc(p.per_1000) + " / 1000)" : "") + "</td></tr>" +
    "<tr><td>Açık</td><td>" + esc(p.open) + "</td></tr>" +
    "<tr><td>En çok</td><td>" + p.top_categories.map((c) => esc(c.name || c.code) + ": " + esc(c.count)).join("<br>") + "</td></tr></table>";
  const popup = L.popup().setLatLng(latlng).setContent(html + "</div>").openOn(map);
  try {
    const q = new URLSearchParams({ mahalle: String(p.id) });
    if ($("use-month").checked && state.months.length) q.set("month", state.months[+$("month").value]);
    const r = await fetch("/api/needs?" + q.toString());
    if (r.ok) {
      const report = await r.json();
      const m = (report.ranking || []).find((x) => x.mahalleID === p.id);
      if (m) {
        const fmt = (v, d) => (v == null ? "—" : Number(v).toFixed(d));
        html += '<div class="needs"><b>İhtiyaç (' + esc(report.period && report.period.label) + ")</b><br>" +
          esc(m.count) + " şikâyet, 1.000 kişide " + fmt(m.per1000, 1) + ", gözlenen/beklenen " + fmt(m.oe, 2) +
          ", açık iş " + esc(m.backlog) + (m.needs.length ? "<br>Öne çıkanlar: " + m.needs.map((n) =>
            esc(n.name) + " +" + fmt(n.excess, 0) + " (" + fmt(n.oe, 2) + "×)").join(", ") : "<br>Belirgin bir fazlalık yok.") + "</div>";
        popup.setContent(html + "</div>");
      }
    }
  } catch (e) { /* needs are optional */ }
}

// Pins as clickable circles at high zoom (tiles draw them; these only catch clicks and show the complaint).
async function loadPins() {
  if (state.pins) { map.removeLayer(state.pins); state.pins = null; }
  if (map.getZoom() < 15) return;
  const b = map.getBounds();
  const q = filterQuery();
  q.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(","));
  q.set("limit", "1000");
  const r = await fetch("/api/complaints?" + q.toString());
  if (!r.ok) return;
  const gj = await r.json();
  state.pins = L.geoJSON(gj, { pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 6, weight: 1, color: "#333", fillOpacity: 0.01, opacity: 0.2 }),
    onEachFeature: (f, l) => l.on("click", () => showComplaint(f.id, l)) }).addTo(map);
}

async function showComplaint(id, layer) {
  const r = await fetch("/api/complaints/" + encodeURIComponent(id));
  if (!r.ok) return;
  const c = await r.json();
  const rows = [["No", c.id], ["Kategori", c.category_name || c.category], ["Durum", c.status], ["Kanal", c.channel],
    ["Tarih", c.created_at], ["Mahalle", c.mahalle && c.mahalle.name], ["Adres", [c.street, c.door].filter(Boolean).join(" No:")],
    ["Birim", c.department], ["Ekip", c.team]];
  layer.bindPopup('<div class="popup"><table>' + rows.filter((r) => r[1] != null && r[1] !== "")
    .map((r) => "<tr><td>" + esc(r[0]) + "</td><td>" + esc(r[1]) + "</td></tr>").join("") + "</table></div>").openPopup();
}

function listenForEvents() {
  // ?live=0 (screenshots, kiosks that reload) keeps no event stream open, so the page can go network-idle.
  if (new URLSearchParams(location.search).get("live") === "0") return;
  const es = new EventSource("/api/events");
  let pending = null;
  const onEvent = (kind) => (ev) => {
    const c = JSON.parse(ev.data);
    const div = document.createElement("div");
    div.textContent = (kind === "created" ? "yeni " : "güncel ") + "#" + c.id + " " + (c.category_name || c.category) + " — " +
      (c.mahalle ? c.mahalle.name : "?") + " (" + c.status + ")";
    $("events").prepend(div);
    state.version++;
    clearTimeout(pending);
    pending = setTimeout(() => { if (state.tiles) state.tiles.setUrl(tileURL(currentLayer())); if (state.bounds) state.bounds.setUrl(tileURL("boundaries"));
      loadMahalle(); loadPins(); }, 500);
  };
  es.addEventListener("created", onEvent("created"));
  es.addEventListener("updated", onEvent("updated"));
}

// The map's state in the URL: a planner's link opens the same map for the mayor's office. Filter and layer
// changes push a history entry (the back button walks through them); panning and zooming only replace it.
function stateParams() {
  const q = filterQuery();
  const layer = currentLayer();
  if (layer !== "heat") q.set("layer", layer);
  if (layer === "choropleth") q.set("metric", $("metric").value);
  if (!$("boundaries").checked) q.set("boundaries", "0");
  if (!$("labels").checked) q.set("labels", "0");
  const c = map.getCenter();
  q.set("z", String(map.getZoom()));
  q.set("lat", c.lat.toFixed(5));
  q.set("lon", c.lng.toFixed(5));
  const live = new URLSearchParams(location.search).get("live");
  if (live) q.set("live", live);
  return q;
}

function saveState(push) {
  const url = location.pathname + "?" + stateParams().toString();
  if (url !== location.pathname + location.search) {
    if (push) history.pushState(null, "", url); else history.replaceState(null, "", url);
  }
  document.body.dataset.state = location.search;
}

// Applies a URL's state to the controls (and the view, when it has one); true when it set the view.
function applyState(q) {
  const layer = q.get("layer") || "heat";
  for (const r of document.querySelectorAll("input[name=layer]")) r.checked = r.value === layer;
  if (q.get("metric")) $("metric").value = q.get("metric");
  $("boundaries").checked = q.get("boundaries") !== "0";
  $("labels").checked = q.get("labels") !== "0";
  const cats = (q.get("category") || "").split(",").filter(Boolean);
  for (const o of $("category").options) o.selected = cats.includes(o.value);
  $("status-filter").value = q.get("status") || "";
  $("channel").value = q.get("channel") || "";
  const i = q.get("month") ? state.months.indexOf(q.get("month")) : -1;
  $("use-month").checked = i >= 0;
  if (i >= 0) { $("month").value = String(i); $("month-label").textContent = state.months[i]; }
  const z = Number(q.get("z")), lat = Number(q.get("lat")), lon = Number(q.get("lon"));
  if (q.has("z") && q.has("lat") && q.has("lon") && [z, lat, lon].every(Number.isFinite)) { map.setView([lat, lon], z); return true; }
  return false;
}

// How much of the window the map shows (the part the sheet does not cover): kept on <body> for tests.
function measure() {
  const m = $("map").getBoundingClientRect(), p = $("panel").getBoundingClientRect();
  const w = window.innerWidth, h = window.innerHeight;
  const area = (r) => Math.max(0, Math.min(r.right, w) - Math.max(r.left, 0)) * Math.max(0, Math.min(r.bottom, h) - Math.max(r.top, 0));
  const overlap = { left: Math.max(m.left, p.left), right: Math.min(m.right, p.right), top: Math.max(m.top, p.top), bottom: Math.min(m.bottom, p.bottom) };
  const covered = overlap.right > overlap.left && overlap.bottom > overlap.top ? area(overlap) : 0;
  document.body.dataset.mapCover = ((area(m) - covered) / (w * h)).toFixed(3);
}

function toggleSheet(open) {
  const isOpen = document.body.classList.toggle("sheet-open", open);
  $("sheet-toggle").setAttribute("aria-expanded", String(isOpen));
  setTimeout(() => { map.invalidateSize(); measure(); }, 250);
}

async function start() {
  const meta = await (await fetch("/api/meta")).json();
  state.meta = meta;
  state.version = meta.data_version;
  state.hasTiles = meta.layers.length > 0;
  if (meta.basemap) L.tileLayer(meta.basemap, { maxZoom: 19, attribution: "base map" }).addTo(map);
  for (const c of meta.categories) $("category").add(new Option(c.name + " (" + c.code + ")", c.code));
  for (const s of meta.statuses) $("status-filter").add(new Option(s, s));
  for (const c of meta.channels) $("channel").add(new Option(c, c));
  if (meta.first_month && meta.last_month) {
    let [y, m] = meta.first_month.split("-").map(Number);
    while (true) {
      const label = y + "-" + String(m).padStart(2, "0");
      state.months.push(label);
      if (label >= meta.last_month) break;
      m++; if (m > 12) { m = 1; y++; }
    }
    $("month").max = String(state.months.length - 1);
    $("month").value = String(state.months.length - 1);
    $("month-label").textContent = state.months[state.months.length - 1];
  }
  if (!applyState(new URLSearchParams(location.search))) {
    if (meta.bounds) map.fitBounds([[meta.bounds[1], meta.bounds[0]], [meta.bounds[3], meta.bounds[2]]]);
    else map.setView([39, 35], 6);
  }
  $("status").textContent = meta.complaints + " şikâyet";
  for (const el of document.querySelectorAll("input[name=layer], #boundaries, #labels, #metric, #category, #status-filter, #channel, #use-month"))
    el.addEventListener("change", () => { refreshTiles(); saveState(true); });
  $("month").addEventListener("input", () => { $("month-label").textContent = state.months[+$("month").value] || "—"; });
  $("month").addEventListener("change", () => { $("use-month").checked = true; refreshTiles(); saveState(true); });
  map.on("moveend", () => { loadPins(); saveState(false); });
  window.addEventListener("popstate", () => { applyState(new URLSearchParams(location.search)); refreshTiles(); document.body.dataset.state = location.search; });
  $("sheet-toggle").addEventListener("click", () => toggleSheet());
  map.on("click", () => { if (document.body.classList.contains("sheet-open")) toggleSheet(false); });
  window.addEventListener("resize", measure);
  if (new URLSearchParams(location.search).get("sheet") === "1") toggleSheet(true);  // a link that opens with the panel up
  refreshTiles();
  saveState(false);
  measure();
  listenForEvents();
}
start().catch((e) => { $("status").textContent = "hata: " + e; });
</script>
</body>
</html>
"""#
}
