import Foundation
import GeoIndex

/// Mahalle geometry projected once to normalised Web Mercator, with bounding boxes, and the boundary network
/// with shared edges kept once (neighbours share borders vertex for vertex), so outlines are not drawn twice.
public struct ProjectedAreas: Sendable {
    public struct Area: Sendable {
        public var id: Int64
        public var name: String
        public var population: Int
        public var districtID: Int64
        /// Polygons → rings (first outer, then holes) → points (x, y) in 0…1.
        public var polygons: [[[(x: Double, y: Double)]]]
        public var minX, minY, maxX, maxY: Double
    }

    /// A boundary segment; `major` when it is a district border or the outer edge (one side has no mahalle or
    /// a mahalle of another district).
    public struct Segment: Sendable {
        public var ax, ay, bx, by: Double
        public var major: Bool
    }

    public let areas: [Area]
    public let segments: [Segment]
    public let byID: [Int64: Int]

    public init(_ mahalle: [Mahalle]) {
        var areas: [Area] = []
        for m in mahalle {
            var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
            let polys = m.geometry.polygons.map { poly in
                poly.rings.map { ring in
                    ring.map { p -> (x: Double, y: Double) in
                        let n = WebMercator.normalized(p)
                        minX = min(minX, n.x); maxX = max(maxX, n.x); minY = min(minY, n.y); maxY = max(maxY, n.y)
                        return (n.x, n.y)
                    }
                }
            }
            areas.append(Area(id: m.id, name: m.name, population: m.population, districtID: m.districtID, polygons: polys,
                              minX: minX, minY: minY, maxX: maxX, maxY: maxY))
        }
        self.areas = areas
        byID = Dictionary(areas.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })

        // Undirected edges keyed by their quantised end points; remember which districts use each.
        struct Key: Hashable { var a: (Int64, Int64), b: (Int64, Int64)
            static func == (l: Key, r: Key) -> Bool { l.a == r.a && l.b == r.b }
            func hash(into h: inout Hasher) { h.combine(a.0); h.combine(a.1); h.combine(b.0); h.combine(b.1) } }
        var uses: [Key: (seg: Segment, districts: [Int64])] = [:]
        var order: [Key] = []
        let q = 1e9
        for area in areas {
            for poly in area.polygons {
                for ring in poly where ring.count > 1 {
                    for i in 0..<(ring.count - 1) {
                        let p = ring[i], r = ring[i + 1]
                        let kp = (Int64((p.x * q).rounded()), Int64((p.y * q).rounded()))
                        let kr = (Int64((r.x * q).rounded()), Int64((r.y * q).rounded()))
                        if kp == kr { continue }
                        let key = kp < kr ? Key(a: kp, b: kr) : Key(a: kr, b: kp)
                        if uses[key] == nil {
                            uses[key] = (Segment(ax: p.x, ay: p.y, bx: r.x, by: r.y, major: false), [area.districtID])
                            order.append(key)
                        } else {
                            uses[key]!.districts.append(area.districtID)
                        }
                    }
                }
            }
        }
        segments = order.map { k in
            var (s, d) = uses[k]!
            s.major = d.count == 1 || Set(d).count > 1
            return s
        }
    }

    /// Indices of areas whose box meets the normalised box.
    func areas(in box: (x0: Double, y0: Double, x1: Double, y1: Double)) -> [Int] {
        areas.indices.filter { i in
            let a = areas[i]
            return !(a.maxX < box.x0 || a.minX > box.x1 || a.maxY < box.y0 || a.minY > box.y1)
        }
    }
}
