import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird

/// `/tiles/{layer}/{z}/{x}/{y}.png` (and `{y}@2x.png`) and `/tiles/{layer}.json` (TileJSON 3.0.0).
/// Thin: validate the address and filters, look the tile up in the cache, render on a miss. ETags are strong
/// (a hash of the PNG bytes); a cached tile stays valid until a change lands under it (see `isStale`), so a
/// new complaint re-renders only the tiles it touches, and an unchanged re-render keeps its ETag.
struct TilesController<Context: RequestContext> {
    let service: TaskMapService
    let source: (any TileSource)?
    let cache: TileCache

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("{layer}.json", use: tileJSON)
        routes.get("{layer}/{z}/{x}/{y}.png", use: tile)
        return routes
    }

    private func layerSource(_ context: Context) throws -> (any TileSource, String) {
        guard let source else { throw APIError(.serviceUnavailable, "tile rendering is not available in this build") }
        let layer = context.parameters.get("layer") ?? ""
        guard source.layerIDs.contains(layer) else {
            throw APIError(.notFound, "unknown layer '\(layer)': expected \(source.layerIDs.joined(separator: "|"))", field: "layer")
        }
        return (source, layer)
    }

    private func metric(_ request: Request, source: any TileSource, layer: String) throws -> String? {
        let allowed = source.metrics(layer: layer)
        guard let m = request.query("metric") else { return allowed.first }
        guard !allowed.isEmpty else { throw APIError.badRequest("layer \(layer) takes no metric", field: "metric") }
        guard allowed.contains(m) else { throw APIError.badRequest("metric must be \(allowed.joined(separator: "|"))", field: "metric") }
        return m
    }

    @Sendable func tile(request: Request, context: Context) async throws -> Response {
        let (source, layer) = try layerSource(context)
        let (address, retina) = try TilePath.parse(layer: layer, z: context.parameters.get("z"), x: context.parameters.get("x"),
                                                   y: context.parameters.get("y"))
        let (z, x, y) = (address.z, address.x, address.y)
        guard (source.minZoom...source.maxZoom).contains(z) else {
            throw APIError(.notFound, "zoom \(z) outside \(source.minZoom)…\(source.maxZoom)", field: "z")
        }
        let filter = try request.complaintFilter()
        let metric = try metric(request, source: source, layer: layer)
        let key = TileCache.Key(layer: layer, z: z, x: x, y: y, retina: retina, filter: filter.canonicalKey, metric: metric)
        let (snap, version) = service.live.current()

        if let hit = cache.get(key) {
            if hit.version >= version || !isStale(since: hit.version, tile: address, layer: layer, source: source, snapshot: snap) {
                if hit.version < version { cache.revalidate(key, version: version) }
                service.metrics.tileCache(hit: true)
                return respond(hit, request: request, cacheState: "hit")
            }
        }
        service.metrics.tileCache(hit: false)
        let compiled = service.live.compile(filter, for: snap)
        let tileRequest = TileRequest(layer: layer, tile: address, retina: retina, filter: filter, metric: metric)
        let png = try await service.work.run("tile") {
            source.prepare(snapshot: snap, version: version)
            return try source.render(tileRequest, snapshot: snap, filter: compiled)
        }
        service.metrics.tileRendered(layer: layer)
        let entry = TileCache.Entry(png: ByteBuffer(bytes: png), etag: "\"\(String(FNV1a.hash(png), radix: 16))-\(png.count)\"",
                                    version: version)
        cache.put(key, entry)
        return respond(entry, request: request, cacheState: "miss")
    }

    /// Whether a change after `since` can alter this tile, by the layer's dependence.
    func isStale(since: UInt64, tile: TileAddress, layer: String, source: any TileSource, snapshot: ComplaintSnapshot) -> Bool {
        switch source.dependence(layer: layer) {
        case .none:
            return false
        case .anyChange:
            return true
        case .nearbyPoints(let buffer):
            let b = tile.fixedBox(bufferPixels: buffer)
            return service.live.changed(since: since, inBoxX: b.x0, b.x1, y: b.y0, b.y1)
        case .mahalleInTile:
            let bounds = tile.bounds
            var shown = Set<UInt16>()
            for m in service.live.mahalle where m.geometry.bbox.intersects(bounds) {
                if let i = snapshot.tables.mahalleIndex[m.id] { shown.insert(i) }
            }
            let b = tile.fixedBox()
            return service.live.changed(since: since, inBoxX: b.x0, b.x1, y: b.y0, b.y1, orMahalle: shown)
        }
    }

    private var cacheControl: String { "public, max-age=\(service.config.tileMaxAgeSeconds)" }

    private func respond(_ entry: TileCache.Entry, request: Request, cacheState: String) -> Response {
        var headers: HTTPFields = [.contentType: "image/png", .eTag: entry.etag, .cacheControl: cacheControl]
        headers[.tileCache] = cacheState
        if request.headers[values: .ifNoneMatch].contains(where: { $0 == entry.etag || $0 == "*" }) {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: entry.png))
    }

    // MARK: - TileJSON

    struct TileJSON: Encodable {
        var tilejson = "3.0.0"
        var name: String
        var description: String
        var version = "1.0.0"
        var attribution: String
        var scheme = "xyz"
        var tiles: [String]
        var minzoom: Int
        var maxzoom: Int
        var bounds: [Double]
        var center: [Double]
        var legend: TileLegend
        var metric: String?
        var dataVersion: UInt64
        enum CodingKeys: String, CodingKey {
            case tilejson, name, description, version, attribution, scheme, tiles, minzoom, maxzoom, bounds, center, legend,
                 metric, dataVersion = "data_version"
        }
    }

    /// TileJSON 3.0.0; the tiles URL keeps the request's query (filters, metric), so that the map a client
    /// builds from it shows the same selection.
    @Sendable func tileJSON(request: Request, context: Context) async throws -> Response {
        let (source, layer) = try layerSource(context)
        let filter = try request.complaintFilter()
        let metric = try metric(request, source: source, layer: layer)
        let (snap, version) = service.live.current()
        source.prepare(snapshot: snap, version: version)
        let host = request.head.authority ?? "\(service.config.host):\(service.config.port)"
        let query = request.uri.query.map { $0.isEmpty ? "" : "?\($0)" } ?? ""
        let b = service.mahalleBounds ?? BoundingBox(minLon: -180, minLat: -85.0511, maxLon: 180, maxLat: 85.0511)
        let centerZoom = Double(min(max(source.minZoom, 13), source.maxZoom))
        let body = TileJSON(
            name: "taskmap \(layer)", description: "Complaints, \(layer) layer" + (filter.canonicalKey.isEmpty ? "" : " (\(filter.canonicalKey))"),
            attribution: source.attribution, tiles: ["http://\(host)/tiles/\(layer)/{z}/{x}/{y}.png\(query)"],
            minzoom: source.minZoom, maxzoom: source.maxZoom, bounds: [b.minLon, b.minLat, b.maxLon, b.maxLat],
            center: [b.center.lon, b.center.lat, centerZoom],
            legend: source.legend(layer: layer, metric: metric, snapshot: snap, filter: service.live.compile(filter, for: snap)),
            metric: metric, dataVersion: version)
        return JSONOutput.response(body, headers: [.cacheControl: "no-cache"])
    }
}

extension HTTPField.Name {
    /// `X-Tile-Cache: hit|miss` on tile responses.
    static let tileCache = HTTPField.Name("X-Tile-Cache")!
}

/// The `{z}/{x}/{y}` (or `{y}@2x`) parameters of a tile URL → a validated address; 400 naming `z` otherwise.
/// Separate from the handler so that the fuzz target `FuzzTilePath` (Fuzz/) can call it.
enum TilePath {
    static func parse(layer: String, z zText: String?, x xText: String?, y yParam: String?) throws -> (TileAddress, retina: Bool) {
        var yText = yParam ?? ""
        let retina = yText.hasSuffix("@2x")
        if retina { yText.removeLast(3) }
        guard let z = Int(zText ?? ""), let x = Int(xText ?? ""), let y = Int(yText) else {
            throw APIError.badRequest("tile address must be integers: /tiles/\(layer)/{z}/{x}/{y}.png", field: "z")
        }
        guard let address = TileAddress(z: z, x: x, y: y) else {
            throw APIError.badRequest("tile \(z)/\(x)/\(y) does not exist (0 ≤ x, y < 2^z, 0 ≤ z ≤ 30)", field: "z")
        }
        return (address, retina)
    }
}
