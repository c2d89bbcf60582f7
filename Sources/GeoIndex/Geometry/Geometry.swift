import Foundation

/// A WGS 84 position in degrees.
public struct LonLat: Hashable, Sendable, Codable {
    public var lon: Double
    public var lat: Double
    public init(lon: Double, lat: Double) { self.lon = lon; self.lat = lat }

    /// Finite, longitude in [-180, 180], latitude in [-90, 90].
    public var isValid: Bool { lon.isFinite && lat.isFinite && abs(lon) <= 180 && abs(lat) <= 90 }
}

/// An axis-aligned box in lon/lat degrees.
public struct BoundingBox: Hashable, Sendable, Codable {
    public var minLon, minLat, maxLon, maxLat: Double
    public init(minLon: Double, minLat: Double, maxLon: Double, maxLat: Double) {
        self.minLon = minLon; self.minLat = minLat; self.maxLon = maxLon; self.maxLat = maxLat
    }
    public static let empty = BoundingBox(minLon: .infinity, minLat: .infinity, maxLon: -.infinity, maxLat: -.infinity)
    public var isEmpty: Bool { minLon > maxLon || minLat > maxLat }
    public mutating func extend(_ p: LonLat) {
        minLon = min(minLon, p.lon); maxLon = max(maxLon, p.lon)
        minLat = min(minLat, p.lat); maxLat = max(maxLat, p.lat)
    }
    public mutating func extend(_ b: BoundingBox) {
        minLon = min(minLon, b.minLon); maxLon = max(maxLon, b.maxLon)
        minLat = min(minLat, b.minLat); maxLat = max(maxLat, b.maxLat)
    }
    public func contains(_ p: LonLat) -> Bool {
        p.lon >= minLon && p.lon <= maxLon && p.lat >= minLat && p.lat <= maxLat
    }
    public func intersects(_ b: BoundingBox) -> Bool {
        !(b.minLon > maxLon || b.maxLon < minLon || b.minLat > maxLat || b.maxLat < minLat)
    }
    public func expanded(byDegrees d: Double) -> BoundingBox {
        BoundingBox(minLon: minLon - d, minLat: minLat - d, maxLon: maxLon + d, maxLat: maxLat + d)
    }
    public var center: LonLat { LonLat(lon: (minLon + maxLon) / 2, lat: (minLat + maxLat) / 2) }
}

/// A polygon: `rings[0]` is the outer ring, the rest are holes. Rings are closed (first == last).
public struct Polygon: Hashable, Sendable {
    public var rings: [[LonLat]]
    public init(rings: [[LonLat]]) { self.rings = rings }
    public var outer: [LonLat] { rings.first ?? [] }
}

/// A MultiPolygon in WGS 84; single polygons are stored as a MultiPolygon of one.
public struct MultiPolygon: Hashable, Sendable {
    public var polygons: [Polygon]
    public init(polygons: [Polygon]) { self.polygons = polygons }

    public var bbox: BoundingBox {
        var b = BoundingBox.empty
        for poly in polygons { for p in poly.outer { b.extend(p) } }
        return b
    }
}
