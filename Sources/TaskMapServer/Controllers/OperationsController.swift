import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird

/// `/healthz` and `/metrics`.
struct OperationsController<Context: RequestContext> {
    let service: TaskMapService
    /// The tile cache's figures for `/metrics` (bytes, entries), when tiles are served.
    let tileCacheFigures: @Sendable () -> (bytes: Int, entries: Int)
    /// Bytes in the tile renderer's per-filter caches.
    let renderCacheBytes: @Sendable () -> Int

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("healthz", use: health)
        routes.get("metrics", use: metrics)
        return routes
    }

    struct Health: Encodable {
        var status = "ok"
        var complaints: Int
        var dataVersion: UInt64
        enum CodingKeys: String, CodingKey { case status, complaints, dataVersion = "data_version" }
    }

    /// 200 while the store answers; 503 when it does not.
    @Sendable func health(request: Request, context: Context) async throws -> Response {
        do {
            _ = try service.store.districts()
        } catch {
            context.logger.error("health check: store does not answer", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, "store unavailable")
        }
        let (snap, version) = service.live.current()
        return JSONOutput.response(Health(complaints: snap.count, dataVersion: version), headers: [.cacheControl: "no-store"])
    }

    @Sendable func metrics(request: Request, context: Context) async throws -> Response {
        let (snap, version) = service.live.current()
        let cache = tileCacheFigures()
        let status = ((try? (service.store as? any HookOutbox)?.hookStatus()) ?? nil) ?? []
        let oldest = status.compactMap(\.oldestPendingAt).min()
        let hooks = (pending: status.reduce(0) { $0 + $1.pending }, oldest: oldest.map { max(0, Date().timeIntervalSince($0)) } ?? 0)
        let text = service.metrics.render(.init(complaints: snap.count, dataVersion: version, eventClients: service.events.clientCount,
                                                tileCacheBytes: cache.bytes, tileCacheEntries: cache.entries,
                                                sqliteMemoryBytes: SQLiteMemory.bytesInUse(), renderCacheBytes: renderCacheBytes(),
                                                hooksPending: hooks.pending, hooksOldestPendingSeconds: hooks.oldest))
        return JSONOutput.text(text, contentType: "text/plain; version=0.0.4; charset=utf-8", headers: [.cacheControl: "no-store"])
    }
}
