import Foundation
import GeoIndex

/// What the tile endpoints need from a renderer (martin's `Source`: id, TileJSON facts, get a tile). The
/// server owns HTTP, caching, ETags and invalidation; a source only turns data into PNG bytes.
/// TileRender's `TileRenderer` is adapted to this protocol (see `taskmap serve`).
public protocol TileSource: Sendable {
    /// Layer ids served, e.g. `heat`, `pins`, `choropleth`, `boundaries`.
    var layerIDs: [String] { get }
    /// Zoom range the layers are rendered for.
    var minZoom: Int { get }
    var maxZoom: Int { get }
    /// Attribution shown by the viewer (TileJSON `attribution`).
    var attribution: String { get }
    /// Accepted `metric` values for a layer (first = default); empty = the layer takes no metric.
    func metrics(layer: String) -> [String]
    /// Which changes can alter a layer's tiles (drives cache invalidation).
    func dependence(layer: String) -> TileDependence
    /// PNG bytes of one tile: 256 px, or 512 px when `retina`. `filter` is compiled against `snapshot`.
    func render(_ tile: TileRequest, snapshot: ComplaintSnapshot, filter: CompiledFilter) throws -> [UInt8]
    /// Legend data for TileJSON, the viewer, MBTiles metadata and posters: what the tiles of this layer, metric and
    /// filter show — the same classes and heat scale that colour them (heat scales are per zoom: `zoom`, or the
    /// source's default).
    func legend(layer: String, metric: String?, filter: ComplaintFilter, zoom: Int?) -> TileLegend
    /// Called with the current snapshot and data version before rendering (sources that cache per snapshot
    /// refresh here; the default does nothing).
    func prepare(snapshot: ComplaintSnapshot, version: UInt64)
    /// Bytes the source keeps in its own caches (per-filter lists and the like), for `/metrics`; 0 if none.
    var cacheBytes: Int { get }
}

extension TileSource {
    public func prepare(snapshot: ComplaintSnapshot, version: UInt64) {}
    public var cacheBytes: Int { 0 }
}

/// An XYZ tile address, validated: 0 ≤ z ≤ 30, 0 ≤ x, y < 2^z.
public struct TileAddress: Hashable, Sendable {
    public let z: Int, x: Int, y: Int
    public init?(z: Int, x: Int, y: Int) {
        guard (0...30).contains(z), x >= 0, y >= 0, x < (1 << z), y < (1 << z) else { return nil }
        self.z = z; self.x = x; self.y = y
    }

    /// The tile's extent in fixed-point normalised Web Mercator, widened by `bufferPixels` (at 256 px a tile).
    public func fixedBox(bufferPixels: Int = 0) -> (x0: UInt32, x1: UInt32, y0: UInt32, y1: UInt32) {
        let size = Int64(1) << Int64(32 - z)
        let pad = Int64(bufferPixels) * size / 256
        func clamp(_ v: Int64) -> UInt32 { UInt32(max(0, min(v, Int64(UInt32.max)))) }
        return (clamp(Int64(x) * size - pad), clamp(Int64(x + 1) * size - 1 + pad),
                clamp(Int64(y) * size - pad), clamp(Int64(y + 1) * size - 1 + pad))
    }

    /// WGS 84 bounds (west, south, east, north).
    public var bounds: BoundingBox {
        let n = Double(1 << z)
        let nw = WebMercator.lonLat(x: Double(x) / n, y: Double(y) / n)
        let se = WebMercator.lonLat(x: Double(x + 1) / n, y: Double(y + 1) / n)
        return BoundingBox(minLon: nw.lon, minLat: se.lat, maxLon: se.lon, maxLat: nw.lat)
    }
}

/// One tile request after validation.
public struct TileRequest: Hashable, Sendable {
    public var layer: String
    public var tile: TileAddress
    public var retina: Bool
    public var filter: ComplaintFilter
    public var metric: String?
    public init(layer: String, tile: TileAddress, retina: Bool, filter: ComplaintFilter, metric: String?) {
        self.layer = layer; self.tile = tile; self.retina = retina; self.filter = filter; self.metric = metric
    }
}

/// Which data changes can make a cached tile stale.
public enum TileDependence: Sendable, Equatable {
    /// Never (boundaries).
    case none
    /// Complaints inside the tile or within this many pixels (at 256 px) of it (heat radius, pin size).
    case nearbyPoints(bufferPixels: Int)
    /// Complaints in any mahalle the tile shows (a choropleth with a fixed colour scale).
    case mahalleInTile
    /// Any change (e.g. colours scaled to the current maximum).
    case anyChange
}

/// A legend: a title and colour stops (or classes).
public struct TileLegend: Sendable, Encodable, Equatable {
    public struct Stop: Sendable, Encodable, Equatable {
        public var value: Double?
        public var label: String
        public var color: String
        public init(value: Double?, label: String, color: String) { self.value = value; self.label = label; self.color = color }
    }
    public var title: String
    public var stops: [Stop]
    /// The zoom a heat legend is for (its scale is per zoom); nil for the other layers.
    public var zoom: Int?
    public init(title: String, stops: [Stop], zoom: Int? = nil) { self.title = title; self.stops = stops; self.zoom = zoom }
}
