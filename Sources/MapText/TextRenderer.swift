import CFreeType
import Foundation

/// What went wrong with a font.
public enum TextError: Error, CustomStringConvertible {
    case font(String)
    public var description: String { switch self { case .font(let s): return s } }
}

/// Text from a TrueType font with FreeType (DejaVu Sans by default: it covers every Turkish letter), for posters
/// and label tiles. Owns the FT_Library and FT_Face and frees them in `deinit`; every FreeType result passes
/// through `check`. Not thread-safe (FreeType faces are not): callers that share one hold a lock.
///
/// Rendered glyphs are cached per (glyph, size), so a name drawn again (every label sprite, every poster) costs
/// copies, not rasterisation.
public final class TextRenderer {
    private var library: FT_Library?
    private var face: FT_Face?
    public let fontPath: String

    public static let regular = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    public static let bold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

    /// One rendered glyph: its coverage bitmap (rows × width, 0…255), placed relative to the pen on the baseline.
    public struct Glyph {
        public var left: Int, top: Int, width: Int, rows: Int
        public var advance: Int
        public var coverage: [UInt8]
    }
    private struct GlyphKey: Hashable { var index: UInt32; var pixels: Int }
    private var glyphs: [GlyphKey: Glyph] = [:]
    private var size = -1

    public init(fontPath: String = TextRenderer.regular) throws {
        self.fontPath = fontPath
        try check(FT_Init_FreeType(&library), "FT_Init_FreeType")
        // On failure `deinit` still runs (all stored properties are set) and frees the library.
        try check(FT_New_Face(library, fontPath, 0, &face), "FT_New_Face(\(fontPath))")
    }

    deinit {
        if let face { FT_Done_Face(face) }
        if let library { FT_Done_FreeType(library) }
    }

    private func check(_ rc: FT_Error, _ what: String) throws {
        if rc != 0 { throw TextError.font("\(what) failed with FreeType error \(rc)") }
    }

    /// Width and height (ascent + descent) of `text` at `pixels` size.
    public func measure(_ text: String, pixels: Int) throws -> (width: Int, ascent: Int, descent: Int) {
        var w = 0
        try layout(text, pixels: pixels) { pen, g in w = pen + g.advance }
        let m = try metrics(pixels)
        return (w, m.ascent, m.descent)
    }

    /// The font's ascent and descent at `pixels`.
    public func metrics(_ pixels: Int) throws -> (ascent: Int, descent: Int) {
        try setSize(pixels)
        let m = face!.pointee.size.pointee.metrics
        return (Int(m.ascender >> 6), Int(-m.descender >> 6))
    }

    /// Calls `body` with each glyph of `text` and the pen position (pixels from the text's start) it sits at.
    public func layout(_ text: String, pixels: Int, _ body: (_ pen: Int, _ glyph: Glyph) throws -> Void) throws {
        try setSize(pixels)
        var pen = 0
        var prev: FT_UInt = 0
        for u in text.unicodeScalars {
            let gi = FT_Get_Char_Index(face, FT_ULong(u.value))
            pen += kerning(prev, gi)
            let g = try glyph(gi, pixels: pixels)
            try body(pen, g)
            pen += g.advance
            prev = gi
        }
    }

    /// The coverage of `text` (0…255, the brighter of overlapping glyphs) in a box `margin` pixels larger than
    /// the text on every side, and where its baseline starts in that box.
    public func mask(_ text: String, pixels: Int, margin: Int) throws -> (width: Int, height: Int, baselineX: Int, baselineY: Int, coverage: [UInt8]) {
        let m = try measure(text, pixels: pixels)
        let w = m.width + 2 * margin, h = m.ascent + m.descent + 2 * margin
        let bx = margin, by = margin + m.ascent
        var cov = [UInt8](repeating: 0, count: max(0, w * h))
        try layout(text, pixels: pixels) { pen, g in
            for row in 0..<g.rows {
                let y = by - g.top + row
                guard y >= 0, y < h else { continue }
                for col in 0..<g.width {
                    let x = bx + pen + g.left + col
                    guard x >= 0, x < w else { continue }
                    let v = g.coverage[row * g.width + col]
                    if v > cov[y * w + x] { cov[y * w + x] = v }
                }
            }
        }
        return (w, h, bx, by, cov)
    }

    private func glyph(_ gi: FT_UInt, pixels: Int) throws -> Glyph {
        let key = GlyphKey(index: gi, pixels: pixels)
        if let g = glyphs[key] { return g }
        try check(FT_Load_Glyph(face, gi, FT_Int32(FT_LOAD_RENDER)), "FT_Load_Glyph")
        let slot = face!.pointee.glyph!
        let bm = slot.pointee.bitmap
        let w = Int(bm.width), rows = Int(bm.rows)
        var cov = [UInt8](repeating: 0, count: w * rows)
        if let buf = bm.buffer {
            for row in 0..<rows { for col in 0..<w { cov[row * w + col] = buf[row * Int(bm.pitch) + col] } }
        }
        let g = Glyph(left: Int(slot.pointee.bitmap_left), top: Int(slot.pointee.bitmap_top), width: w, rows: rows,
                      advance: Int(slot.pointee.advance.x >> 6), coverage: cov)
        glyphs[key] = g
        return g
    }

    private func setSize(_ px: Int) throws {
        guard px != size else { return }
        try check(FT_Set_Pixel_Sizes(face, 0, FT_UInt(px)), "FT_Set_Pixel_Sizes")
        size = px
    }

    private func kerning(_ a: FT_UInt, _ b: FT_UInt) -> Int {
        guard a != 0, tm_ft_has_kerning(face) == 1 else { return 0 }
        var k = FT_Vector()
        FT_Get_Kerning(face, a, b, FT_UInt(FT_KERNING_DEFAULT.rawValue), &k)
        return Int(k.x >> 6)
    }
}
