import Foundation
import GeoIndex

extension HotspotAnalysis {
    /// Gi* over the mahalle of `district` (all when nil), on their complaint rate per 1,000 residents (or counts),
    /// with queen contiguity derived from the polygons (`SpatialWeights.queen`).
    public static func mahalle(snapshot: ComplaintSnapshot, mahalle: [Mahalle], categories: [Category], period: Period,
                               district: String? = nil, options: HotspotOptions = HotspotOptions()) -> HotspotAnalysis {
        let scope = NeedsScope(snapshot: snapshot, mahalle: mahalle, categories: categories, district: district)
        var notes: [String] = []
        let counts = pointCounts(snapshot, scope: scope, period: period, options: options, notes: &notes, visit: nil)
        var units: [Hotspot] = []
        var values: [Double?] = []
        var withoutPopulation = 0
        for (s, m) in scope.mahalle.enumerated() {
            let c = counts[s]
            let v: Double?
            switch options.mahalleValue {
            case .count: v = Double(c)
            case .per1000: v = m.population > 0 ? 1000 * Double(c) / Double(m.population) : nil
            }
            if v == nil { withoutPopulation += 1 }
            values.append(v)
            let label = labelPoint(m.geometry)
            units.append(Hotspot(id: String(m.id), district: m.districtName, mahalle: m.name, mahalleID: m.id, count: c,
                                 population: m.population, value: v, neighbours: 0, giZ: nil, giP: nil, giQ: nil,
                                 classification: "none", row: nil, column: nil, lon: label.lon, lat: label.lat))
        }
        if withoutPopulation > 0 { notes.append("\(withoutPopulation) mahalle without population left out (no rate).") }
        let weights = SpatialWeights.queen(scope.mahalle.map(\.geometry), toleranceDegrees: options.contiguityToleranceDegrees)
        classify(&units, values: values, weights: weights, options: options, notes: &notes)
        return HotspotAnalysis(unit: .mahalle, period: period.label, district: scope.district, category: options.category,
                               value: options.mahalleValue.rawValue, transform: options.transform.rawValue, fdr: options.fdr,
                               method: method, cellMetres: nil, projection: nil, units: units, notes: notes,
                               geometries: scope.mahalle.map(\.geometry))
    }

    /// Complaints per scope mahalle created in `period` (category and filter applied); `visit` also sees each one.
    static func pointCounts(_ snapshot: ComplaintSnapshot, scope: NeedsScope, period: Period, options: HotspotOptions,
                            notes: inout [String], visit: ((CompactComplaint, Int) -> Void)?) -> [Int] {
        var f = options.filter
        f.period = nil; f.districts = nil; f.mahalle = nil
        if let c = options.category { f.categories = [c] }
        // Stacks of default geocodes the user flagged would be a false hot spot: left out here (not in counts).
        f.excludeStacks = snapshot.hasStackExcluded
        let compiled = snapshot.compile(f)
        if let c = options.category, snapshot.tables.categoryIndex[c] == nil {
            notes.append("No complaints of category '\(c)' in the store.")
        }
        let window = Window(period)
        let slotOf = scope.slotOfMahalleIndex
        var counts = [Int](repeating: 0, count: scope.mahalle.count)
        let dead = snapshot.dead
        func pass(_ buf: UnsafeBufferPointer<CompactComplaint>, skipDead: Bool) {
            for (i, r) in buf.enumerated() where window.contains(r.created) {
                if skipDead && dead.contains(i) { continue }  // replaced by a newer version in the tail
                let mi = Int(r.mahalle)
                guard mi < slotOf.count else { continue }
                let s = Int(slotOf[mi])
                if s < 0 || !compiled.matches(r) { continue }
                counts[s] += 1
                visit?(r, s)
            }
        }
        snapshot.sorted.withUnsafeBufferPointer { pass($0, skipDead: !dead.isEmpty) }
        snapshot.tail.withUnsafeBufferPointer { pass($0, skipDead: false) }
        if counts.allSatisfy({ $0 == 0 }) && !scope.mahalle.isEmpty { notes.append("No complaints in \(period.label).") }
        return counts
    }

    /// The area centroid of the largest polygon's outer ring (bbox centre when degenerate).
    static func labelPoint(_ g: MultiPolygon) -> LonLat {
        var best: (area: Double, c: LonLat)? = nil
        for poly in g.polygons {
            let ring = poly.outer
            guard ring.count >= 3 else { continue }
            var a = 0.0, cx = 0.0, cy = 0.0
            let x0 = ring[0].lon, y0 = ring[0].lat
            for i in 0..<(ring.count - 1) {
                let p = ring[i], q = ring[i + 1]
                let px = p.lon - x0, py = p.lat - y0, qx = q.lon - x0, qy = q.lat - y0
                let cross = px * qy - qx * py
                a += cross; cx += (px + qx) * cross; cy += (py + qy) * cross
            }
            guard a != 0 else { continue }
            let c = LonLat(lon: x0 + cx / (3 * a), lat: y0 + cy / (3 * a))
            if best == nil || abs(a) > best!.area { best = (abs(a), c) }
        }
        return best?.c ?? g.bbox.center
    }
}
