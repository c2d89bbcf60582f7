import Foundation

/// Densities → palette indices (datashader's `shade`): index 0 is transparent, 1…255 walk the ramp with opacity
/// rising from 0, so the output is an 8-bit palette image that PNG stores as one byte a pixel.
///
/// No `log` per pixel: a table indexed by the top bits of the float `1 + v` (exponent and 8 mantissa bits, 0.4 %
/// steps) gives the palette index for any scaling; it is built once per scale.
public struct HeatShader: Sendable {
    public let scale: HeatScale
    /// 256 entries: 0 transparent, then the ramp.
    public let palette: [RGBA]
    let table: [UInt8]
    static let base = 127 << 8
    static let tableSize = 31 * 256

    public init(scale: HeatScale, options: HeatOptions) {
        self.scale = scale
        var pal: [RGBA] = [.clear]
        let colors = options.ramp.colors
        let start = options.ramp == .viridis ? 0.0 : 0.15 // skip inferno's and magma's near-black start
        for i in 1...255 {
            let t = Double(i - 1) / 254
            let c = colors[Int(((start + (1 - start) * t) * 255).rounded())]
            let a = Double(options.maxAlpha) * pow(min(1, t / Double(max(options.opaqueAt, 0.01))), 0.75)
            pal.append(c.with(alpha: UInt8(max(1, min(255, (a * 255).rounded())))))
        }
        palette = pal
        var tab = [UInt8](repeating: 0, count: Self.tableSize)
        for i in 0..<Self.tableSize {
            let lo = Float(bitPattern: UInt32(i + Self.base) << 15)
            let v = lo * (1 + 1.0 / 512) - 1
            if v < options.minDensity { continue }
            // Ramp positions in `levels` steps (fewer distinct neighbours: faster, smaller PNG).
            let steps = Float(max(2, min(255, options.levels)) - 1)
            let t = (scale.position(v) * steps).rounded() / steps
            tab[i] = UInt8(1 + Int((t * 254).rounded()))
        }
        table = tab
    }

    @inline(__always)
    public func index(_ v: Float) -> UInt8 {
        guard v > 0 else { return 0 }
        let key = Int((1 + v).bitPattern >> 15) - Self.base
        return table[min(max(key, 0), Self.tableSize - 1)]
    }

    /// Shades a `size`-pixel tile: each pixel's density is interpolated bilinearly between the centres of the
    /// grid's cells (exact when cells are one pixel), then looked up in the table.
    public func shade(_ grid: DensityGrid, size: Int) -> IndexedImage {
        let f = grid.cellPixels, n = grid.width
        precondition(n * f == size + 2 * f, "density grid does not match the tile size")
        // Cell coordinate of each pixel centre: u = (x + 0.5) / f − 0.5 + 1 (one margin cell).
        var i0 = [Int](repeating: 0, count: size), fr = [Float](repeating: 0, count: size)
        for x in 0..<size {
            let u = (Double(x) + 0.5) / Double(f) + 0.5
            let a = Int(u.rounded(.down))
            i0[x] = min(a, n - 2); fr[x] = Float(u - Double(i0[x]))
        }
        var out = [UInt8](repeating: 0, count: size * size)
        out.withUnsafeMutableBufferPointer { o in
            grid.values.withUnsafeBufferPointer { v in
                table.withUnsafeBufferPointer { t in
                    var row = [Float](repeating: 0, count: n)
                    for y in 0..<size {
                        let r0 = i0[y] * n, r1 = r0 + n, fy = fr[y]
                        // Rows of zeros stay transparent.
                        var any = false
                        for c in 0..<n {
                            let a = v[r0 + c], b = v[r1 + c]
                            let m = a + (b - a) * fy
                            row[c] = m
                            if m > 0 { any = true }
                        }
                        if !any { continue }
                        let orow = y * size
                        for x in 0..<size {
                            let c = i0[x]
                            let a = row[c], b = row[c + 1]
                            let val = a + (b - a) * fr[x]
                            if val <= 0 { continue }
                            let key = Int((1 + val).bitPattern >> 15) - Self.base
                            o[orow + x] = t[min(max(key, 0), Self.tableSize - 1)]
                        }
                    }
                }
            }
        }
        return IndexedImage(width: size, height: size, indices: out, palette: palette)
    }
}
