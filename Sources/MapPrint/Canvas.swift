import CPNG
import Foundation

/// An RGBA8 image (straight alpha) with the few drawing operations a poster needs: fills, "over" blending of
/// images and coverage masks, anti-aliased lines and polygons. PNG in and out through CPNG.
public struct Canvas {
    public let width: Int, height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, fill: RGBA = RGBA(255, 255, 255, 255)) {
        self.width = width; self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 4)
        for i in 0..<(width * height) {
            pixels[4 * i] = fill.r; pixels[4 * i + 1] = fill.g; pixels[4 * i + 2] = fill.b; pixels[4 * i + 3] = fill.a
        }
    }

    public init(png: [UInt8]) throws {
        var out: UnsafeMutablePointer<UInt8>?
        var w: Int32 = 0, h: Int32 = 0
        var err = [CChar](repeating: 0, count: 256)
        let rc = png.withUnsafeBufferPointer { tm_png_decode_rgba($0.baseAddress, $0.count, &out, &w, &h, &err, err.count) }
        guard rc == 0, let out else { throw PrintError.png(String(cString: err)) }
        defer { tm_png_free(out) }
        width = Int(w); height = Int(h)
        pixels = Array(UnsafeBufferPointer(start: out, count: width * height * 4))
    }

    /// PNG bytes (RGBA, zlib level 6: posters are written once and printed, size matters more than time).
    public func png(level: Int32 = 6) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var n = 0
        var err = [CChar](repeating: 0, count: 256)
        let rc = pixels.withUnsafeBufferPointer { tm_png_encode_rgba($0.baseAddress, Int32(width), Int32(height), level, &out, &n, &err, err.count) }
        guard rc == 0, let out else { throw PrintError.png(String(cString: err)) }
        defer { tm_png_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: n))
    }

    /// Blends `c` over pixel (x, y) with extra coverage `cov` (0…1).
    @inline(__always)
    public mutating func blend(_ x: Int, _ y: Int, _ c: RGBA, coverage cov: Double = 1) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let a = Double(c.a) / 255 * min(max(cov, 0), 1)
        guard a > 0 else { return }
        let i = 4 * (y * width + x)
        let da = Double(pixels[i + 3]) / 255
        let oa = a + da * (1 - a)
        guard oa > 0 else { return }
        func mix(_ s: UInt8, _ d: UInt8) -> UInt8 {
            UInt8(min(255, max(0, ((Double(s) * a + Double(d) * da * (1 - a)) / oa).rounded())))
        }
        pixels[i] = mix(c.r, pixels[i]); pixels[i + 1] = mix(c.g, pixels[i + 1]); pixels[i + 2] = mix(c.b, pixels[i + 2])
        pixels[i + 3] = UInt8(min(255, (oa * 255).rounded()))
    }

    public mutating func fillRect(x: Int, y: Int, w: Int, h: Int, _ c: RGBA) {
        for yy in max(0, y)..<min(height, y + h) { for xx in max(0, x)..<min(width, x + w) { blend(xx, yy, c) } }
    }

    public mutating func strokeRect(x: Int, y: Int, w: Int, h: Int, width lw: Int, _ c: RGBA) {
        fillRect(x: x, y: y, w: w, h: lw, c); fillRect(x: x, y: y + h - lw, w: w, h: lw, c)
        fillRect(x: x, y: y, w: lw, h: h, c); fillRect(x: x + w - lw, y: y, w: lw, h: h, c)
    }

    /// Draws `img` with its top-left at (x, y), "over" what is there.
    public mutating func draw(_ img: Canvas, x: Int, y: Int) {
        for sy in 0..<img.height {
            let ty = y + sy
            guard ty >= 0, ty < height else { continue }
            for sx in 0..<img.width {
                let tx = x + sx
                guard tx >= 0, tx < width else { continue }
                let i = 4 * (sy * img.width + sx)
                let a = img.pixels[i + 3]
                if a == 0 { continue }
                blend(tx, ty, RGBA(img.pixels[i], img.pixels[i + 1], img.pixels[i + 2], a))
            }
        }
    }

    /// The top-left `width` × `height` pixels.
    public func cropped(width w: Int, height h: Int) -> Canvas {
        var c = Canvas(width: w, height: h, fill: RGBA(0, 0, 0, 0))
        for y in 0..<min(h, height) {
            let src = 4 * y * width, dst = 4 * y * w
            let n = 4 * min(w, width)
            c.pixels.replaceSubrange(dst..<(dst + n), with: pixels[src..<(src + n)])
        }
        return c
    }

    /// Scaled to `width` × `height` by area averaging (each output pixel averages the source pixels it
    /// covers, weighted by overlap, in premultiplied alpha): for shrinking, where it does not alias.
    public func resampled(width w: Int, height h: Int) -> Canvas {
        var out = Canvas(width: w, height: h, fill: RGBA(0, 0, 0, 0))
        let sx = Double(width) / Double(w), sy = Double(height) / Double(h)
        for oy in 0..<h {
            let y0 = Double(oy) * sy, y1 = y0 + sy
            for ox in 0..<w {
                let x0 = Double(ox) * sx, x1 = x0 + sx
                var acc = (0.0, 0.0, 0.0, 0.0), wsum = 0.0
                for yy in Int(y0)..<min(height, Int(y1.rounded(.up))) {
                    let wy = min(y1, Double(yy + 1)) - max(y0, Double(yy))
                    for xx in Int(x0)..<min(width, Int(x1.rounded(.up))) {
                        let wgt = wy * (min(x1, Double(xx + 1)) - max(x0, Double(xx)))
                        let i = 4 * (yy * width + xx)
                        let a = Double(pixels[i + 3]) / 255
                        acc.0 += Double(pixels[i]) * a * wgt; acc.1 += Double(pixels[i + 1]) * a * wgt
                        acc.2 += Double(pixels[i + 2]) * a * wgt; acc.3 += a * wgt
                        wsum += wgt
                    }
                }
                guard wsum > 0, acc.3 > 0 else { continue }
                let o = 4 * (oy * w + ox)
                out.pixels[o] = UInt8(min(255, (acc.0 / acc.3).rounded())); out.pixels[o + 1] = UInt8(min(255, (acc.1 / acc.3).rounded()))
                out.pixels[o + 2] = UInt8(min(255, (acc.2 / acc.3).rounded())); out.pixels[o + 3] = UInt8(min(255, (acc.3 / wsum * 255).rounded()))
            }
        }
        return out
    }

    /// Anti-aliased filled polygon (even-odd), 4×4 supersampled coverage per pixel.
    public mutating func fillPolygon(_ pts: [(Double, Double)], _ c: RGBA) {
        guard pts.count >= 3 else { return }
        let minY = max(0, Int(pts.map(\.1).min()!.rounded(.down))), maxY = min(height - 1, Int(pts.map(\.1).max()!.rounded(.up)))
        let minX = max(0, Int(pts.map(\.0).min()!.rounded(.down))), maxX = min(width - 1, Int(pts.map(\.0).max()!.rounded(.up)))
        guard minY <= maxY, minX <= maxX else { return }
        let s = 4
        var cov = [Double](repeating: 0, count: maxX - minX + 1)
        for y in minY...maxY {
            for i in cov.indices { cov[i] = 0 }
            for sub in 0..<s {
                let sy = Double(y) + (Double(sub) + 0.5) / Double(s)
                var xs: [Double] = []
                var j = pts.count - 1
                for i in 0..<pts.count {
                    let (x0, y0) = pts[j], (x1, y1) = pts[i]
                    if (y0 > sy) != (y1 > sy) { xs.append(x0 + (sy - y0) * (x1 - x0) / (y1 - y0)) }
                    j = i
                }
                xs.sort()
                var k = 0
                while k + 1 < xs.count {
                    let a = xs[k], b = xs[k + 1]
                    for sxi in 0..<(cov.count * s) {
                        let sx = Double(minX) + (Double(sxi) + 0.5) / Double(s)
                        if sx >= a && sx < b { cov[sxi / s] += 1 }
                    }
                    k += 2
                }
            }
            for (i, v) in cov.enumerated() where v > 0 { blend(minX + i, y, c, coverage: v / Double(s * s)) }
        }
    }

    /// Anti-aliased line of width `w` px (as a thin polygon).
    public mutating func line(_ a: (Double, Double), _ b: (Double, Double), width w: Double, _ c: RGBA) {
        let dx = b.0 - a.0, dy = b.1 - a.1
        let len = max((dx * dx + dy * dy).squareRoot(), 1e-9)
        let nx = -dy / len * w / 2, ny = dx / len * w / 2
        fillPolygon([(a.0 + nx, a.1 + ny), (b.0 + nx, b.1 + ny), (b.0 - nx, b.1 - ny), (a.0 - nx, a.1 - ny)], c)
    }
}

public struct RGBA: Equatable, Sendable {
    public var r, g, b, a: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: UInt8 = 255) { self.r = r; self.g = g; self.b = b; self.a = a }

    /// "#rrggbb" or "#rrggbbaa".
    public init?(hex: String) {
        var h = hex
        if h.hasPrefix("#") { h.removeFirst() }
        guard h.count == 6 || h.count == 8, let v = UInt32(h, radix: 16) else { return nil }
        if h.count == 6 { self.init(UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)) }
        else { self.init(UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)) }
    }
}

public enum PrintError: Error, CustomStringConvertible {
    case png(String), invalid(String)
    public var description: String {
        switch self {
        case .png(let m): return "PNG: \(m)"
        case .invalid(let m): return m
        }
    }
}
