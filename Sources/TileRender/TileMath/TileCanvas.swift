import Foundation
import GeoIndex

/// The pixel grid one tile is drawn on (datashader's canvas): the tile's pixels plus `buffer` pixels on every
/// side, so that marks centred outside the tile but reaching into it are counted. Maps fixed-point mercator and
/// lon/lat to canvas pixels, where (buffer, buffer) is the tile's north-west corner.
///
/// The world does not wrap: tiles at the antimeridian see only their own side (no municipality straddles it).
public struct TileCanvas: Sendable, Equatable {
    public let tile: TileCoord
    /// Tile edge in pixels: 256, or 512 for @2x.
    public let size: Int
    /// Extra pixels on each side.
    public let buffer: Int
    /// `size + 2 · buffer`.
    public var width: Int { size + 2 * buffer }
    /// Right shift turning a fixed-point coordinate into a world pixel at this zoom and size.
    let shift: UInt32
    /// World pixel of canvas pixel (0, 0).
    let originX: Int
    let originY: Int

    public init(tile: TileCoord, size: Int = 256, buffer: Int = 0) {
        precondition(size == 256 || size == 512, "tile size must be 256 or 512")
        self.tile = tile
        self.size = size
        self.buffer = max(0, buffer)
        shift = UInt32(32 - (size == 512 ? 9 : 8) - tile.z)
        originX = tile.x * size - self.buffer
        originY = tile.y * size - self.buffer
    }

    /// The canvas area (tile + buffer) in fixed-point mercator, inclusive, clamped to the world.
    public var fixedBox: (x0: UInt32, x1: UInt32, y0: UInt32, y1: UInt32) {
        func clamp(_ v: Int64) -> UInt32 { UInt32(max(0, min(v, Int64(UInt32.max)))) }
        let s = Int64(shift)
        let x0 = Int64(originX) << s, y0 = Int64(originY) << s
        let span = Int64(width) << s
        return (clamp(x0), clamp(x0 + span - 1), clamp(y0), clamp(y0 + span - 1))
    }

    /// Canvas pixel containing a fixed-point position (may be outside 0..<width).
    @inline(__always)
    public func pixel(fixedX: UInt32, fixedY: UInt32) -> (x: Int, y: Int) {
        (Int(fixedX >> shift) - originX, Int(fixedY >> shift) - originY)
    }

    /// Continuous canvas position of a fixed-point position (pixel centres at +0.5).
    @inline(__always)
    public func point(fixedX: UInt32, fixedY: UInt32) -> (x: Double, y: Double) {
        let k = 1 / Double(UInt64(1) << UInt64(shift))
        return (Double(fixedX) * k - Double(originX), Double(fixedY) * k - Double(originY))
    }

    /// Continuous canvas position of normalised mercator (0…1).
    @inline(__always)
    public func point(normalizedX nx: Double, y ny: Double) -> (x: Double, y: Double) {
        let world = Double(size) * Double(1 << tile.z)
        return (nx * world - Double(originX), ny * world - Double(originY))
    }

    /// Continuous canvas position of a lon/lat.
    public func point(_ p: LonLat) -> (x: Double, y: Double) {
        let w = TileMath.worldPixel(p, zoom: tile.z, tileSize: size)
        return (w.x - Double(originX), w.y - Double(originY))
    }

    /// The canvas area in normalised mercator (minX, minY, maxX, maxY), for culling geometry.
    public var normalizedBox: (x0: Double, y0: Double, x1: Double, y1: Double) {
        let world = Double(size) * Double(1 << tile.z)
        return (Double(originX) / world, Double(originY) / world, Double(originX + width) / world, Double(originY + width) / world)
    }
}
