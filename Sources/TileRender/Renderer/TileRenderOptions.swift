import Foundation

/// Every knob of the renderer, with its default and why. Pixel sizes are for 256-px tiles; @2x tiles double them,
/// so a retina tile is the same picture at twice the resolution.
public struct TileRenderOptions: Sendable, Equatable {
    public var heat = HeatOptions()
    public var pins = PinOptions()
    public var choropleth = ChoroplethOptions()
    public var boundaries = BoundaryOptions()
    public var labels = LabelOptions()
    /// zlib level for every PNG. 1 is ~10× faster than 6 on tiles and only a few per cent larger.
    public var zlibLevel: Int32 = 1
    public init() {}
}

/// How density is turned into colour.
public enum HeatScaling: String, Sendable, Codable, CaseIterable {
    /// t = v / max. Shows only the hottest spots.
    case linear
    /// t = √v / √max.
    case sqrt
    /// t = ln(1 + v) / ln(1 + max). Shows both single complaints and hot spots (the default).
    case log
}

public struct HeatOptions: Sendable, Equatable {
    /// Kernel radius: a complaint warms pixels up to this far (Gaussian, σ = radius / 3, cut at the radius).
    public var radiusPixels = 12
    /// Density is computed on cells of this many pixels (1 or 2 or 4) and interpolated bilinearly: the kernel's
    /// σ is 4 px, so 2-px cells change nothing visible and cost 8× less than per-pixel blurring. @2x tiles use
    /// cells twice as many pixels wide, so a retina tile is the same density field at twice the resolution.
    public var cellPixels = 2
    public var scaling = HeatScaling.log
    public var ramp = ColorRamp.inferno
    /// Distinct colours used from the ramp (≤ 255). Fewer levels give longer runs of equal bytes, so smaller and
    /// faster PNGs; below ~48 steps bands start to show in smooth gradients.
    public var levels = 128
    /// Densities below this (in "complaints at the kernel's centre") stay transparent: it trims the kernel's
    /// far tail so that a lone complaint is a soft dot, not a square.
    public var minDensity: Float = 0.03
    /// Opacity reached at this fraction of the ramp; below it opacity rises from 0, so that sparse areas stay
    /// see-through over the base map and there is no hard edge where the heat ends.
    public var opaqueAt: Float = 0.5
    /// Opacity of the hottest colours (a little below 1 so streets stay readable under hot spots).
    public var maxAlpha: Float = 0.9
    /// The scale's maximum is the complaint count of the densest square cell of this many pixels (rounded up to a
    /// power of two ≥ the radius) at the tile's zoom, rounded up to a quarter-octave step so that one new
    /// complaint rarely changes the colours of a whole zoom level.
    public var scaleStepsPerOctave: Double = 4
    public init() {}
}

public struct PinOptions: Sendable, Equatable {
    /// Below this zoom complaints are grouped into clusters; from it on every complaint is a pin.
    public var clusterBelowZoom = 17
    /// Cluster cell edge: clusters are formed in an aligned grid of cells this wide (a power of two, so that a
    /// cell is one Morton range), placed at the mean position of their complaints.
    public var clusterCellPixels = 64
    /// Radius of a pin for an open complaint (filled disc with a white rim).
    public var pinRadius: Double = 5
    /// Radius of a pin for a resolved/closed/rejected complaint (white disc with a ring in the category colour).
    public var resolvedPinRadius: Double = 4
    /// Cluster radius = base + perDecade · log10(count).
    public var clusterRadiusBase: Double = 8
    public var clusterRadiusPerDecade: Double = 4
    /// Fill of a cluster whose complaints are of several categories (one category: its colour).
    public var clusterColor = RGBA(0x2E3A59, alpha: 225)
    public init() {}
}

/// How choropleth class breaks are chosen.
public enum ClassBreakMethod: String, Sendable, Codable, CaseIterable {
    /// Equal numbers of mahalle per class (robust, easy to explain; the default).
    case quantile
    /// Jenks natural breaks (Fisher's exact optimal 1-D classification): minimal within-class variance.
    case jenks
}

public struct ChoroplethOptions: Sendable, Equatable {
    public var classes = 5
    public var method = ClassBreakMethod.quantile
    /// Fill opacity, so that the base map shows through.
    public var fillAlpha: UInt8 = 190
    /// Outline drawn over the fills (hides the hairline where two anti-aliased fills meet).
    public var outlineColor = RGBA(0xFFFFFF, alpha: 200)
    public var outlineWidth: Double = 1
    public init() {}
}

public struct BoundaryOptions: Sendable, Equatable {
    public var color = RGBA(0x263238, alpha: 220)
    /// Line width between mahalle at zoom ≤ 12, and from zoom 15 on (interpolated between).
    public var widthLowZoom: Double = 0.8
    public var widthHighZoom: Double = 1.6
    /// District borders and the outer edge are this many times wider.
    public var districtFactor: Double = 2
    public init() {}
}

/// Mahalle names (the `labels` layer). Sizes are for 256-px tiles; @2x draws the same names at twice the size in
/// the same places.
public struct LabelOptions: Sendable, Equatable {
    public var fontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    public var fontPixels = 12
    public var color = RGBA(0x1F2933)
    /// A light halo keeps names legible on dark choropleth classes and hot heat.
    public var haloColor = RGBA(0xFFFFFF, alpha: 230)
    public var haloPixels = 2
    /// A name is a candidate at a zoom once it fits its mahalle there: the polygon is at least this fraction of
    /// the name's width across, and the name's half height fits around the pole of inaccessibility.
    public var fitWidthFraction: Double = 0.9
    /// Extra space kept free around every placed name (pixels), so neighbouring names do not touch.
    public var paddingPixels: Double = 3
    public init() {}
}
