import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird

/// `/tiles/{layer}/{z}/{x}/{y}.png` (and `{y}@2x.png`) and `/tiles/{layer}.json` (TileJSON 3.0.0).
/// Thin: validate the address and filters, look the tile up in the cache, render on a miss. ETags are strong
/// (a hash of the PNG bytes); a cached tile stays valid until a change lands under it (see `isStale`), so a
/// new complaint re-renders only the tiles it touches, and an unchanged re-render keeps its ETag.
struct TilesController<Context: RequestContext> {
    let hits: TileHits
    var service: TaskMapService { hits.service }

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("{layer}.json", use: tileJSON)
        routes.get("{layer}/{z}/{x}/{y}.png", use: tile)
        return routes
    }

    @Sendable func tile(request: Request, context: Context) async throws -> Response {
        let l = try hits.lookup(layer: context.parameters.get("layer") ?? "", z: context.parameters.get("z"),
                                x: context.parameters.get("x"), y: context.parameters.get("y"), query: request.query)
        let (snap, version) = service.live.current()
        if let hit = hits.current(l, version: version, snapshot: { snap }) {
            service.metrics.tileCache(hit: true)
            return respond(hit, request: request, cacheState: "hit")
        }
        service.metrics.tileCache(hit: false)
        let compiled = service.live.compile(l.filter, for: snap)
        let tileRequest = TileRequest(layer: l.layer, tile: l.address, retina: l.retina, filter: l.filter, metric: l.metric)
        let source = l.source
        let png = try await service.work.run("tile") {
            source.prepare(snapshot: snap, version: version)
            return try source.render(tileRequest, snapshot: snap, filter: compiled)
        }
        service.metrics.tileRendered(layer: l.layer)
        let entry = TileCache.Entry(png: ByteBuffer(bytes: png), etag: "\"\(String(FNV1a.hash(png), radix: 16))-\(png.count)\"",
                                    version: version)
        hits.cache.put(l.key, entry)
        return respond(entry, request: request, cacheState: "miss")
    }

    private func respond(_ entry: TileCache.Entry, request: Request, cacheState: String) -> Response {
        let headers = hits.headers(entry, cacheState: cacheState)
        if TileHits.notModified(entry, ifNoneMatch: request.headers[values: .ifNoneMatch]) {
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
        let layer = context.parameters.get("layer") ?? ""
        let source = try hits.layerSource(layer)
        let filter = try request.complaintFilter()
        let metric = try hits.metric(request.query("metric"), source: source, layer: layer)
        let (snap, version) = service.live.current()
        source.prepare(snapshot: snap, version: version)
        let host = request.head.authority ?? "\(service.config.host):\(service.config.port)"
        // `zoom` chooses the heat legend's zoom (its scale is per zoom); it is not part of the tiles' query.
        let legendZoom = try request.query("zoom").map { text -> Int in
            guard let z = Int(text), (source.minZoom...source.maxZoom).contains(z) else {
                throw APIError.badRequest("zoom must be a whole number from \(source.minZoom) to \(source.maxZoom)", field: "zoom")
            }
            return z
        }
        let kept = (request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("zoom=") && $0 != "zoom" }.joined(separator: "&")
        let query = kept.isEmpty ? "" : "?\(kept)"
        let b = service.mahalleBounds ?? BoundingBox(minLon: -180, minLat: -85.0511, maxLon: 180, maxLat: 85.0511)
        let centerZoom = Double(min(max(source.minZoom, 13), source.maxZoom))
        let body = TileJSON(
            name: "taskmap \(layer)", description: "Complaints, \(layer) layer" + (filter.canonicalKey.isEmpty ? "" : " (\(filter.canonicalKey))"),
            attribution: source.attribution, tiles: ["http://\(host)/tiles/\(layer)/{z}/{x}/{y}.png\(query)"],
            minzoom: source.minZoom, maxzoom: source.maxZoom, bounds: [b.minLon, b.minLat, b.maxLon, b.maxLat],
            center: [b.center.lon, b.center.lat, centerZoom],
            legend: source.legend(layer: layer, metric: metric, filter: filter, zoom: legendZoom),
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
