import Foundation

/// Point-in-polygon by crossing number, half-open in both axes: an edge counts when the point's latitude is in
/// [low, high) of the edge, and a point exactly on an edge counts as left of it. A point on an edge shared by two
/// polygons therefore belongs to exactly one of them: the one to its east (or north, for horizontal edges).
extension Polygon {
    public func contains(_ p: LonLat) -> Bool {
        var inside = false
        for ring in rings where Self.crossings(ring, p) { inside.toggle() }
        return inside
    }

    /// Odd number of crossings of the ray from p towards +lon.
    @inline(__always)
    static func crossings(_ ring: [LonLat], _ p: LonLat) -> Bool {
        var c = false
        let n = ring.count
        if n < 4 { return false }
        var j = n - 1
        for i in 0..<n {
            let a = ring[i], b = ring[j]
            // Half-open in latitude: an edge counts if p.lat is in [min, max).
            if (a.lat > p.lat) != (b.lat > p.lat) {
                let x = a.lon + (p.lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat)
                // Half-open in longitude: a point exactly on the edge counts as left of it.
                if p.lon < x { c.toggle() }
            }
            j = i
        }
        return c
    }
}

extension MultiPolygon {
    public func contains(_ p: LonLat) -> Bool {
        for poly in polygons where poly.contains(p) { return true }
        return false
    }
}
