import Foundation

/// Counters and histograms for `GET /metrics` (Prometheus text exposition format 0.0.4). Routes are the
/// router's templates (`/api/complaints/{id}`), so the label set stays small.
final class ServerMetrics: @unchecked Sendable {
    /// Latency histogram bucket bounds in seconds.
    static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    private struct RequestKey: Hashable { var method: String; var route: String; var status: Int }
    private struct Histogram {
        var counts = [UInt64](repeating: 0, count: ServerMetrics.buckets.count)
        var sum = 0.0
        var count: UInt64 = 0
        mutating func record(_ seconds: Double) {
            if let i = ServerMetrics.buckets.firstIndex(where: { seconds <= $0 }) { counts[i] += 1 }
            sum += seconds
            count += 1
        }
    }

    private let lock = NSLock()
    private var requests: [RequestKey: UInt64] = [:]
    private var latency: [String: Histogram] = [:]
    private var workQueued: [String: Histogram] = [:]
    private var workRan: [String: Histogram] = [:]
    private var tilesRendered: [String: UInt64] = [:]
    private var tileCacheHits: UInt64 = 0
    private var eventLoopTileHits: UInt64 = 0
    private var tileCacheMisses: UInt64 = 0
    private var notModified: UInt64 = 0
    private var complaintsCreated: UInt64 = 0
    private var workflowChanges: UInt64 = 0
    private var rateLimitedWrites: UInt64 = 0
    private var workRejections: UInt64 = 0
    private var hookDeliveries: [String: UInt64] = ["delivered": 0, "failed": 0, "expired": 0]

    func recordRequest(method: String, route: String, status: Int, seconds: Double) {
        lock.withLock { countRequest(method: method, route: route, status: status, seconds: seconds) }
    }

    /// The request counters; the caller holds `lock`.
    private func countRequest(method: String, route: String, status: Int, seconds: Double) {
        requests[RequestKey(method: method, route: route, status: status), default: 0] += 1
        // In place: no copy of the histogram per request.
        latency[route, default: Histogram()].record(seconds)
        if status == 304 { notModified += 1 }
    }

    /// One piece of `WorkPool` work: seconds it waited for a thread, seconds it ran.
    func recordWork(kind: String, queued: Double, ran: Double) {
        lock.withLock {
            workQueued[kind, default: Histogram()].record(queued)
            workRan[kind, default: Histogram()].record(ran)
        }
    }

    func tileRendered(layer: String) { lock.withLock { tilesRendered[layer, default: 0] += 1 } }
    /// A tile cache hit answered on the event loop (`CachedTileHandler`): the request and the hit in one lock.
    func tileHitAnswered(route: String, status: Int, seconds: Double) {
        lock.withLock {
            countRequest(method: "GET", route: route, status: status, seconds: seconds)
            tileCacheHits += 1
            eventLoopTileHits += 1
        }
    }

    func tileCache(hit: Bool) { lock.withLock { if hit { tileCacheHits += 1 } else { tileCacheMisses += 1 } } }
    func complaintCreated() { lock.withLock { complaintsCreated += 1 } }
    /// Pool (PostGIS) servers only: whether the change feed's connection is up, and changes applied from it.
    private var pool: (connected: Bool, applied: Int)?
    func poolConnected(_ up: Bool) { lock.withLock { pool = (up, pool?.applied ?? 0) } }
    func poolChangesApplied(_ n: Int) { lock.withLock { pool = (pool?.connected ?? true, (pool?.applied ?? 0) + n) } }
    func workflowChanged() { lock.withLock { workflowChanges += 1 } }
    func rateLimited() { lock.withLock { rateLimitedWrites += 1 } }
    func workRejected() { lock.withLock { workRejections += 1 } }
    func hookDelivered() { lock.withLock { hookDeliveries["delivered", default: 0] += 1 } }
    func hookFailed() { lock.withLock { hookDeliveries["failed", default: 0] += 1 } }
    func hookExpired() { lock.withLock { hookDeliveries["expired", default: 0] += 1 } }

