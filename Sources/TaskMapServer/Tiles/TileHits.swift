import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird

/// The cache side of the tile endpoint: a tile URL → its cache key, and the cached entry if it is still current.
/// One implementation for both ways a request can arrive: the router's `TilesController` (every request) and the
/// event-loop `CachedTileHandler` (cache hits only), so that both compute the same key and the same answer.
final class TileHits: Sendable {
    let service: TaskMapService
    let source: (any TileSource)?
    let cache: TileCache
    /// `public, max-age=…`, built once.
    let cacheControl: String

    init(service: TaskMapService, source: (any TileSource)?, cache: TileCache) {
        self.service = service
        self.source = source
        self.cache = cache
        cacheControl = "public, max-age=\(service.config.tileMaxAgeSeconds)"
    }

    /// A validated tile request: what to render and where it lives in the cache.
    struct Lookup {
        var source: any TileSource
        var layer: String
        var address: TileAddress
        var retina: Bool
        var filter: ComplaintFilter
        var metric: String?
        var key: TileCache.Key
    }

    /// What a tile URL's query selects: the filter (and its cache-key text) and the metric, validated for a layer.
    struct Selection {
        var filter: ComplaintFilter
        var filterKey: String
        var metric: String?
    }

    /// Validates a tile URL's parts: 404 for an unknown layer or zoom, 400 naming the field for the rest.
    /// `query` returns a percent-decoded query parameter, nil when absent or empty.
    func lookup(layer: String, z: String?, x: String?, y: String?, query: (String) -> String?) throws -> Lookup {
        try lookup(layer: layer, z: z, x: x, y: y, selection: { source in try self.selection(layer: layer, source: source, query: query) })
    }

    /// The same with the query's reading supplied (the event loop keeps readings it has made).
    func lookup(layer: String, z: String?, x: String?, y: String?,
                selection: (any TileSource) throws -> Selection) throws -> Lookup {
        let source = try layerSource(layer)
        let (address, retina) = try TilePath.parse(layer: layer, z: z, x: x, y: y)
        guard (source.minZoom...source.maxZoom).contains(address.z) else {
            throw APIError(.notFound, "zoom \(address.z) outside \(source.minZoom)…\(source.maxZoom)", field: "z")
        }
        let s = try selection(source)
        let key = TileCache.Key(layer: layer, z: address.z, x: address.x, y: address.y, retina: retina,
                                filter: s.filterKey, metric: s.metric)
        return Lookup(source: source, layer: layer, address: address, retina: retina, filter: s.filter, metric: s.metric, key: key)
    }

    /// Reads the filter and metric parameters (400 naming the field when one is bad).
    func selection(layer: String, source: any TileSource, query: (String) -> String?) throws -> Selection {
        let filter = try ComplaintFilter.parse(
            category: query("category"), status: query("status"), channel: query("channel"), type: query("type"),
            from: query("from"), to: query("to"), month: query("month"), district: query("district"), mahalle: query("mahalle"))
        let metric = try metric(query("metric"), source: source, layer: layer)
        return Selection(filter: filter, filterKey: filter.canonicalKey, metric: metric)
    }

    func layerSource(_ layer: String) throws -> any TileSource {
        guard let source else { throw APIError(.serviceUnavailable, "tile rendering is not available in this build") }
        guard source.layerIDs.contains(layer) else {
            throw APIError(.notFound, "unknown layer '\(layer)': expected \(source.layerIDs.joined(separator: "|"))", field: "layer")
        }
        return source
    }

    func metric(_ value: String?, source: any TileSource, layer: String) throws -> String? {
        let allowed = source.metrics(layer: layer)
        guard let m = value else { return allowed.first }
        guard !allowed.isEmpty else { throw APIError.badRequest("layer \(layer) takes no metric", field: "metric") }
        guard allowed.contains(m) else { throw APIError.badRequest("metric must be \(allowed.joined(separator: "|"))", field: "metric") }
        return m
    }

    /// The cached tile if it is current for data `version`: stored at that version, or no change since its
    /// version lies under it (then it is marked current, so the change log is read once per change). `snapshot`
    /// (of that version or newer) is read only for that check.
    func current(_ l: Lookup, version: UInt64, snapshot: () -> ComplaintSnapshot) -> TileCache.Entry? {
        guard let hit = cache.get(l.key) else { return nil }
        if hit.version >= version { return hit }
        if isStale(since: hit.version, tile: l.address, layer: l.layer, source: l.source, snapshot: snapshot()) { return nil }
        cache.revalidate(l.key, version: version)
        return hit
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

    /// Whether `If-None-Match` names this ETag (or `*`): the answer is then 304.
    static func notModified(_ entry: TileCache.Entry, ifNoneMatch: [String]) -> Bool {
        ifNoneMatch.contains { $0 == entry.etag || $0 == "*" }
    }

    /// The tile response's own headers (the server adds Content-Length, Date, Server; CORS its own).
    func headers(_ entry: TileCache.Entry, cacheState: String) -> HTTPFields {
        var headers = HTTPFields()
        headers.reserveCapacity(10)
        headers.append(HTTPField(name: .contentType, value: "image/png"))
        headers.append(HTTPField(name: .eTag, value: entry.etag))
        headers.append(HTTPField(name: .cacheControl, value: cacheControl))
        headers.append(HTTPField(name: .tileCache, value: cacheState))
        return headers
    }
}
