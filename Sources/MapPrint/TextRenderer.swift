import CFreeType
import Foundation

/// Draws text with FreeType from a TrueType font (DejaVu Sans by default: it covers every Turkish letter).
/// Owns the FT_Library and FT_Face and frees them in `deinit`; every FreeType result passes through `check`.
public final class TextRenderer {
    private var library: FT_Library?
    private var face: FT_Face?
    public let fontPath: String

    public static let regular = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    public static let bold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

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
        if rc != 0 { throw PrintError.font("\(what) failed with FreeType error \(rc)") }
    }

    /// Width and height (ascent + descent) of `text` at `pixels` size.
    public func measure(_ text: String, pixels: Int) throws -> (width: Int, ascent: Int, descent: Int) {
        try setSize(pixels)
        var w = 0
        var prev: FT_UInt = 0
        for u in text.unicodeScalars {
            let gi = FT_Get_Char_Index(face, FT_ULong(u.value))
            w += kerning(prev, gi)
            try check(FT_Load_Glyph(face, gi, FT_Int32(FT_LOAD_DEFAULT)), "FT_Load_Glyph")
            w += Int(face!.pointee.glyph.pointee.advance.x >> 6)
            prev = gi
        }
        let m = face!.pointee.size.pointee.metrics
        return (w, Int(m.ascender >> 6), Int(-m.descender >> 6))
    }

    /// Draws `text` with its baseline starting at (x, y).
    public func draw(_ text: String, x: Int, y: Int, pixels: Int, color: RGBA, on canvas: inout Canvas) throws {
        try setSize(pixels)
        var pen = x
        var prev: FT_UInt = 0
        for u in text.unicodeScalars {
            let gi = FT_Get_Char_Index(face, FT_ULong(u.value))
            pen += kerning(prev, gi)
            try check(FT_Load_Glyph(face, gi, FT_Int32(FT_LOAD_RENDER)), "FT_Load_Glyph")
            let slot = face!.pointee.glyph!
            let bm = slot.pointee.bitmap
            let left = pen + Int(slot.pointee.bitmap_left), top = y - Int(slot.pointee.bitmap_top)
            if let buf = bm.buffer {
                for row in 0..<Int(bm.rows) {
                    for col in 0..<Int(bm.width) {
                        let v = buf[row * Int(bm.pitch) + col]
                        if v > 0 { canvas.blend(left + col, top + row, color, coverage: Double(v) / 255) }
                    }
                }
            }
            pen += Int(slot.pointee.advance.x >> 6)
            prev = gi
        }
    }

    /// Text with a halo (drawn 8 times offset in `halo` colour first) so labels read on any background.
    public func drawHalo(_ text: String, x: Int, y: Int, pixels: Int, color: RGBA, halo: RGBA, radius: Int, on canvas: inout Canvas) throws {
        for dy in -radius...radius { for dx in -radius...radius where dx * dx + dy * dy <= radius * radius && (dx != 0 || dy != 0) {
            try draw(text, x: x + dx, y: y + dy, pixels: pixels, color: halo, on: &canvas)
        } }
        try draw(text, x: x, y: y, pixels: pixels, color: color, on: &canvas)
    }

    private func setSize(_ px: Int) throws { try check(FT_Set_Pixel_Sizes(face, 0, FT_UInt(px)), "FT_Set_Pixel_Sizes") }

    private func kerning(_ a: FT_UInt, _ b: FT_UInt) -> Int {
        guard a != 0, tm_ft_has_kerning(face) == 1 else { return 0 }
        var k = FT_Vector()
        FT_Get_Kerning(face, a, b, FT_UInt(FT_KERNING_DEFAULT.rawValue), &k)
        return Int(k.x >> 6)
    }
}
