import Foundation
import MapText

extension TextRenderer {
    /// Draws `text` with its baseline starting at (x, y).
    public func draw(_ text: String, x: Int, y: Int, pixels: Int, color: RGBA, on canvas: inout Canvas) throws {
        try layout(text, pixels: pixels) { pen, g in
            let left = x + pen + g.left, top = y - g.top
            for row in 0..<g.rows {
                for col in 0..<g.width {
                    let v = g.coverage[row * g.width + col]
                    if v > 0 { canvas.blend(left + col, top + row, color, coverage: Double(v) / 255) }
                }
            }
        }
    }

    /// Text with a halo (drawn offset in `halo` colour first, within `radius`) so labels read on any background.
    public func drawHalo(_ text: String, x: Int, y: Int, pixels: Int, color: RGBA, halo: RGBA, radius: Int, on canvas: inout Canvas) throws {
        for dy in -radius...radius { for dx in -radius...radius where dx * dx + dy * dy <= radius * radius && (dx != 0 || dy != 0) {
            try draw(text, x: x + dx, y: y + dy, pixels: pixels, color: halo, on: &canvas)
        } }
        try draw(text, x: x, y: y, pixels: pixels, color: color, on: &canvas)
    }
}
