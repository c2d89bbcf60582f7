import Foundation
import GeoIndex

extension SpatialWeights {
    /// Queen contiguity of polygons: two units are neighbours when they share at least one boundary point.
    ///
    /// Tested as "a boundary vertex of one lies within `toleranceDegrees` of a boundary segment of the other"
    /// (both ways). This finds shared vertices (PySAL's `Queen`, which matches vertex coordinates exactly) and also
    /// T-junctions, where a vertex of one mahalle lies on the middle of the other's edge — common when boundaries
    /// come from different digitisations, and which PySAL's vertex matching misses. The default tolerance
    /// 1e-7° (about 1 cm) absorbs rounding of coordinates written with 7 decimals. Holes count as boundary
    /// (a mahalle inside another's hole is its neighbour). Distances are planar in degrees, which is fine at
    /// this scale (the tolerance is a snapping distance, not a measurement).
    public static func queen(_ geometries: [MultiPolygon], toleranceDegrees tol: Double = 1e-7) -> SpatialWeights {
        struct Segment { var unit: Int32; var ax, ay, bx, by: Double }
        var segments: [Segment] = []
        var vertices: [(unit: Int32, x: Double, y: Double)] = []
        var totalLength = 0.0
        for (u, g) in geometries.enumerated() {
            for poly in g.polygons {
                for ring in poly.rings where ring.count >= 2 {
                    for i in 0..<(ring.count - 1) {
                        let a = ring[i], b = ring[i + 1]
                        vertices.append((Int32(u), a.lon, a.lat))
                        if a == b { continue }
                        segments.append(Segment(unit: Int32(u), ax: a.lon, ay: a.lat, bx: b.lon, by: b.lat))
                        totalLength += hypot(b.lon - a.lon, b.lat - a.lat)
                    }
                    // An unclosed ring: count its last vertex too.
                    if ring.first != ring.last, let l = ring.last { vertices.append((Int32(u), l.lon, l.lat)) }
                }
            }
        }
        var pairs = Set<Int64>()
        let n = geometries.count
        guard !segments.isEmpty else { return SpatialWeights(neighbours: Array(repeating: [], count: n)) }

        // Uniform hash grid of segments; cells about twice the mean segment length.
        let cell = max(2 * totalLength / Double(segments.count), tol * 16)
        @inline(__always) func key(_ cx: Int64, _ cy: Int64) -> Int64 { (cx &* 73_856_093) ^ (cy &* 19_349_663) ^ (cx << 32) }
        var buckets: [Int64: [Int32]] = [:]
        for (s, seg) in segments.enumerated() {
            let x0 = Int64(((min(seg.ax, seg.bx) - tol) / cell).rounded(.down)), x1 = Int64(((max(seg.ax, seg.bx) + tol) / cell).rounded(.down))
            let y0 = Int64(((min(seg.ay, seg.by) - tol) / cell).rounded(.down)), y1 = Int64(((max(seg.ay, seg.by) + tol) / cell).rounded(.down))
            for cx in x0...x1 { for cy in y0...y1 { buckets[key(cx, cy), default: []].append(Int32(s)) } }
        }
        let tol2 = tol * tol
        for v in vertices {
            let cx = Int64((v.x / cell).rounded(.down)), cy = Int64((v.y / cell).rounded(.down))
            guard let list = buckets[key(cx, cy)] else { continue }
            for s in list {
                let seg = segments[Int(s)]
                if seg.unit == v.unit { continue }
                let a = Int64(min(seg.unit, v.unit)), b = Int64(max(seg.unit, v.unit))
                let pairKey = a << 32 | b
                if pairs.contains(pairKey) { continue }
                if pointSegmentDistanceSquared(v.x, v.y, seg.ax, seg.ay, seg.bx, seg.by) <= tol2 { pairs.insert(pairKey) }
            }
        }
        var neighbours = [[Int]](repeating: [], count: n)
        for p in pairs {
            let a = Int(p >> 32), b = Int(p & 0xFFFF_FFFF)
            neighbours[a].append(b); neighbours[b].append(a)
        }
        for i in neighbours.indices { neighbours[i].sort() }
        return SpatialWeights(neighbours: neighbours)
    }

    @inline(__always)
    static func pointSegmentDistanceSquared(_ px: Double, _ py: Double, _ ax: Double, _ ay: Double, _ bx: Double, _ by: Double) -> Double {
        let dx = bx - ax, dy = by - ay
        let len2 = dx * dx + dy * dy
        var t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0
        t = min(1, max(0, t))
        let ex = ax + t * dx - px, ey = ay + t * dy - py
        return ex * ex + ey * ey
    }
}
