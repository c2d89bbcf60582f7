import Foundation
import GeoIndex
import TileRender

/// TileRender's `TileRenderer` as the server's `TileSource`. The renderer keeps its own snapshot (heat scales and
/// choropleth classes are cached per snapshot); `prepare` hands it the server's current one when the data
/// version moves. `heat` with exactly one `mahalle` in the filter renders that mahalle's own heat: clipped to its
/// polygon and scaled within it.
public final class TileRendererSource: TileSource, @unchecked Sendable {
    public let renderer: TileRenderer
    private let directory: MahalleDirectory
    private let lock = NSLock()
    private var version: UInt64

    public init(snapshot: ComplaintSnapshot, mahalle: [Mahalle], categories: [Category], options: TileRenderOptions = TileRenderOptions(),
                version: UInt64 = 1) {
        renderer = TileRenderer(snapshot: snapshot, mahalle: mahalle, categories: categories, options: options, version: version)
        directory = MahalleDirectory(mahalle)
        self.version = version
    }

    /// Builds the source from a store (mahalle, categories and the cached snapshot).
    public convenience init(store: any ComplaintStore) throws {
        self.init(snapshot: try store.loadSnapshotCached(), mahalle: try store.mahalleList(), categories: try store.categories())
    }

    public var layerIDs: [String] { Layer.ids }
    public var minZoom: Int { 0 }
    public var maxZoom: Int { 22 }
    public var attribution: String { "taskmap · belediye şikâyet verisi" }

    public func metrics(layer: String) -> [String] { layer == "choropleth" ? ChoroplethMetric.allCases.map(\.rawValue) : [] }

    /// Heat and pins change only near a new complaint (within the kernel radius or the cluster cell); the heat
    /// scale is quantised in steps (a quarter octave) so one complaint does not recolour every tile. Choropleth
    /// class breaks are computed over all mahalle, so any change may move them. Boundaries never change.
    public func dependence(layer: String) -> TileDependence {
        switch layer {
        case "heat": return .nearbyPoints(bufferPixels: renderer.bufferPixels(for: .heat))
        case "pins": return .nearbyPoints(bufferPixels: renderer.bufferPixels(for: .pins))
        case "choropleth": return .anyChange
        default: return .none
        }
    }

    public var cacheBytes: Int { renderer.cacheBytes }

    public func prepare(snapshot: ComplaintSnapshot, version v: UInt64) {
        lock.withLock {
            // Only forward: a render queued under an older version must not take the renderer back (it draws the
            // newer data, and its cache entry, marked with the older version, is revalidated like any other).
            guard v > version else { return }
            version = v
            renderer.update(snapshot: snapshot, version: v)
        }
    }

    /// The layer to draw and the filter it takes (a single-mahalle heat is its own layer).
    func resolve(_ layerID: String, _ filter: ComplaintFilter) throws -> (Layer, ComplaintFilter) {
        guard let layer = Layer(id: layerID) else { throw TileRenderError.unknownLayer(layerID) }
        if layer == .heat, let keys = filter.mahalle, keys.count == 1 {
            let ids = directory.ids(matching: keys.first!)
            if ids.count == 1 {
                var f = filter
                f.mahalle = nil
                return (.mahalleHeat(ids[0]), f)
            }
        }
        return (layer, filter)
    }

    public func render(_ tile: TileRequest, snapshot: ComplaintSnapshot, filter: CompiledFilter) throws -> [UInt8] {
        guard let coord = TileCoord(z: tile.tile.z, x: tile.tile.x, y: tile.tile.y) else {
            throw TileRenderError.invalidTile(z: tile.tile.z, x: tile.tile.x, y: tile.tile.y)
        }
        let (layer, f) = try resolve(tile.layer, tile.filter)
        let metric = tile.metric.flatMap(ChoroplethMetric.init(parsing:)) ?? .count
        return try renderer.render(layer: layer, tile: coord, retina: tile.retina, filter: f, metric: metric).png
    }

    /// The renderer's legend for the same layer and filter its tiles are drawn with (a single-mahalle heat is that
    /// mahalle's own scale), from the same cached classes and heat scales.
    public func legend(layer: String, metric: String?, filter: ComplaintFilter, zoom: Int?) -> TileLegend {
        let (l, f) = (try? resolve(layer, filter)) ?? (.heat, filter)
        let legend = renderer.legend(layer: l, filter: f, metric: metric.flatMap(ChoroplethMetric.init(parsing:)) ?? .count, zoom: zoom)
        return TileLegend(title: legend.title, stops: legend.stops.map { TileLegend.Stop(value: $0.value, label: $0.label, color: $0.color) },
                          zoom: legend.zoom)
    }
}
