import Foundation
import GeoIndex

/// The fixed pin colour of each category code. Stable by code (not by table position), so a category keeps its
/// colour across stores, filters and restarts; documented in docs/tiles/README.md. Hues are spread so that
/// neighbouring departments differ; with 19 categories no palette is colour-blind safe by hue alone, so pins
/// also differ by status in shape (filled vs ring), and the viewer's legend names each colour.
public enum CategoryPalette {
    public static let fixed: [String: RGBA] = [
        "yol": RGBA(0xD62728),          // roads: red
        "kaldirim": RGBA(0xFF7F0E),     // pavements: orange
        "temizlik": RGBA(0xBCBD22),     // street cleaning: olive
        "cop": RGBA(0x8C564B),          // waste: brown
        "park": RGBA(0x2CA02C),         // parks: green
        "su": RGBA(0x1F77B4),           // water: blue
        "aydinlatma": RGBA(0xE3B505),   // lighting: amber
        "ulasim": RGBA(0x9467BD),       // transport: purple
        "zabita": RGBA(0x4D5A6B),       // municipal police: slate
        "kar": RGBA(0x56B4E9),          // snow and ice: sky blue
        "gurultu": RGBA(0xE377C2),      // noise: pink
        "diger": RGBA(0x8F8F8F),        // other: grey
        "agac": RGBA(0x006D2C),         // trees: dark green
        "hayvan": RGBA(0xA0522D),       // animals: sienna
        "kanalizasyon": RGBA(0x0B3C8C), // sewerage: navy
        "imar": RGBA(0x6A3D9A),         // zoning: dark purple
        "hava": RGBA(0x00A087),         // air quality: teal
        "ilaclama": RGBA(0xCC79A7),     // pest spraying: mauve
        "sosyal": RGBA(0xF4A582),       // social services: salmon
    ]

    /// Colours for codes not listed, chosen by a stable hash of the code.
    static let extra: [RGBA] = [0x17BECF, 0x7F3C8D, 0x11A579, 0x3969AC, 0xF2B701, 0xE73F74, 0x80BA5A, 0xE68310]
        .map { RGBA($0) }

    public static func color(for code: String) -> RGBA {
        if let c = fixed[code] { return c }
        var h: UInt32 = 2_166_136_261
        for b in code.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
        return extra[Int(h % UInt32(extra.count))]
    }

    /// Colour per snapshot category index (index 0, the placeholder, is grey).
    static func table(_ tables: ComplaintSnapshot.Tables) -> [RGBA] {
        var t = [RGBA](repeating: RGBA(0x8F8F8F), count: 256)
        for (i, code) in tables.categories.enumerated() where i > 0 && i < 256 { t[i] = color(for: code) }
        return t
    }
}
