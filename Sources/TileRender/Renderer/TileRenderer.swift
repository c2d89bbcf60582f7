import Foundation
import GeoIndex
import MapText

/// One rendered tile: PNG bytes, and whether it shows nothing (then `png` is the shared transparent PNG).
public struct RenderedTile: Sendable, Equatable {
    public let png: [UInt8]
    public let isEmpty: Bool
    public let tile: TileCoord
    /// 256 or 512.
    public let size: Int
}

/// The one-call tile API for the CLI, the server and batch renders:
/// `try renderer.render(layer: .heat, tile: t, retina: false, filter: f, metric: .count)`.
///
/// Holds the current snapshot and what is worth computing once per data version: compiled filters, heat scales
/// per (zoom, filter), choropleth classes per (filter, metric). Safe to call from many threads at once: shared
/// state sits behind one lock that is held only to read or store a cache entry; drawing happens outside it.
/// `update(snapshot:)` publishes new data and drops the caches that depend on it.
public final class TileRenderer: @unchecked Sendable {
    public let options: TileRenderOptions
    public let mahalle: [Mahalle]
    public let categories: [Category]
    let areas: ProjectedAreas
    let directory: MahalleDirectory
    /// The heat kernel in cells (radius = radiusPixels / cellPixels): the same for 1× and @2x.
    let kernel: HeatKernel
    /// Mahalle names, placed once per zoom.
    let labels: LabelTiles

    private struct HeatKey: Hashable { var zoom: Int; var filter: String; var mahalle: Int64? }
    private struct ChoroKey: Hashable { var filter: String; var metric: ChoroplethMetric }

    private let lock = NSLock()
    private var snapshot: ComplaintSnapshot
    private var version: UInt64
    private var categoryColors: [RGBA]
    /// A filter compiled for the current snapshot, with its category × month candidates (nil: not narrowing).
    struct FilterPlan { var filter: CompiledFilter; var candidates: CandidatePositions? }
    private var compiled: [String: FilterPlan] = [:]
    /// Bytes of candidate lists held in `compiled` (bounded by `candidateBytesLimit`).
    private var candidateBytes = 0
    private static let candidateBytesLimit = 64 << 20
    private var shaders: [HeatKey: HeatShader] = [:]
    /// Shaders by scale: they depend on the scale and the options only, so they outlive data versions.
    private var shadersByScale: [HeatScale: HeatShader] = [:]
    /// Per filter (and mahalle): the Morton keys of its complaints, for heat scales; bounded in bytes.
    private var keysByFilter: [HeatKey: [UInt64]] = [:]
    private var keyBytes = 0
    private static let keyBytesLimit = 128 << 20
    private var classes: [ChoroKey: ChoroplethClasses] = [:]
    private static let cacheLimit = 4096

    public init(snapshot: ComplaintSnapshot, mahalle: [Mahalle], categories: [Category] = Category.defaults,
                options: TileRenderOptions = TileRenderOptions(), version: UInt64 = 1) {
        self.options = options
        self.mahalle = mahalle
        self.categories = categories
        self.snapshot = snapshot
        self.version = version
        areas = ProjectedAreas(mahalle)
        directory = MahalleDirectory(mahalle)
        labels = LabelTiles(areas: areas, options: options.labels)
        categoryColors = CategoryPalette.table(snapshot.tables)
        let f = max(1, options.heat.cellPixels)
        kernel = HeatKernel(radius: max(1, (options.heat.radiusPixels + f / 2) / f))
    }

    /// Publishes a new snapshot (complaints added or changed). Without `version` the data version is bumped; with
    /// one (the server's), nothing happens unless it differs. Heat scales, classes and compiled filters are dropped.
    public func update(snapshot new: ComplaintSnapshot, version v: UInt64? = nil) {
        lock.withLock {
            if let v, v <= version { return }  // only forward (callers may race with an older snapshot)
            snapshot = new
            version = v ?? version + 1
            categoryColors = CategoryPalette.table(new.tables)
            compiled.removeAll(); candidateBytes = 0; shaders.removeAll(); keysByFilter.removeAll(); keyBytes = 0; classes.removeAll()
        }
    }

    /// Bytes held by the per-filter caches (candidate lists and Morton key lists; both bounded, both emptied when
    /// the data version moves), for `/metrics`.
    public var cacheBytes: Int { lock.withLock { candidateBytes + keyBytes } }

    /// The data version the caches belong to.
    public var dataVersion: UInt64 { lock.withLock { version } }

    /// Pixels (at 256-px tiles) around a tile within which a complaint can change it: for cache invalidation.
    public func bufferPixels(for layer: Layer) -> Int {
        switch layer {
        case .heat, .mahalleHeat: return options.heat.radiusPixels
        case .pins: return max(options.pins.clusterCellPixels, Int((options.pins.pinRadius + 2).rounded(.up)))
        case .choropleth, .boundaries, .labels: return 0
        }
    }

