import Foundation

/// The characters cluster counts need ("0"–"9", ".", "k", "M", "+"), as anti-aliased 8-bit coverage bitmaps of
/// DejaVu Sans Bold baked at two sizes by `docs/tiles/generate-tables.py` (FreeType via Pillow, once, by hand).
///
/// Why not FreeType at run time: it would need a new system-library target in Package.swift, a font file on
/// every server, and a C handle per thread, to draw 14 characters. Why not a 5×7 pixel font: clusters are circles
/// with anti-aliased edges, and jagged digits inside them look broken; baked coverage bitmaps give FreeType's
/// quality for 16 KB of constants.
struct DigitFont: Sendable {
    struct Glyph: Sendable {
        var character: Character
        var advance: Double
        var left: Int
        var top: Int
        var width: Int
        var height: Int
        var coverage: [UInt8]
    }

    let pixelSize: Int
    let ascent: Int
    let descent: Int
    let glyphs: [Glyph]

    init(pixelSize: Int, ascent: Int, descent: Int, glyphs: [Glyph]) {
        self.pixelSize = pixelSize; self.ascent = ascent; self.descent = descent; self.glyphs = glyphs
    }

    func glyph(_ c: Character) -> Glyph? { glyphs.first { $0.character == c } }

    /// Width of a string in pixels (sum of advances).
    func width(of s: String) -> Double { s.reduce(0) { $0 + (glyph($1)?.advance ?? 0) } }

    /// Draws `s` centred on (cx, cy): horizontally by advance width, vertically on the digits' ink box.
    func draw(_ s: String, centerX cx: Double, centerY cy: Double, color: RGBA, into image: inout RGBAImage) {
        guard let zero = glyph("0") else { return }
        var penX = (cx - width(of: s) / 2).rounded()
        let originY = (cy - Double(zero.top) - Double(zero.height) / 2).rounded()
        for ch in s {
            guard let g = glyph(ch) else { continue }
            let gx = Int(penX) + g.left, gy = Int(originY) + g.top
            for y in 0..<g.height {
                for x in 0..<g.width {
                    let c = g.coverage[y * g.width + x]
                    if c > 0 { image.blend(x: gx + x, y: gy + y, color: color, coverage: Float(c) / 255) }
                }
            }
            penX += g.advance
        }
    }

    /// "7", "842", "1.2k", "12k", "123k", "1.2M": at most four characters, to fit a cluster circle.
    static func countLabel(_ n: Int) -> String {
        func short(_ v: Double, _ unit: String) -> String {
            v < 9.95 ? String(format: "%.1f", v) + unit : "\(Int(v.rounded()))" + unit
        }
        if n < 1000 { return "\(n)" }
        if n < 999_500 { return short(Double(n) / 1000, "k") }
        return short(Double(n) / 1_000_000, "M")
    }
}
