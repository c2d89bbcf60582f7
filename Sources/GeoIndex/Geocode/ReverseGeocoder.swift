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

    public init(mahalle: [Mahalle], parcels: [Parcel], maxParcelDistance: Double = 50) {
        // Deterministic order: lower id first, so ties (overlapping input) resolve the same way every time.
        self.mahalle = mahalle.sorted { $0.id < $1.id }
        self.parcels = parcels
        self.mahalleIndex = GridIndex(boxes: self.mahalle.map(\.geometry.bbox), targetPerCell: 1)
        self.parcelIndex = GridIndex(boxes: parcels.map(\.geometry.bbox), targetPerCell: 2)
        self.maxParcelDistance = maxParcelDistance
    }

    /// The mahalle containing `p`, if any.
    public func mahalleContaining(_ p: LonLat) -> Mahalle? {
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