    // MARK: - Render

    public func render(layer: Layer, tile: TileCoord, retina: Bool = false, filter: ComplaintFilter = .all,
                       metric: ChoroplethMetric = .count) throws -> RenderedTile {
        let size = retina ? 512 : 256
        let scale = retina ? 2.0 : 1.0
        let (snap, cats, v) = lock.withLock { (snapshot, categoryColors, version) }
        let filter = layer.isHeat ? Self.heatFilter(filter, snap) : filter
        func done(_ image: RGBAImage) throws -> RenderedTile {
            if image.isBlank { return try empty(tile, size) }
            return RenderedTile(png: try PNGCodec.encodeSmallest(image, level: options.zlibLevel), isEmpty: false, tile: tile, size: size)
        }
        switch layer {
        case .heat:
            let f = plan(filter, snap, v)
            let shader = heatShader(zoom: tile.z, filter: filter, compiled: f, mahalle: nil, snap, v)
            let counts = heatCounts(keys: heatKeys(filter: filter, compiled: f, mahalle: nil, snap, v), tile: tile, size: size)
            if counts.total == 0 { return try empty(tile, size) }
            let image = shader.shade(HeatAggregate.density(counts, kernel: kernel), size: size)
            if !image.indices.contains(where: { $0 != 0 }) { return try empty(tile, size) }
            return RenderedTile(png: try PNGCodec.encode(image, level: options.zlibLevel), isEmpty: false, tile: tile, size: size)

        case .mahalleHeat(let id):
            guard let ai = areas.byID[id] else { throw TileRenderError.unknownMahalle(id) }
            guard let mi = snap.tables.mahalleIndex[id] else { return try empty(tile, size) }
            let f = plan(filter, snap, v)
            let shader = heatShader(zoom: tile.z, filter: filter, compiled: f, mahalle: (id, mi), snap, v)
            guard let mask = AreaPainter.mask(areas.areas[ai], canvas: TileCanvas(tile: tile, size: size)) else { return try empty(tile, size) }
            let counts = heatCounts(keys: heatKeys(filter: filter, compiled: f, mahalle: (id, mi), snap, v), tile: tile, size: size)
            if counts.total == 0 { return try empty(tile, size) }
            let indexed = shader.shade(HeatAggregate.density(counts, kernel: kernel), size: size)
            var image = RGBAImage(width: size, height: size)
            for i in 0..<indexed.indices.count where mask[i] > 0 && indexed.indices[i] != 0 {
                image.blend(x: i % size, y: i / size, color: indexed.palette[Int(indexed.indices[i])], coverage: mask[i])
            }
            return try done(image)

        case .pins:
            let f = plan(filter, snap, v)
            let p = options.pins
            let clustered = tile.z < p.clusterBelowZoom
            let buffer = Int((Double(clustered ? p.clusterCellPixels : Int((p.pinRadius + 2).rounded(.up))) * scale))
            let canvas = TileCanvas(tile: tile, size: size, buffer: buffer)
            let marks = clustered
                ? PinAggregate.clusters(snap, canvas: canvas, filter: f.filter, cellPixels: p.clusterCellPixels, candidates: f.candidates)
                : PinAggregate.pins(snap, canvas: canvas, filter: f.filter, candidates: f.candidates)
            if marks.isEmpty { return try empty(tile, size) }
            return try done(PinPainter(options: p, categoryColors: cats).paint(marks, size: size, buffer: buffer, scale: scale))

        case .choropleth:
            let c = choroplethClasses(filter: filter, metric: metric, snap, v)
            let canvas = TileCanvas(tile: tile, size: size)
            if areas.areas(in: canvas.normalizedBox).isEmpty { return try empty(tile, size) }
            return try done(AreaPainter.choropleth(areas: areas, colors: c.areaColors, canvas: canvas, options: options.choropleth, scale: scale))

        case .boundaries:
            let canvas = TileCanvas(tile: tile, size: size)
            if areas.areas(in: canvas.normalizedBox).isEmpty { return try empty(tile, size) }
            return try done(AreaPainter.boundaries(areas: areas, canvas: canvas, options: options.boundaries, scale: scale))

        case .labels:
            guard let image = try labels.image(tile: tile, retina: retina) else { return try empty(tile, size) }
            return try done(image)
        }
    }

