import Foundation

/// A straight (not premultiplied) 8-bit sRGB colour.
public struct RGBA: Hashable, Sendable, Codable {
    public var r: UInt8, g: UInt8, b: UInt8, a: UInt8
    public init(r: UInt8, g: UInt8, b: UInt8, a: UInt8 = 255) { self.r = r; self.g = g; self.b = b; self.a = a }
    /// From 0xRRGGBB.
    public init(_ rgb: UInt32, alpha: UInt8 = 255) {
        self.init(r: UInt8((rgb >> 16) & 0xFF), g: UInt8((rgb >> 8) & 0xFF), b: UInt8(rgb & 0xFF), a: alpha)
    }
    public static let clear = RGBA(r: 0, g: 0, b: 0, a: 0)
    public static let white = RGBA(0xFFFFFF)

    /// "#rrggbb" (opaque) or "#rrggbbaa".
    public var hex: String {
        a == 255 ? String(format: "#%02x%02x%02x", r, g, b) : String(format: "#%02x%02x%02x%02x", r, g, b, a)
    }

    public func with(alpha: UInt8) -> RGBA { RGBA(r: r, g: g, b: b, a: alpha) }
}

/// A perceptually uniform, colour-blind-safe ramp (matplotlib's, CC0), 256 entries from low to high.
public enum ColorRamp: String, Sendable, Codable, CaseIterable {
    case viridis, inferno, magma

    /// 256 colours, low to high, opaque.
    public var colors: [RGBA] {
        let t: [UInt32]
        switch self {
        case .viridis: t = Self.viridisTable
        case .inferno: t = Self.infernoTable
        case .magma: t = Self.magmaTable
        }
        return t.map { RGBA($0) }
    }

    /// The colour at t ∈ [0, 1].
    public func color(at t: Double) -> RGBA {
        colors[Int((min(max(t, 0), 1) * 255).rounded())]
    }
}
