import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// Builds the task-map server: opens the store, loads the snapshot, wires the routes. `taskmap serve` and the
/// tests call this same function. `tiles` is the tile renderer (nil: tile endpoints answer 503).
public func buildApplication(_ config: ServerConfiguration, tiles: (any TileSource)? = nil) async throws -> some ApplicationProtocol {
    try buildApplication(config, store: try openServerStore(config), tiles: tiles)
}

/// The store a server runs on: the PostGIS pool when `databasePath` is a PostgreSQL URL (its connections named
/// `taskmap serve HOST:PORT` in pg_stat_activity, for `taskmap pool status`), else the SpatiaLite file with
/// background checkpoints.
public func openServerStore(_ config: ServerConfiguration) throws -> any ComplaintStore {
    if PostGISStore.isURL(config.databasePath) {
        // A statement that runs 30 s on a server's request path is stuck (a lock, a dying network): give up, answer
        // 503, keep serving from memory. Imports and migrations run from the CLI without this limit.
        return try PostGISStore(url: config.databasePath, applicationName: "taskmap serve \(config.host):\(config.port)",
                                sessionSetup: ["SET statement_timeout = '30s'"])
    }
    let store = try SpatiaLiteStore(path: config.databasePath)
    try store.startBackgroundCheckpoints()
    return store
}

/// Builds the server on an open store (any `ComplaintStore`).
public func buildApplication(_ config: ServerConfiguration, store: any ComplaintStore,
                             tiles: (any TileSource)? = nil) throws -> some ApplicationProtocol {
    try buildApplication(config, store: store, tiles: tiles, writeLimiter: RateLimiter(config))
}

/// The same with a given write limiter (tests pass one with their own clock).
func buildApplication(_ config: ServerConfiguration, store: any ComplaintStore, tiles: (any TileSource)?,
                      writeLimiter: RateLimiter?) throws -> some ApplicationProtocol {
    var logger = Logger(label: "taskmap")
    logger.logLevel = config.logLevel
    // A pool server follows the pool's change feed from the generation read before its snapshot is loaded.
    let pool = try (store as? PostGISStore).map { pool in
        let feed = PoolChangeFeed(store: pool, applicationName: "taskmap serve \(config.host):\(config.port) changes")
        return (pool, feed, try feed.generation())
    }
    let service = try TaskMapService(store: store, config: config)
    let tileHits = TileHits(service: service, source: tiles, cache: TileCache(capacityBytes: config.tileCacheBytes))
    let router = buildRouter(service: service, tileHits: tileHits, writeLimiter: writeLimiter)
    // HTTP/1.1 with an idle timeout: a client that sends no complete request head (slowloris), stalls in its
    // body, or keeps an idle keep-alive connection is disconnected after `idleTimeoutSeconds`.
    let idleTimeout: Duration? = config.idleTimeoutSeconds > 0 ? .nanoseconds(Int64(config.idleTimeoutSeconds * 1e9)) : nil
    let serverName = "taskmap"
    let eventLoopHits = config.eventLoopTileHits && tiles != nil
        ? CachedTileResponder(hits: tileHits, serverName: serverName, exposeHeaders: exposedHeaders.joined(separator: ", "),
                              logger: logger)
        : nil
    // Hooks: the outbox is delivered beside the HTTP server (stopped with it).
    var services: [any Service] = (store as? any HookOutbox).map {
        var options = config.hooks
        options.slaHours = config.slaHours
        options.defaultSLAHours = config.defaultSLAHours
        return [HookDeliverer(store: $0, options: options, metrics: service.metrics, logger: logger)]
    } ?? []
    if let (pool, feed, generation) = pool {
        services.append(PoolListener(service: service, store: pool, feed: feed, generation: generation, logger: logger))
    }
    let app = Application(
        router: router,
        server: HTTPServerBuilder { responder in
            TaskMapHTTP1Channel(responder: responder, idleTimeout: idleTimeout, tileHits: eventLoopHits)
        },
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: serverName),
        services: services,
        logger: logger)
    return app
}

/// Response headers a browser script on another origin may read (CORS).
let exposedHeaders = ["ETag", "Location", "X-Tile-Cache", "Retry-After"]

func buildRouter(service: TaskMapService, tiles: (any TileSource)?, writeLimiter: RateLimiter? = nil) -> Router<BasicRequestContext> {
    buildRouter(service: service, tileHits: TileHits(service: service, source: tiles,
                                                     cache: TileCache(capacityBytes: service.config.tileCacheBytes)),
                writeLimiter: writeLimiter)
}

func buildRouter(service: TaskMapService, tileHits: TileHits, writeLimiter: RateLimiter?) -> Router<BasicRequestContext> {
    let tiles = tileHits.source
    let router = Router(context: BasicRequestContext.self, options: [.autoGenerateHeadEndpoints])
    // Outermost first: the access log sees the final status of everything, CORS decorates errors too,
    // and the error middleware turns every thrown error into a JSON (or Open311) body.
    router.add(middleware: AccessLogMiddleware(metrics: service.metrics))
    router.add(middleware: CORSMiddleware(
        allowOrigin: .all,
        allowHeaders: [.contentType, .apiKey, .idempotencyKey, .ifNoneMatch, .lastEventID],
        allowMethods: [.get, .head, .post, .patch, .options],
        exposedHeaders: exposedHeaders,
        maxAge: .seconds(3600)))
    // Hummingbird's CORS middleware names the exposed headers on preflight answers only; a browser reads them
    // from the actual response.
    router.add(middleware: CORSExposeHeadersMiddleware(headers: exposedHeaders.joined(separator: ", ")))
    router.add(middleware: ErrorMiddleware())

    let tileCache = tileHits.cache
    router.addRoutes(OperationsController(service: service, tileCacheFigures: { tileCache.figures },
                                          renderCacheBytes: { tiles?.cacheBytes ?? 0 }).endpoints)
    router.addRoutes(ComplaintsController(service: service, writeLimiter: writeLimiter).endpoints, atPath: "/api/complaints")
    router.addRoutes(WorkController(service: service).endpoints, atPath: "/api/work")
    router.addRoutes(GeocodeController(service: service).endpoints, atPath: "/api/geocode")
    router.addRoutes(MahalleController(service: service).endpoints, atPath: "/api/mahalle")
    router.addRoutes(NeedsController(service: service).endpoints, atPath: "/api")
    router.addRoutes(EventsController(service: service).endpoints, atPath: "/api/events")
    router.addRoutes(Open311Controller(service: service, writeLimiter: writeLimiter).endpoints, atPath: "/open311/v2")
    router.addRoutes(TilesController(hits: tileHits).endpoints, atPath: "/tiles")
    router.addRoutes(StaticController(directory: service.config.leafletDirectory).endpoints, atPath: "/static/leaflet")
    router.addRoutes(ViewerController(service: service, layers: tiles?.layerIDs ?? []).endpoints)
    return router
}