    /// Gauges the caller knows (complaints in the snapshot, data version, SSE clients, cache bytes).
    struct Gauges {
        var complaints: Int
        var dataVersion: UInt64
        var eventClients: Int
        var tileCacheBytes: Int
        var tileCacheEntries: Int
        /// Heap SQLite holds (page caches of every connection, statements): bounded by `cache_size`.
        var sqliteMemoryBytes: Int64 = 0
        /// The tile renderer's per-filter caches (bounded; emptied by every write).
        var renderCacheBytes: Int = 0
        /// Hook deliveries waiting (to be sent or retried), and the age of the oldest in seconds.
        var hooksPending: Int = 0
        var hooksOldestPendingSeconds: Double = 0
    }

    func render(_ g: Gauges) -> String {
        lock.withLock {
            var out = ""
            func esc(_ s: String) -> String {
                s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                    .replacingOccurrences(of: "\n", with: "\\n")
            }

            out += "# HELP taskmap_http_requests_total HTTP requests by method, route and status.\n"
            out += "# TYPE taskmap_http_requests_total counter\n"
            for (k, v) in requests.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
                out += "taskmap_http_requests_total{method=\"\(esc(k.method))\",route=\"\(esc(k.route))\",status=\"\(k.status)\"} \(v)\n"
            }
            func histograms(_ name: String, _ help: String, label: String, _ family: [String: Histogram]) {
                out += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
                for (value, h) in family.sorted(by: { $0.key < $1.key }) {
                    let l = "\(label)=\"\(esc(value))\""
                    var cumulative: UInt64 = 0
                    for (i, b) in Self.buckets.enumerated() {
                        cumulative += h.counts[i]
                        out += "\(name)_bucket{\(l),le=\"\(String(b))\"} \(cumulative)\n"
                    }
                    out += "\(name)_bucket{\(l),le=\"+Inf\"} \(h.count)\n"
                    out += "\(name)_sum{\(l)} \(h.sum)\n\(name)_count{\(l)} \(h.count)\n"
                }
            }
            histograms("taskmap_http_request_duration_seconds", "Time to produce the response (headers and buffered body).",
                       label: "route", latency)
            histograms("taskmap_work_queue_seconds", "Time CPU-heavy work (tile renders, analytics) waited for a worker thread.",
                       label: "kind", workQueued)
            histograms("taskmap_work_seconds", "Time CPU-heavy work (tile renders, analytics) ran on a worker thread.",
                       label: "kind", workRan)
            out += "# HELP taskmap_http_not_modified_total Responses answered 304 from If-None-Match.\n"
            out += "# TYPE taskmap_http_not_modified_total counter\ntaskmap_http_not_modified_total \(notModified)\n"
            out += "# HELP taskmap_tile_cache_hits_total Tile requests answered from the tile cache.\n"
            out += "# TYPE taskmap_tile_cache_hits_total counter\ntaskmap_tile_cache_hits_total \(tileCacheHits)\n"
            out += "# HELP taskmap_tile_cache_hits_event_loop_total Of those, answered on the connection's event loop.\n"
            out += "# TYPE taskmap_tile_cache_hits_event_loop_total counter\n"
            out += "taskmap_tile_cache_hits_event_loop_total \(eventLoopTileHits)\n"
            out += "# HELP taskmap_tile_cache_misses_total Tile requests that had to render.\n"
            out += "# TYPE taskmap_tile_cache_misses_total counter\ntaskmap_tile_cache_misses_total \(tileCacheMisses)\n"
            out += "# HELP taskmap_tiles_rendered_total Tiles rendered, by layer.\n"
            out += "# TYPE taskmap_tiles_rendered_total counter\n"
            for (layer, v) in tilesRendered.sorted(by: { $0.key < $1.key }) {
                out += "taskmap_tiles_rendered_total{layer=\"\(esc(layer))\"} \(v)\n"
            }
            out += "# HELP taskmap_tile_cache_bytes PNG bytes held in the tile cache.\n"
            out += "# TYPE taskmap_tile_cache_bytes gauge\ntaskmap_tile_cache_bytes \(g.tileCacheBytes)\n"
            out += "# HELP taskmap_tile_cache_entries Tiles held in the tile cache.\n"
            out += "# TYPE taskmap_tile_cache_entries gauge\ntaskmap_tile_cache_entries \(g.tileCacheEntries)\n"
            out += "# HELP taskmap_sqlite_memory_bytes Heap memory SQLite holds (page caches, statements), sqlite3_memory_used().\n"
            out += "# TYPE taskmap_sqlite_memory_bytes gauge\ntaskmap_sqlite_memory_bytes \(g.sqliteMemoryBytes)\n"
            out += "# HELP taskmap_render_cache_bytes Bytes in the tile renderer's per-filter caches (candidate and key lists).\n"
            out += "# TYPE taskmap_render_cache_bytes gauge\ntaskmap_render_cache_bytes \(g.renderCacheBytes)\n"
            out += "# HELP taskmap_complaints Complaints in the in-memory snapshot.\n"
            out += "# TYPE taskmap_complaints gauge\ntaskmap_complaints \(g.complaints)\n"
            out += "# HELP taskmap_data_version Data version (bumped by every insert or work-flow change).\n"
            out += "# TYPE taskmap_data_version gauge\ntaskmap_data_version \(g.dataVersion)\n"
            out += "# HELP taskmap_complaints_created_total Complaints created through the API and Open311.\n"
            out += "# TYPE taskmap_complaints_created_total counter\ntaskmap_complaints_created_total \(complaintsCreated)\n"
            out += "# HELP taskmap_workflow_changes_total Work-flow changes (PATCH).\n"
            out += "# TYPE taskmap_workflow_changes_total counter\ntaskmap_workflow_changes_total \(workflowChanges)\n"
            out += "# HELP taskmap_rate_limited_total Writes refused with 429 (per-key write rate limit).\n"
            out += "# TYPE taskmap_rate_limited_total counter\ntaskmap_rate_limited_total \(rateLimitedWrites)\n"
            out += "# HELP taskmap_work_rejected_total Requests refused with 503 because the work queue was full.\n"
            out += "# TYPE taskmap_work_rejected_total counter\ntaskmap_work_rejected_total \(workRejections)\n"
            out += "# HELP taskmap_hook_deliveries_total Hook delivery attempts by result (failed ones are retried until they expire).\n"
            out += "# TYPE taskmap_hook_deliveries_total counter\n"
            for r in ["delivered", "failed", "expired"] { out += "taskmap_hook_deliveries_total{result=\"\(r)\"} \(hookDeliveries[r] ?? 0)\n" }
            out += "# HELP taskmap_hooks_pending Hook deliveries in the outbox, not yet delivered or expired.\n"
            out += "# TYPE taskmap_hooks_pending gauge\ntaskmap_hooks_pending \(g.hooksPending)\n"
            out += "# HELP taskmap_hooks_oldest_pending_seconds Age of the oldest pending hook delivery.\n"
            out += "# TYPE taskmap_hooks_oldest_pending_seconds gauge\ntaskmap_hooks_oldest_pending_seconds \(String(format: "%.1f", g.hooksOldestPendingSeconds))\n"
            if let pool {
                out += "# HELP taskmap_pool_connected Whether the PostGIS pool's change feed is connected (1) or being re-established (0).\n"
                out += "# TYPE taskmap_pool_connected gauge\ntaskmap_pool_connected \(pool.connected ? 1 : 0)\n"
                out += "# HELP taskmap_pool_changes_applied_total Complaints changed by other servers or tools, applied from the change feed.\n"
                out += "# TYPE taskmap_pool_changes_applied_total counter\ntaskmap_pool_changes_applied_total \(pool.applied)\n"
            }
            out += "# HELP taskmap_event_clients Connected Server-Sent Events clients.\n"
            out += "# TYPE taskmap_event_clients gauge\ntaskmap_event_clients \(g.eventClients)\n"
            return out
        }
    }
}
