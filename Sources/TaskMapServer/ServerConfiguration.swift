import Foundation
import Logging

/// Everything `taskmap serve` can be told. Defaults are what the CLI uses.
public struct ServerConfiguration: Sendable {
    /// The taskmap store (a SpatiaLite file made by `taskmap init`).
    public var databasePath: String
    /// Listen address. Loopback by default: put a reverse proxy (TLS, rate limits) in front for the internet.
    public var host = "127.0.0.1"
    public var port = 8080
    /// XYZ template (`https://…/{z}/{x}/{y}.png`) of a city's own base map for the viewer; nil = no base map.
    public var basemapURL: String?
    /// Largest accepted request body; intake bodies are a few hundred bytes. Larger → 413.
    public var maxBodyBytes = 64 * 1024
    /// Possible duplicates: open complaints of the same category within this distance…
    public var duplicateRadiusMetres = 50.0
    /// …created at most this many days before the new one.
    public var duplicateDays = 30
    /// `GET /api/complaints`: features returned when `limit` is not given, and the largest `limit` accepted.
    public var queryDefaultLimit = 500
    public var queryMaxLimit = 5_000
    /// Open311 `requests.json`: the spec's defaults (last 90 days, at most 1000 requests).
    public var open311DefaultDays = 90
    public var open311MaxResults = 1_000
    /// Tile cache size in bytes of PNG (keys and bookkeeping are small next to it).
    public var tileCacheBytes = 256 * 1024 * 1024
    /// `Cache-Control: max-age` for tiles, in seconds. Short: a new complaint changes the ETag, and clients
    /// revalidate with `If-None-Match` (→ 304) after this.
    public var tileMaxAgeSeconds = 30
    /// Debian's libjs-leaflet, served under `/static/leaflet/` (the machines are offline: no CDN).
    public var leafletDirectory = "/usr/share/javascript/leaflet"
    /// Server-Sent Events kept for clients that reconnect with `Last-Event-ID`.
    public var eventReplayCount = 512
    /// Hook delivery: concurrency, timeout, back-off, expiry.
    public var hooks = HookDeliverer.Options()
    /// Resolution targets in hours by category code (others: `defaultSLAHours`): the work screen's "overdue".
    public var slaHours: [String: Double] = [:]
    public var defaultSLAHours = 72.0
    /// Comment line sent on idle SSE connections so proxies keep them open, in seconds.
    public var eventHeartbeatSeconds = 15.0
    /// A connection is closed when no complete request head (or body part) arrived for this long, and when it
    /// sits idle between requests this long: slow or stalled clients do not hold sockets. Responses being
    /// written (event streams) are not cut. 0 = no timeout.
    public var idleTimeoutSeconds = 30.0
    /// Writes (POST and PATCH `/api/complaints`, Open311 POST) per minute per API key; 0 = not limited. Over the
    /// limit → 429 with `Retry-After`.
    public var writeRateLimitPerMinute = 600
    /// Writes a key may make at once before the per-minute rate applies (the token bucket's size).
    public var writeRateLimitBurst = 60
    /// Tile renders and analytics queued or running at most (they run one per core, in arrival order); beyond it
    /// a request gets 503 with `Retry-After` at once.
    public var workQueueLimit = 1_024
    /// Cached tiles are answered on the connection's event loop (`CachedTileHandler`); false sends every request
    /// through the router (same answers, about half the cached-tile throughput; for comparison and tests).
    public var eventLoopTileHits = true
    /// Access log and server log level.
    public var logLevel: Logger.Level = .info

    public init(databasePath: String) { self.databasePath = databasePath }
}
