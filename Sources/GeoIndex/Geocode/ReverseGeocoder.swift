import Foundation

/// Point → mahalle (grid candidate search, then exact point-in-polygon with a half-open rule so that a point on a
/// shared border goes to exactly one mahalle) → the parcel containing it, or the nearest parcel within
/// `maxParcelDistance` metres, giving street and door number. Immutable and thread-safe.
public struct ReverseGeocoder: Sendable {
    public let mahalle: [Mahalle]
    public let parcels: [Parcel]
    private let mahalleIndex: GridIndex
    private let parcelIndex: GridIndex
    /// Metres: the farthest a parcel may be and still give the street and door number (default 50).
    public let maxParcelDistance: Double
    /// A fine raster over the mahalle: each cell no boundary edge touches is wholly inside one mahalle (or
    /// none), so most points are answered by one array read; cells crossed by an edge fall back to the exact test.
    private let raster: OwnerRaster

    public init(mahalle: [Mahalle], parcels: [Parcel], maxParcelDistance: Double = 50) {
        // Deterministic order: lower id first, so ties (overlapping input) resolve the same way every time.
        self.mahalle = mahalle.sorted { $0.id < $1.id }
        self.parcels = parcels
        self.mahalleIndex = GridIndex(boxes: self.mahalle.map(\.geometry.bbox), targetPerCell: 1)
        self.parcelIndex = GridIndex(boxes: parcels.map(\.geometry.bbox), targetPerCell: 2)
        self.maxParcelDistance = maxParcelDistance
        self.raster = OwnerRaster(mahalle: self.mahalle, index: mahalleIndex)
    }

    /// The mahalle containing `p`, if any.
    public func mahalleContaining(_ p: LonLat) -> Mahalle? {
        switch raster.owner(of: p) {
        case .none: return nil
        case .some(let i): return mahalle[i]
        case .mixed: return exactMahalleContaining(p)
        }
    }

    /// The exact answer: grid candidates, then point-in-polygon.
    func exactMahalleContaining(_ p: LonLat) -> Mahalle? {
        var found: Int?
        mahalleIndex.candidates(at: p) { i in
            if mahalle[i].geometry.contains(p) { found = i; return false }
            return true
        }
        return found.map { mahalle[$0] }
    }

    public func geocode(_ p: LonLat) -> AddressMatch {
        guard p.isValid else { return AddressMatch() }
        var m = AddressMatch()
        if let mh = mahalleContaining(p) {
            m.mahalleID = mh.id; m.mahalleName = mh.name
            m.districtID = mh.districtID; m.districtName = mh.districtName
        }
        if let (parcel, d) = nearestParcel(p) {
            m.street = parcel.street; m.doorNumber = parcel.doorNumber; m.parcelDistanceMetres = d
        }
        return m
    }

    /// The parcel containing `p` (distance 0) or the nearest one within `maxParcelDistance` metres.
    public func nearestParcel(_ p: LonLat) -> (Parcel, Double)? {
        if parcels.isEmpty { return nil }
        var inside: Int?
        parcelIndex.candidates(at: p) { i in
            if parcels[i].geometry.contains(p) { inside = i; return false }
            return true
        }
        if let i = inside { return (parcels[i], 0) }
        let mLat = 110_574.0, mLon = 111_320.0 * cos(p.lat * .pi / 180)
        let dLat = maxParcelDistance / mLat, dLon = maxParcelDistance / max(mLon, 1)
        let q = BoundingBox(minLon: p.lon - dLon, minLat: p.lat - dLat, maxLon: p.lon + dLon, maxLat: p.lat + dLat)
        var best = -1
        var bestD = Double.infinity
        parcelIndex.candidates(in: q) { i in
            let d = Self.distanceMetres(p, parcels[i].geometry, mLon: mLon, mLat: mLat)
            if d < bestD || (d == bestD && i < best) { bestD = d; best = i }
        }
        guard best >= 0, bestD <= maxParcelDistance else { return nil }
        return (parcels[best], bestD)
    }

    /// Distance from `p` to the nearest edge of `g`, in metres (local equirectangular; exact enough at 50 m).
    static func distanceMetres(_ p: LonLat, _ g: MultiPolygon, mLon: Double, mLat: Double) -> Double {
        var best = Double.infinity
        for poly in g.polygons {
            for ring in poly.rings where ring.count >= 2 {
                for k in 1..<ring.count {
                    let ax = (ring[k - 1].lon - p.lon) * mLon, ay = (ring[k - 1].lat - p.lat) * mLat
                    let bx = (ring[k].lon - p.lon) * mLon, by = (ring[k].lat - p.lat) * mLat
                    let dx = bx - ax, dy = by - ay
                    let len2 = dx * dx + dy * dy
                    var t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0
                    t = min(max(t, 0), 1)
                    let cx = ax + t * dx, cy = ay + t * dy
                    best = min(best, (cx * cx + cy * cy).squareRoot())
                }
            }
        }
        return best
    }
}

