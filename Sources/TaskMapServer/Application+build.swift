import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird
import Logging

/// Builds the task-map server: opens the store, loads the snapshot, wires the routes. `taskmap serve` and the
/// tests call this same function. `tiles` is the tile renderer (nil: tile endpoints answer 503).
public func buildApplication(_ config: ServerConfiguration, tiles: (any TileSource)? = nil) async throws -> some ApplicationProtocol {
    let store = try SpatiaLiteStore(path: config.databasePath)
    try store.startBackgroundCheckpoints()
    return try buildApplication(config, store: store, tiles: tiles)
}

/// Builds the server on an open store (any `ComplaintStore`).
public func buildApplication(_ config: ServerConfiguration, store: any ComplaintStore,
                             tiles: (any TileSource)? = nil) throws -> some ApplicationProtocol {
    var logger = Logger(label: "taskmap")
    logger.logLevel = config.logLevel
    let service = try TaskMapService(store: store, config: config)
    let router = buildRouter(service: service, tiles: tiles)
    let app = Application(
        router: router,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "taskmap"),
        logger: logger)
    return app
}

func buildRouter(service: TaskMapService, tiles: (any TileSource)?) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self, options: [.autoGenerateHeadEndpoints])
    // Outermost first: the access log sees the final status of everything, CORS decorates errors too,
    // and the error middleware turns every thrown error into a JSON (or Open311) body.
    router.add(middleware: AccessLogMiddleware(metrics: service.metrics))
    router.add(middleware: CORSMiddleware(
        allowOrigin: .all,
        allowHeaders: [.contentType, .apiKey, .idempotencyKey, .ifNoneMatch, .lastEventID],
        allowMethods: [.get, .head, .post, .patch, .options],
        exposedHeaders: ["ETag", "Location", "X-Tile-Cache"],
        maxAge: .seconds(3600)))
    router.add(middleware: ErrorMiddleware())

    let tileCache = TileCache(capacityBytes: service.config.tileCacheBytes)
    router.addRoutes(OperationsController(service: service, tileCacheFigures: { tileCache.figures }).endpoints)
    router.addRoutes(ComplaintsController(service: service).endpoints, atPath: "/api/complaints")
    router.addRoutes(MahalleController(service: service).endpoints, atPath: "/api/mahalle")
    router.addRoutes(NeedsController(service: service).endpoints, atPath: "/api")
    router.addRoutes(EventsController(service: service).endpoints, atPath: "/api/events")
    router.addRoutes(Open311Controller(service: service).endpoints, atPath: "/open311/v2")
    router.addRoutes(TilesController(service: service, source: tiles, cache: tileCache).endpoints, atPath: "/tiles")
    router.addRoutes(StaticController(directory: service.config.leafletDirectory).endpoints, atPath: "/static/leaflet")
    router.addRoutes(ViewerController(service: service, layers: tiles?.layerIDs ?? []).endpoints)
    return router
}
