import Foundation
import GeoIndex

/// A local equirectangular projection (plate carrée with true scale along the central parallel) around a
/// centre, in metres: x = R·Δλ·cos φ₀, y = R·Δφ, R = 6,371,008.8 m (the IUGG mean radius).
///
/// Within a district (±15 km) the east–west scale error is about tan φ₀·Δφ — under 0.3 % at Turkish
/// latitudes — and north–south distances are exact on the sphere; plenty for grid cells of a few hundred metres.
public struct LocalProjection: Hashable, Sendable, Codable {
    public static let earthRadius = 6_371_008.8
    public var center: LonLat
    let metresPerDegreeX: Double
    let metresPerDegreeY: Double

    public init(center: LonLat) {
        self.center = center
        metresPerDegreeY = Self.earthRadius * .pi / 180
        metresPerDegreeX = metresPerDegreeY * cos(center.lat * .pi / 180)
    }

    @inline(__always)
    public func project(_ p: LonLat) -> (x: Double, y: Double) {
        ((p.lon - center.lon) * metresPerDegreeX, (p.lat - center.lat) * metresPerDegreeY)
    }

    @inline(__always)
    public func unproject(x: Double, y: Double) -> LonLat {
        LonLat(lon: center.lon + x / metresPerDegreeX, lat: center.lat + y / metresPerDegreeY)
    }

    /// Description for outputs.
    public var name: String {
        String(format: "local equirectangular, centre %.6f %.6f, R = 6371008.8 m", center.lon, center.lat)
    }
}
