import Foundation

/// An 8-bit palette image: one index per pixel into `palette` (≤ 256 colours). What the heat shader makes.
public struct IndexedImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var indices: [UInt8]
    public var palette: [RGBA]
    public init(width: Int, height: Int, indices: [UInt8], palette: [RGBA]) {
        precondition(indices.count == width * height && palette.count <= 256)
        self.width = width; self.height = height; self.indices = indices; self.palette = palette
    }
    /// Whether every pixel is fully transparent.
    public var isBlank: Bool {
        let transparent = palette.map { $0.a == 0 }
        return indices.allSatisfy { transparent[Int($0)] }
    }
    public func rgba() -> RGBAImage {
        var out = RGBAImage(width: width, height: height)
        for i in 0..<indices.count {
            let c = palette[Int(indices[i])]
            out.pixels[4 * i] = c.r; out.pixels[4 * i + 1] = c.g; out.pixels[4 * i + 2] = c.b; out.pixels[4 * i + 3] = c.a
        }
        return out
    }
}

/// Straight-alpha RGBA8, row-major, what the pin and area painters draw into.
public struct RGBAImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int) {
        self.width = width; self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 4)
    }
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 4)
        self.width = width; self.height = height; self.pixels = pixels
    }

    public subscript(x: Int, y: Int) -> RGBA {
        let i = 4 * (y * width + x)
        return RGBA(r: pixels[i], g: pixels[i + 1], b: pixels[i + 2], a: pixels[i + 3])
    }

    public var isBlank: Bool {
        var i = 3
        while i < pixels.count { if pixels[i] != 0 { return false }; i += 4 }
        return true
    }

    /// Source-over of `color` at `coverage` (0…1) onto pixel (x, y); outside the image is ignored.
    @inline(__always)
    public mutating func blend(x: Int, y: Int, color: RGBA, coverage: Float) {
        guard x >= 0, y >= 0, x < width, y < height, coverage > 0 else { return }
        // Coverage in 1/16 steps: anti-aliasing stays smooth, and tiles keep few distinct colours (palette PNG).
        let cov = (min(coverage, 1) * 16).rounded() / 16
        if cov <= 0 { return }
        let i = 4 * (y * width + x)
        // Fast paths: opaque paint, or paint onto nothing (most pixels of a pin tile).
        if cov >= 1 && color.a == 255 {
            pixels[i] = color.r; pixels[i + 1] = color.g; pixels[i + 2] = color.b; pixels[i + 3] = 255
            return
        }
        let sa = Float(color.a) / 255 * cov
        if pixels[i + 3] == 0 {
            pixels[i] = color.r; pixels[i + 1] = color.g; pixels[i + 2] = color.b
            pixels[i + 3] = UInt8(min(255, (sa * 255).rounded()))
            return
        }
        pixels.withUnsafeMutableBufferPointer { p in
            let da = Float(p[i + 3]) / 255
            let oa = sa + da * (1 - sa)
            if oa <= 0 { return }
            let k = da * (1 - sa)
            @inline(__always) func mix(_ s: UInt8, _ d: UInt8) -> UInt8 {
                UInt8(min(255, ((Float(s) * sa + Float(d) * k) / oa).rounded()))
            }
            p[i] = mix(color.r, p[i]); p[i + 1] = mix(color.g, p[i + 1]); p[i + 2] = mix(color.b, p[i + 2])
            p[i + 3] = UInt8(min(255, (oa * 255).rounded()))
        }
    }

    /// Copies `other` into this image with its top-left at (x, y) (plain copy, for contact sheets).
    public mutating func paste(_ other: RGBAImage, x: Int, y: Int) {
        for oy in 0..<other.height {
            let ty = y + oy
            guard ty >= 0, ty < height else { continue }
            for ox in 0..<other.width {
                let tx = x + ox
                guard tx >= 0, tx < width else { continue }
                let s = 4 * (oy * other.width + ox), d = 4 * (ty * width + tx)
                pixels[d] = other.pixels[s]; pixels[d + 1] = other.pixels[s + 1]
                pixels[d + 2] = other.pixels[s + 2]; pixels[d + 3] = other.pixels[s + 3]
            }
        }
    }

    /// Source-over of a whole image (straight alpha) with its top-left at (x, y).
    public mutating func composite(_ other: RGBAImage, x: Int, y: Int) {
        for oy in 0..<other.height {
            for ox in 0..<other.width {
                let c = other[ox, oy]
                if c.a == 0 { continue }
                blendExact(x: x + ox, y: y + oy, color: c)
            }
        }
    }

    mutating func blendExact(x: Int, y: Int, color: RGBA) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = 4 * (y * width + x)
        let sa = Float(color.a) / 255, da = Float(pixels[i + 3]) / 255
        let oa = sa + da * (1 - sa)
        let k = da * (1 - sa)
        func mix(_ s: UInt8, _ d: UInt8) -> UInt8 { UInt8(min(255, ((Float(s) * sa + Float(d) * k) / max(oa, 1e-6)).rounded())) }
        pixels[i] = mix(color.r, pixels[i]); pixels[i + 1] = mix(color.g, pixels[i + 1]); pixels[i + 2] = mix(color.b, pixels[i + 2])
        pixels[i + 3] = UInt8(min(255, (oa * 255).rounded()))
    }
}