    /// The same, from text (CLI, HTTP): layer id, "z/x/y", metric name.
    public func render(layerID: String, tile path: String, retina: Bool = false, filter: ComplaintFilter = .all,
                       metric: String? = nil) throws -> RenderedTile {
        guard let layer = Layer(id: layerID) else { throw TileRenderError.unknownLayer(layerID) }
        guard let tile = TileCoord(path: path) else {
            let p = path.split(separator: "/").map { Int($0) ?? -1 }
            throw TileRenderError.invalidTile(z: p.count > 0 ? p[0] : -1, x: p.count > 1 ? p[1] : -1, y: p.count > 2 ? p[2] : -1)
        }
        var m = ChoroplethMetric.count
        if let metric { guard let parsed = ChoroplethMetric(parsing: metric) else { throw TileRenderError.unknownMetric(metric) }; m = parsed }
        return try render(layer: layer, tile: tile, retina: retina, filter: filter, metric: m)
    }

    /// Heat stage 1 for a tile: cells of `cellPixels` at 1× (twice as many pixels at @2x, the same cells), counted
    /// from the filter's sorted Morton keys (the ones its heat scales are made from).
    func heatCounts(keys: [UInt64], tile: TileCoord, size: Int) -> CountGrid {
        let f = max(1, options.heat.cellPixels) * (size / 256)
        let canvas = HeatAggregate.canvas(tile: tile, size: size, kernel: kernel, cellPixels: f)
        return HeatAggregate.counts(keys: keys, canvas: canvas, cellPixels: f)
    }

    // MARK: - Empty tiles

    private static let empty256 = Result { try PNGCodec.encode(IndexedImage(width: 256, height: 256, indices: [UInt8](repeating: 0, count: 65536), palette: [.clear]), level: 9) }
    private static let empty512 = Result { try PNGCodec.encode(IndexedImage(width: 512, height: 512, indices: [UInt8](repeating: 0, count: 262_144), palette: [.clear]), level: 9) }

    /// The shared fully transparent PNG of a size (256 or 512), returned for every tile with nothing on it.
    public static func emptyPNG(size: Int) throws -> [UInt8] { try (size == 512 ? empty512 : empty256).get() }

    private func empty(_ tile: TileCoord, _ size: Int) throws -> RenderedTile {
        RenderedTile(png: try Self.emptyPNG(size: size), isEmpty: true, tile: tile, size: size)
    }

    /// The mahalle a district or mahalle filter keeps (nil when it keeps all).
    func scope(of filter: ComplaintFilter) -> Set<Int64>? {
        guard filter.districts != nil || filter.mahalle != nil else { return nil }
        let wanted = filter.districts.map { Set($0.map(TurkishText.foldKey)) }
        var ids = Set(mahalle.filter { m in wanted.map { $0.contains(TurkishText.foldKey(m.districtName)) } ?? true }.map(\.id))
        if let ms = filter.mahalle { ids.formIntersection(ms.flatMap { directory.ids(matching: $0) }) }
        return ids
    }

    /// Heat maps leave out stacks the user flagged (`--exclude-stacks`); counts, pins and choropleths keep them.
    static func heatFilter(_ filter: ComplaintFilter, _ snap: ComplaintSnapshot) -> ComplaintFilter {
        guard snap.hasStackExcluded else { return filter }
        var f = filter
        f.excludeStacks = true
        return f
    }

    // MARK: - Caches

    private func compiledFilter(_ filter: ComplaintFilter, _ snap: ComplaintSnapshot, _ v: UInt64) -> CompiledFilter { plan(filter, snap, v).filter }

    /// The filter compiled for `snap`, with its candidate positions; cached per data version (bounded in count
    /// and in candidate bytes).
    private func plan(_ filter: ComplaintFilter, _ snap: ComplaintSnapshot, _ v: UInt64) -> FilterPlan {
        let key = filter.canonicalKey
        if let c = lock.withLock({ version == v ? compiled[key] : nil }) { return c }
        let c = snap.compile(filter, directory: directory)
        let p = FilterPlan(filter: c, candidates: snap.candidates(for: c))
        let bytes = (p.candidates?.count ?? 0) * 4
        lock.withLock {
            // Cached only for the data version it was made from (a render that started before an update may
            // finish after it: its results must not serve the new version).
            guard version == v else { return }
            if compiled.count > Self.cacheLimit || candidateBytes + bytes > Self.candidateBytesLimit {
                compiled.removeAll(); candidateBytes = 0
            }
            compiled[key] = p
            candidateBytes += bytes
        }
        return p
    }

