import Foundation

/// Normalised Web Mercator: x and y in [0, 1), origin at the top-left (north-west), as XYZ tiles count.
/// Stored as 32-bit fixed point (unit = 2^-32 of the world, about 9 mm at the equator).
public enum WebMercator {
    public static let maxLatitude = 85.05112877980659
    public static let earthRadius = 6_378_137.0

    @inline(__always)
    public static func normalized(_ p: LonLat) -> (x: Double, y: Double) {
        let lat = min(max(p.lat, -maxLatitude), maxLatitude)
        let x = (p.lon + 180) / 360
        let s = sin(lat * .pi / 180)
        let y = 0.5 - log((1 + s) / (1 - s)) / (4 * .pi)
        return (min(max(x, 0), 1), min(max(y, 0), 1))
    }

    @inline(__always)
    public static func lonLat(x: Double, y: Double) -> LonLat {
        let lon = x * 360 - 180
        let lat = atan(sinh(.pi * (1 - 2 * y))) * 180 / .pi
        return LonLat(lon: lon, lat: lat)
    }

    @inline(__always)
    public static func fixed(_ p: LonLat) -> (x: UInt32, y: UInt32) {
        let (x, y) = normalized(p)
        return (toFixed(x), toFixed(y))
    }

    @inline(__always)
    static func toFixed(_ v: Double) -> UInt32 {
        let s = (v * 4_294_967_296.0).rounded(.down)
        return s >= 4_294_967_295 ? UInt32.max : (s <= 0 ? 0 : UInt32(s))
    }

    /// Metres per unit of normalised mercator at a latitude (ground distance).
    public static func metresPerUnit(atLatitude lat: Double) -> Double {
        2 * .pi * earthRadius * cos(lat * .pi / 180)
    }
}
