import Foundation
import GeoIndex

/// Options of a hot-spot analysis; the defaults are what `taskmap hotspots` and `GET /api/hotspots` use.
public struct HotspotOptions: Sendable {
    public enum MahalleValue: String, Sendable, Codable {
        /// Complaints per 1,000 residents (mahalle without population are left out).
        case per1000
        /// Raw complaint counts.
        case count
    }

    /// Category code to analyse; nil for all categories together.
    public var category: String? = nil

    /// Further restriction by status, channel or type (its period, district and mahalle are ignored).
    public var filter = ComplaintFilter.all

    /// Gi* weights: binary (self-weight 1 plus 1 per neighbour) is the classical Gi* and the default;
    /// `.rowStandardised` reproduces esda's default `transform='R'` (see `GetisOrd`).
    public var transform = GetisOrd.Transform.binary

    /// A unit is a hot (cold) spot when its Benjamini–Hochberg q-value over all units of the analysis is at
    /// most this false discovery rate and z > 0 (z < 0).
    public var fdr = 0.05

    /// What a mahalle's value is.
    public var mahalleValue = MahalleValue.per1000

    /// Grid cell edge in metres, in the local equirectangular projection around the district's centre.
    public var cellMetres = 250.0

    /// Largest grid (rows × columns) analysed; a finer request gets a note and no result. 4M cells ≈ 2 km² at 1 m…
    /// in practice ≈ 50 km × 50 km at 25 m cells.
    public var maxGridCells = 4_000_000

    /// Queen contiguity tolerance for mahalle polygons (≈ 1 cm).
    public var contiguityToleranceDegrees = 1e-7

    public init() {}
}
