import Foundation

/// What can go wrong rendering a tile. Each case says what and where.
public enum TileRenderError: Error, Equatable, CustomStringConvertible, Sendable {
    /// z/x/y outside 0 ≤ z ≤ 22, 0 ≤ x, y < 2^z.
    case invalidTile(z: Int, x: Int, y: Int)
    /// A layer name that is not one of `Layer.ids`.
    case unknownLayer(String)
    /// A metric name that is not one of `ChoroplethMetric`.
    case unknownMetric(String)
    /// Per-mahalle heat for a mahalle id the renderer does not know.
    case unknownMahalle(Int64)
    /// libpng failed (code from cpng.h and its message).
    case png(code: Int32, message: String, operation: String)
    /// The labels layer could not load its font (path and FreeType's message).
    case font(String)

    public var description: String {
        switch self {
        case .invalidTile(let z, let x, let y):
            return "tile \(z)/\(x)/\(y) does not exist (need 0 ≤ z ≤ \(TileCoord.zoomRange.upperBound) and 0 ≤ x, y < 2^z)"
        case .unknownLayer(let s): return "unknown layer '\(s)': expected \(Layer.ids.joined(separator: "|")) or mahalle-heat:<id>"
        case .unknownMetric(let s): return "unknown metric '\(s)': expected \(ChoroplethMetric.allCases.map(\.rawValue).joined(separator: "|"))"
        case .unknownMahalle(let id): return "unknown mahalle id \(id)"
        case .png(let code, let message, let op): return "PNG \(op) failed (code \(code)): \(message)"
        case .font(let s): return "labels: \(s) (Debian: fonts-dejavu-core)"
        }
    }
}
