import Foundation

/// Exact-area anti-aliased polygon coverage (the signed-area accumulation method of font-rs / stb_truetype):
/// each edge adds its signed area to an accumulation buffer, and a running sum along each row gives the coverage.
/// Edges may lie anywhere: they are clipped to the rows and clamped to the columns (which keeps the winding
/// number of every pixel inside). Non-zero fill, so rings must be oriented consistently (`addRing` does that:
/// outer rings one way, holes the other); strokes are unions of same-oriented quads.
public struct Rasterizer: Sendable {
    public let width: Int
    public let height: Int
    /// (width + 2) per row: one column of slack on the right for edges ending at x = width.
    private var acc: [Float]

    public init(width: Int, height: Int) {
        self.width = width; self.height = height
        acc = [Float](repeating: 0, count: (width + 2) * height)
    }

    public mutating func reset() {
        acc.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] = 0 } }
    }

    /// Adds a closed ring (pixel coordinates). `hole` flips its orientation so that it cuts out of the fill.
    public mutating func addRing(_ pts: [(x: Double, y: Double)], hole: Bool = false) {
        guard pts.count >= 3 else { return }
        var area = 0.0
        for i in 0..<pts.count {
            let a = pts[i], b = pts[(i + 1) % pts.count]
            area += a.x * b.y - b.x * a.y
        }
        let reverse = (area < 0) != hole
        for i in 0..<pts.count {
            let a = pts[i], b = pts[(i + 1) % pts.count]
            if reverse { addLine(b.x, b.y, a.x, a.y) } else { addLine(a.x, a.y, b.x, b.y) }
        }
    }

    /// Adds a line of `width` pixels from a to b, as a quad (flat ends) plus a square-ish cap at each end so
    /// that consecutive segments join without notches.
    public mutating func addStroke(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double, width w: Double) {
        let dx = bx - ax, dy = by - ay
        let len = (dx * dx + dy * dy).squareRoot()
        guard len > 1e-9 else { return }
        let h = w / 2
        let nx = -dy / len * h, ny = dx / len * h
        // Extend each end by half the width so joints overlap (the union is clamped to full coverage).
        let ex = dx / len * h * 0.7, ey = dy / len * h * 0.7
        let p = [(ax + nx - ex, ay + ny - ey), (bx + nx + ex, by + ny + ey), (bx - nx + ex, by - ny + ey), (ax - nx - ex, ay - ny - ey)]
        // Same orientation for every quad: positive area in this winding.
        var area = 0.0
        for i in 0..<4 { let a = p[i], b = p[(i + 1) % 4]; area += a.0 * b.1 - b.0 * a.1 }
        if area >= 0 {
            for i in 0..<4 { let a = p[i], b = p[(i + 1) % 4]; addLine(a.0, a.1, b.0, b.1) }
        } else {
            for i in (0..<4).reversed() { let a = p[(i + 1) % 4], b = p[i]; addLine(a.0, a.1, b.0, b.1) }
        }
    }

    /// Adds one directed edge.
    public mutating func addLine(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) {
        if y0 == y1 { return }
        if max(y0, y1) <= 0 || min(y0, y1) >= Double(height) { return }
        let w = Double(width)
        // Split at x = 0 and x = width, then clamp: columns outside collapse onto the border.
        var cuts: [Double] = []
        if (x0 < 0) != (x1 < 0) { cuts.append((0 - x0) / (x1 - x0)) }
        if (x0 > w) != (x1 > w) { cuts.append((w - x0) / (x1 - x0)) }
        if cuts.isEmpty {
            drawClamped(x0, y0, x1, y1)
            return
        }
        cuts.sort()
        var px = x0, py = y0
        for t in cuts {
            let qx = x0 + (x1 - x0) * t, qy = y0 + (y1 - y0) * t
            drawClamped(px, py, qx, qy)
            px = qx; py = qy
        }
        drawClamped(px, py, x1, y1)
    }

    private mutating func drawClamped(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double) {
        let w = Double(width), h = Double(height)
        var ax = min(max(ax, 0), w), bx = min(max(bx, 0), w), ay = ay, by = by
        // Clip to the rows in double precision: at high zooms a boundary's far end can be millions of pixels
        // away, where a Float keeps no fraction of a pixel and the interpolated x drifts out of the row.
        if ay == by { return }
        func cut(_ y: Double) -> Double { ax + (bx - ax) * (y - ay) / (by - ay) }
        if ay < 0, by > 0 { ax = cut(0); ay = 0 } else if by < 0, ay > 0 { bx = cut(0); by = 0 }
        if ay > h, by < h { ax = cut(h); ay = h } else if by > h, ay < h { bx = cut(h); by = h }
        draw(Float(ax), Float(ay), Float(bx), Float(by))
    }

    /// font-rs's `draw_line` (x already within [0, width]).
    private mutating func draw(_ p0x: Float, _ p0y: Float, _ p1x: Float, _ p1y: Float) {
        if abs(p0y - p1y) <= .ulpOfOne { return }
        let dir: Float
        let (ax, ay, bx, by): (Float, Float, Float, Float)
        if p0y < p1y { dir = 1; (ax, ay, bx, by) = (p0x, p0y, p1x, p1y) } else { dir = -1; (ax, ay, bx, by) = (p1x, p1y, p0x, p0y) }
        let dxdy = (bx - ax) / (by - ay)
        var x = ax
        var yStart = Int(ay.rounded(.down))
        if ay < 0 { x = min(max(x - ay * dxdy, 0), Float(width)); yStart = 0 }
        let yEnd = min(height, Int(by.rounded(.up)))
        guard yStart < yEnd else { return }
        let stride = width + 2
        acc.withUnsafeMutableBufferPointer { a in
            for y in yStart..<yEnd {
                let line = y * stride
                let dy = min(Float(y + 1), by) - max(Float(y), ay)
                // Clamped: rounding must never step outside [0, width] (the buffer's row and its slack column).
                let xnext = min(max(x + dxdy * dy, 0), Float(width))
                let d = dy * dir
                let (x0, x1) = x < xnext ? (x, xnext) : (xnext, x)
                let x0floor = x0.rounded(.down)
                let x0i = Int(x0floor)
                let x1ceil = x1.rounded(.up)
                let x1i = Int(x1ceil)
                if x1i <= x0i + 1 {
                    let xmf = 0.5 * (x + xnext) - x0floor
                    a[line + x0i] += d - d * xmf
                    a[line + x0i + 1] += d * xmf
                } else {
                    let s = 1 / (x1 - x0)
                    let x0f = x0 - x0floor
                    let a0 = 0.5 * s * (1 - x0f) * (1 - x0f)
                    let x1f = x1 - x1ceil + 1
                    let am = 0.5 * s * x1f * x1f
                    a[line + x0i] += d * a0
                    if x1i == x0i + 2 {
                        a[line + x0i + 1] += d * (1 - a0 - am)
                    } else {
                        let a1 = s * (1.5 - x0f)
                        a[line + x0i + 1] += d * (a1 - a0)
                        var xi = x0i + 2
                        while xi < x1i - 1 { a[line + xi] += d * s; xi += 1 }
                        let a2 = a1 + Float(x1i - x0i - 3) * s
                        a[line + x1i - 1] += d * (1 - a2 - am)
                    }
                    a[line + x1i] += d * am
                }
                x = xnext
            }
        }
    }

    /// Coverage 0…1 per pixel (width × height), and whether any pixel is covered.
    public func coverage() -> (mask: [Float], any: Bool) {
        var out = [Float](repeating: 0, count: width * height)
        var any = false
        let stride = width + 2
        acc.withUnsafeBufferPointer { a in
            out.withUnsafeMutableBufferPointer { o in
                for y in 0..<height {
                    var s: Float = 0
                    for x in 0..<width {
                        s += a[y * stride + x]
                        let c = min(abs(s), 1)
                        if c > 1.0 / 64 { o[y * width + x] = c; any = true }
                    }
                }
            }
        }
        return (out, any)
    }
}
