import Foundation
import GeoIndex

/// An XYZ tile address (Web Mercator, origin at the north-west corner, y growing south), zoom 0–22.
/// Construction is failable: validate at the edge (`guard let t = TileCoord(z:x:y:) else { … }`) and trust it inside.
public struct TileCoord: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Zooms this module renders. 22 keeps a 512-px pixel at ≥ 2 fixed-point units (about 2 cm).
    public static let zoomRange: ClosedRange<Int> = 0...22

    public let z: Int
    public let x: Int
    public let y: Int

    public init?(z: Int, x: Int, y: Int) {
        guard Self.zoomRange.contains(z), x >= 0, y >= 0, x < (1 << z), y < (1 << z) else { return nil }
        self.z = z; self.x = x; self.y = y
    }

    /// Parses "z/x/y" (the CLI form); nil when malformed or out of range.
    public init?(path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let z = Int(parts[0]), let x = Int(parts[1]), let y = Int(parts[2]) else { return nil }
        self.init(z: z, x: x, y: y)
    }

    /// Like `init?(z:x:y:)`, but an invalid address is a thrown error that says what is wrong.
    public static func validated(z: Int, x: Int, y: Int) throws -> TileCoord {
        guard let t = TileCoord(z: z, x: x, y: y) else { throw TileRenderError.invalidTile(z: z, x: x, y: y) }
        return t
    }

    public var description: String { "\(z)/\(x)/\(y)" }

    /// The tile of zoom `zoom` containing a position (latitude clamped to ±85.0511°, longitude to ±180°;
    /// the east and south edges of the world belong to the last tile).
    public static func containing(_ p: LonLat, zoom: Int) -> TileCoord? {
        guard zoomRange.contains(zoom), p.lon.isFinite, p.lat.isFinite else { return nil }
        let (px, py) = TileMath.worldPixel(p, zoom: zoom, tileSize: 1)
        let n = 1 << zoom
        return TileCoord(z: zoom, x: min(max(Int(px.rounded(.down)), 0), n - 1), y: min(max(Int(py.rounded(.down)), 0), n - 1))
    }

    /// WGS 84 bounds.
    public var bounds: BoundingBox {
        let nw = TileMath.lonLat(worldPixelX: Double(x), y: Double(y), zoom: z, tileSize: 1)
        let se = TileMath.lonLat(worldPixelX: Double(x + 1), y: Double(y + 1), zoom: z, tileSize: 1)
        return BoundingBox(minLon: nw.lon, minLat: se.lat, maxLon: se.lon, maxLat: nw.lat)
    }

    /// The north-west corner (mercantile's `ul`).
    public var northWest: LonLat { TileMath.lonLat(worldPixelX: Double(x), y: Double(y), zoom: z, tileSize: 1) }

    public var parent: TileCoord? { z == 0 ? nil : TileCoord(z: z - 1, x: x >> 1, y: y >> 1) }

    public var children: [TileCoord] {
        guard z < Self.zoomRange.upperBound else { return [] }
        return [(0, 0), (1, 0), (0, 1), (1, 1)].compactMap { TileCoord(z: z + 1, x: 2 * x + $0.0, y: 2 * y + $0.1) }
    }

    /// Position of a point in this tile's pixels (0…tileSize across the tile; outside the tile is < 0 or > size).
    public func pixel(of p: LonLat, tileSize: Int = 256) -> (x: Double, y: Double) {
        let w = TileMath.worldPixel(p, zoom: z, tileSize: tileSize)
        return (w.x - Double(x * tileSize), w.y - Double(y * tileSize))
    }

    /// The position at a pixel of this tile (pixel coordinates are continuous: (0, 0) is the north-west corner).
    public func lonLat(ofPixelX px: Double, y py: Double, tileSize: Int = 256) -> LonLat {
        TileMath.lonLat(worldPixelX: Double(x * tileSize) + px, y: Double(y * tileSize) + py, zoom: z, tileSize: tileSize)
    }
}

/// Web Mercator ↔ world pixels. World pixel (0, 0) is the north-west corner of the world at that zoom;
/// the world is `tileSize · 2^zoom` pixels wide.
public enum TileMath {
    /// Latitude limit of the square Web Mercator world: atan(sinh(π)) in degrees.
    public static let maxLatitude = 85.0511287798066

    @inline(__always)
    public static func clampLatitude(_ lat: Double) -> Double { min(max(lat, -maxLatitude), maxLatitude) }

    /// World pixel of a position at a zoom. Latitude is clamped to ±85.0511°, longitude to ±180°.
    public static func worldPixel(_ p: LonLat, zoom: Int, tileSize: Int = 256) -> (x: Double, y: Double) {
        let lon = min(max(p.lon, -180), 180)
        let lat = clampLatitude(p.lat) * .pi / 180
        let scale = Double(tileSize) * Double(1 << zoom)
        let x = (lon + 180) / 360
        let y = (1 - asinh(tan(lat)) / .pi) / 2
        return (x * scale, min(max(y, 0), 1) * scale)
    }

    /// Position of a world pixel at a zoom.
    public static func lonLat(worldPixelX px: Double, y py: Double, zoom: Int, tileSize: Int = 256) -> LonLat {
        let scale = Double(tileSize) * Double(1 << zoom)
        let lon = px / scale * 360 - 180
        let lat = atan(sinh(.pi * (1 - 2 * py / scale))) * 180 / .pi
        return LonLat(lon: lon, lat: lat)
    }

    /// Ground metres per pixel at a latitude and zoom.
    public static func metresPerPixel(latitude: Double, zoom: Int, tileSize: Int = 256) -> Double {
        WebMercator.metresPerUnit(atLatitude: clampLatitude(latitude)) / (Double(tileSize) * Double(1 << zoom))
    }
}