    private func heatShader(zoom: Int, filter: ComplaintFilter, compiled f: FilterPlan, mahalle: (Int64, UInt16)?,
                            _ snap: ComplaintSnapshot, _ v: UInt64) -> HeatShader {
        let key = HeatKey(zoom: zoom, filter: filter.canonicalKey, mahalle: mahalle?.0)
        if let s = lock.withLock({ version == v ? shaders[key] : nil }) { return s }
        // Each zoom's scale is one run count over the filter's sorted keys, made when a tile of that zoom is first
        // asked for.
        let keys = heatKeys(filter: filter, compiled: f, mahalle: mahalle, snap, v)
        // Scales are quantised (quarter octaves), so a few shaders (palette + lookup table, ~8,000 log1p each) serve
        // every zoom and filter: made once per scale, not once per zoom and filter.
        let scale = HeatScaleEstimator.scale(keys: keys, zoom: zoom, options: options.heat)
        let shader: HeatShader
        if let s = lock.withLock({ shadersByScale[scale] }) { shader = s } else {
            shader = HeatShader(scale: scale, options: options.heat)
            lock.withLock {
                if shadersByScale.count > Self.cacheLimit { shadersByScale.removeAll() }
                shadersByScale[scale] = shader
            }
        }
        lock.withLock {
            guard version == v else { return }
            if shaders.count > Self.cacheLimit { shaders.removeAll() }
            shaders[key] = shader
        }
        return shader
    }

    /// The sorted Morton keys of the complaints a heat filter keeps (in one mahalle, for per-mahalle heat): collected
    /// once per filter and data version (from its category × month buckets when it has them), then read by every
    /// heat tile and scale of that filter; bounded in bytes.
    private func heatKeys(filter: ComplaintFilter, compiled f: FilterPlan, mahalle: (Int64, UInt16)?, _ snap: ComplaintSnapshot, _ v: UInt64) -> [UInt64] {
        let keysKey = HeatKey(zoom: -1, filter: filter.canonicalKey, mahalle: mahalle?.0)
        if let k = lock.withLock({ version == v ? keysByFilter[keysKey] : nil }) { return k }
        let keys = HeatScaleEstimator.filteredKeys(snap, filter: f.filter, mahalleIndex: mahalle?.1, candidates: f.candidates)
        let bytes = keys.count * 8
        lock.withLock {
            guard version == v else { return }
            if keysByFilter.count > Self.cacheLimit || keyBytes + bytes > Self.keyBytesLimit { keysByFilter.removeAll(); keyBytes = 0 }
            keysByFilter[keysKey] = keys
            keyBytes += bytes
        }
        return keys
    }

    private func choroplethClasses(filter: ComplaintFilter, metric: ChoroplethMetric, _ snap: ComplaintSnapshot, _ v: UInt64) -> ChoroplethClasses {
        let key = ChoroKey(filter: filter.canonicalKey, metric: metric)
        if let c = lock.withLock({ version == v ? classes[key] : nil }) { return c }
        let c = ChoroplethClasses(snap, filter: compiledFilter(filter, snap, v), metric: metric, areas: areas, options: options.choropleth,
                                  scope: scope(of: filter))
        lock.withLock {
            guard version == v else { return }
            if classes.count > Self.cacheLimit { classes.removeAll() }
            classes[key] = c
        }
        return c
    }

    /// The heat scale used for a zoom and filter (and mahalle, for per-mahalle heat): one per zoom, shared by
    /// every tile of it. The server may compare it before and after an update to know whether a change can
    /// recolour tiles far away from it.
    public func heatScale(zoom: Int, filter: ComplaintFilter = .all, mahalle: Int64? = nil) -> HeatScale {
        let (snap, v) = lock.withLock { (snapshot, version) }
        let filter = Self.heatFilter(filter, snap)
        let mi = mahalle.flatMap { snap.tables.mahalleIndex[$0] }
        return heatShader(zoom: zoom, filter: filter, compiled: plan(filter, snap, v), mahalle: mahalle.map { ($0, mi ?? 0) }, snap, v).scale
    }

    func currentTables() -> ComplaintSnapshot.Tables { lock.withLock { snapshot.tables } }

    /// The mahalle names placed at a zoom: names with their boxes in 1× world pixels, and how many were
    /// candidates (fit their mahalle at that zoom). Places them if the zoom was not asked for before.
    public func labelPlacement(zoom: Int) throws -> (placed: [(name: String, mahalleID: Int64, box: LabelPlacer.Box)], candidates: Int) {
        let z = try labels.zoom(zoom)
        return (z.placed.map { (areas.areas[$0.area].name, areas.areas[$0.area].id, $0.box) }, z.candidates)
    }

    /// The snapshot tiles are currently drawn from.
    public func currentSnapshot() -> ComplaintSnapshot { lock.withLock { snapshot } }

    /// Per-mahalle values, class breaks and colours of a choropleth (for the legend, tests and the needs table).
    public func choropleth(filter: ComplaintFilter = .all, metric: ChoroplethMetric = .count) -> ChoroplethClasses {
        let (snap, v) = lock.withLock { (snapshot, version) }
        return choroplethClasses(filter: filter, metric: metric, snap, v)
    }
}
