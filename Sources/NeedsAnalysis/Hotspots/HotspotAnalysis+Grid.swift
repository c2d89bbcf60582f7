import Foundation
import GeoIndex

extension HotspotAnalysis {
    /// Gi* over a regular grid of `options.cellMetres` cells laid in a local equirectangular projection centred
    /// on the district's bounding box (`LocalProjection`), with queen neighbours on the grid. The study area is
    /// every cell whose centre lies in one of the district's mahalle, plus any cell holding one of its
    /// complaints; cells outside it are not units (so the district's surroundings do not count as zeros).
    /// Values are complaint counts per cell.
    public static func grid(snapshot: ComplaintSnapshot, mahalle: [Mahalle], categories: [Category], period: Period,
                            district: String? = nil, options: HotspotOptions = HotspotOptions()) -> HotspotAnalysis {
        let scope = NeedsScope(snapshot: snapshot, mahalle: mahalle, categories: categories, district: district)
        var notes: [String] = []
        let bbox = scope.bbox
        let cell = options.cellMetres
        func empty(_ note: String?) -> HotspotAnalysis {
            HotspotAnalysis(unit: .grid, period: period.label, district: scope.district, category: options.category,
                            value: "count", transform: options.transform.rawValue, fdr: options.fdr, method: method,
                            cellMetres: cell, projection: nil, units: [], notes: notes + (note.map { [$0] } ?? []))
        }
        guard !bbox.isEmpty, cell > 0, cell.isFinite else { return empty("No mahalle in scope, or no cell size.") }
        let projection = LocalProjection(center: bbox.center)
        let sw = projection.project(LonLat(lon: bbox.minLon, lat: bbox.minLat))
        let ne = projection.project(LonLat(lon: bbox.maxLon, lat: bbox.maxLat))
        // Cells aligned on the projection's origin, covering the bounding box.
        let col0 = Int((sw.x / cell).rounded(.down)), row0 = Int((sw.y / cell).rounded(.down))
        let cols = Int((ne.x / cell).rounded(.down)) - col0 + 1, rows = Int((ne.y / cell).rounded(.down)) - row0 + 1
        guard rows * cols <= options.maxGridCells else {
            return empty("\(rows) × \(cols) cells of \(Int(cell)) m exceed the limit of \(options.maxGridCells); use larger cells.")
        }

        // Counts per cell, and the mahalle of one complaint per cell (for cells whose centre is outside).
        var cellCount = [Int](repeating: 0, count: rows * cols)
        var cellSlotFromPoint = [Int32](repeating: -1, count: rows * cols)
        let twoPow32 = 4_294_967_296.0
        _ = pointCounts(snapshot, scope: scope, period: period, options: options, notes: &notes) { r, slot in
            let x = (Double(r.x) + 0.5) / twoPow32, y = (Double(r.y) + 0.5) / twoPow32
            let p = projection.project(WebMercator.lonLat(x: x, y: y))
            let c = Int((p.x / cell).rounded(.down)) - col0, rr = Int((p.y / cell).rounded(.down)) - row0
            guard c >= 0, c < cols, rr >= 0, rr < rows else { return }
            let i = rr * cols + c
            cellCount[i] += 1
            if cellSlotFromPoint[i] < 0 { cellSlotFromPoint[i] = Int32(slot) }
        }

        // The study area: cells with a centre inside a mahalle, or with complaints.
        let boxes = scope.mahalle.map(\.geometry.bbox)
        var units: [Hotspot] = []
        var cells: [(row: Int, column: Int)] = []
        var geometries: [MultiPolygon] = []
        for rr in 0..<rows {
            for c in 0..<cols {
                let i = rr * cols + c
                let cx = (Double(c + col0) + 0.5) * cell, cy = (Double(rr + row0) + 0.5) * cell
                let centre = projection.unproject(x: cx, y: cy)
                var slot = -1
                for (s, b) in boxes.enumerated() where b.contains(centre) && scope.mahalle[s].geometry.contains(centre) {
                    slot = s; break
                }
                if slot < 0 && cellCount[i] == 0 { continue }
                if slot < 0 { slot = Int(cellSlotFromPoint[i]) }
                let m = scope.mahalle[slot]
                units.append(Hotspot(id: "r\(rr)c\(c)", district: m.districtName, mahalle: m.name, mahalleID: m.id,
                                     count: cellCount[i], population: nil, value: Double(cellCount[i]), neighbours: 0,
                                     giZ: nil, giP: nil, giQ: nil, classification: "none", row: rr, column: c,
                                     lon: centre.lon, lat: centre.lat))
                cells.append((rr, c))
                let x0 = Double(c + col0) * cell, y0 = Double(rr + row0) * cell
                let ring = [projection.unproject(x: x0, y: y0), projection.unproject(x: x0 + cell, y: y0),
                            projection.unproject(x: x0 + cell, y: y0 + cell), projection.unproject(x: x0, y: y0 + cell),
                            projection.unproject(x: x0, y: y0)]
                geometries.append(MultiPolygon(polygons: [Polygon(rings: [ring])]))
            }
        }
        let weights = SpatialWeights.gridQueen(cells)
        classify(&units, values: units.map { $0.value }, weights: weights, options: options, notes: &notes)
        return HotspotAnalysis(unit: .grid, period: period.label, district: scope.district, category: options.category,
                               value: "count", transform: options.transform.rawValue, fdr: options.fdr, method: method,
                               cellMetres: cell, projection: projection.name, units: units, notes: notes,
                               geometries: geometries)
    }
}