/// Cell owners for `ReverseGeocoder`: -1 = no mahalle, ≥ 0 = that mahalle's index, -2 = an edge crosses the cell.
struct OwnerRaster: Sendable {
    enum Owner { case none, some(Int), mixed }
    let bounds: BoundingBox
    let nx: Int, ny: Int
    let cellW: Double, cellH: Double
    let cells: [Int32]

    init(mahalle: [Mahalle], index: GridIndex, resolution: Int = 512) {
        var b = BoundingBox.empty
        for m in mahalle { b.extend(m.geometry.bbox) }
        if b.isEmpty { b = BoundingBox(minLon: 0, minLat: 0, maxLon: 0, maxLat: 0) }
        bounds = b
        nx = resolution; ny = resolution
        cellW = max(b.maxLon - b.minLon, 1e-12) / Double(nx)
        cellH = max(b.maxLat - b.minLat, 1e-12) / Double(ny)
        var cells = [Int32](repeating: -3, count: nx * ny)  // -3 = not yet known
        let (nx, ny, cw, ch) = (self.nx, self.ny, self.cellW, self.cellH)
        func cx(_ lon: Double) -> Int { max(0, min(nx - 1, Int(((lon - b.minLon) / cw).rounded(.down)))) }
        func cy(_ lat: Double) -> Int { max(0, min(ny - 1, Int(((lat - b.minLat) / ch).rounded(.down)))) }
        // Every cell an edge's bounding box touches (one cell of margin for rounding) must use the exact test.
        for m in mahalle {
            for poly in m.geometry.polygons {
                for ring in poly.rings where ring.count >= 2 {
                    for k in 1..<ring.count {
                        let a = ring[k - 1], c = ring[k]
                        let x0 = max(0, cx(min(a.lon, c.lon)) - 1), x1 = min(nx - 1, cx(max(a.lon, c.lon)) + 1)
                        let y0 = max(0, cy(min(a.lat, c.lat)) - 1), y1 = min(ny - 1, cy(max(a.lat, c.lat)) + 1)
                        for y in y0...y1 { for x in x0...x1 { cells[y * nx + x] = -2 } }
                    }
                }
            }
        }
        // Any other cell lies wholly inside one mahalle or outside all: its centre says which. One scan line per
        // row of centres (even-odd crossings of each mahalle's rings) answers them all — a point-in-polygon test per
        // cell costs cells × vertices, minutes for real boundaries with tens of thousands of vertices.
        var crossings = [[(x: Double, owner: Int32)]](repeating: [], count: ny)
        for (i, m) in mahalle.enumerated() {
            for poly in m.geometry.polygons {
                for ring in poly.rings where ring.count >= 2 {
                    for k in 1..<ring.count {
                        let a = ring[k - 1], c = ring[k]
                        if a.lat == c.lat { continue }
                        let lo = min(a.lat, c.lat), hi = max(a.lat, c.lat)
                        // Rows whose centre latitude lies in [lo, hi): each crossing counted once.
                        let r0 = max(0, Int(((lo - b.minLat) / ch - 0.5).rounded(.up)))
                        let r1 = min(ny - 1, Int(((hi - b.minLat) / ch - 0.5).rounded(.up)) - 1)
                        guard r0 <= r1 else { continue }
                        for y in r0...r1 {
                            let lat = b.minLat + (Double(y) + 0.5) * ch
                            guard lat >= lo && lat < hi else { continue }
                            let x = a.lon + (lat - a.lat) * (c.lon - a.lon) / (c.lat - a.lat)
                            crossings[y].append((x, Int32(i)))
                        }
                    }
                }
            }
        }
        for y in 0..<ny {
            var row = crossings[y]
            row.sort { $0.owner != $1.owner ? $0.owner < $1.owner : $0.x < $1.x }
            var k = 0
            while k + 1 < row.count {
                guard row[k].owner == row[k + 1].owner else { k += 1; continue }
                // Cells whose centre lies in [x0, x1) are inside this mahalle (even-odd per mahalle).
                let x0 = row[k].x, x1 = row[k + 1].x
                let c0 = max(0, Int(((x0 - b.minLon) / cw - 0.5).rounded(.up)))
                let c1 = min(nx - 1, Int(((x1 - b.minLon) / cw - 0.5).rounded(.up)) - 1)
                if c0 <= c1 {
                    for x in c0...c1 where cells[y * nx + x] == -3 { cells[y * nx + x] = row[k].owner }
                }
                k += 2
            }
        }
        for i in cells.indices where cells[i] == -3 { cells[i] = -1 }
        self.cells = cells
    }

    @inline(__always)
    func owner(of p: LonLat) -> Owner {
        guard bounds.contains(p) else { return .none }
        let x = min(nx - 1, Int((p.lon - bounds.minLon) / cellW)), y = min(ny - 1, Int((p.lat - bounds.minLat) / cellH))
        let v = cells[y * nx + x]
        if v >= 0 { return .some(Int(v)) }
        return v == -1 ? .none : .mixed
    }
}
