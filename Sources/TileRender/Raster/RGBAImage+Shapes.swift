import Foundation

extension RGBAImage {
    /// An anti-aliased filled disc (coverage = how far the pixel centre is inside the edge, ±0.5 px).
    public mutating func fillCircle(cx: Double, cy: Double, radius r: Double, color: RGBA) {
        guard r > 0 else { return }
        let x0 = max(0, Int((cx - r - 1).rounded(.down))), x1 = min(width - 1, Int((cx + r + 1).rounded(.up)))
        let y0 = max(0, Int((cy - r - 1).rounded(.down))), y1 = min(height - 1, Int((cy + r + 1).rounded(.up)))
        guard x0 <= x1, y0 <= y1 else { return }
        for y in y0...y1 {
            let dy = Double(y) + 0.5 - cy
            for x in x0...x1 {
                let dx = Double(x) + 0.5 - cx
                let d = (dx * dx + dy * dy).squareRoot()
                let c = r - d + 0.5
                if c > 0 { blend(x: x, y: y, color: color, coverage: Float(min(c, 1))) }
            }
        }
    }

    /// An anti-aliased ring between `inner` and `outer` radius.
    public mutating func strokeCircle(cx: Double, cy: Double, outer: Double, inner: Double, color: RGBA) {
        guard outer > inner else { return }
        let x0 = max(0, Int((cx - outer - 1).rounded(.down))), x1 = min(width - 1, Int((cx + outer + 1).rounded(.up)))
        let y0 = max(0, Int((cy - outer - 1).rounded(.down))), y1 = min(height - 1, Int((cy + outer + 1).rounded(.up)))
        guard x0 <= x1, y0 <= y1 else { return }
        for y in y0...y1 {
            let dy = Double(y) + 0.5 - cy
            for x in x0...x1 {
                let dx = Double(x) + 0.5 - cx
                let d = (dx * dx + dy * dy).squareRoot()
                let c = min(outer - d + 0.5, d - inner + 0.5, 1)
                if c > 0 { blend(x: x, y: y, color: color, coverage: Float(c)) }
            }
        }
    }

    /// Blends `color` through a coverage mask (0…1 per pixel, same size as the image).
    public mutating func fill(mask: [Float], color: RGBA) {
        precondition(mask.count == width * height)
        for i in 0..<mask.count where mask[i] > 0 { blend(x: i % width, y: i / width, color: color, coverage: mask[i]) }
    }
}
