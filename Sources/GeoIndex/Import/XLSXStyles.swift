import Foundation

/// What the number format of each cell style (`cellXfs` index, the `s` of a cell) makes of a number: Excel stores
/// dates as plain serial numbers, and only the format tells them apart.
struct XLSXStyles {
    enum Kind: UInt8 {
        case number, date, dateTime, time
    }

    /// Indexed by the cell's `s` attribute.
    private(set) var kinds: [Kind] = []

    init() {}

    init(data: Data, part: String, file: String) throws {
        var customFormats: [Int: String] = [:]
        var xfFormats: [Int] = []
        let scanner = XLSXElementScanner { scanner, name, attrs in
            // Differential formats (<dxfs>, for conditional formatting) hold <numFmt>s too; cells never use those.
            if name == "numFmt", scanner.isInside("numFmts"), let id = attrs["numFmtId"].flatMap({ Int($0) }) {
                customFormats[id] = attrs["formatCode"] ?? ""
            } else if name == "xf", scanner.isInside("cellXfs") {
                // cellStyleXfs also holds <xf>s, but cells point into cellXfs only.
                xfFormats.append(attrs["numFmtId"].flatMap { Int($0) } ?? 0)
            }
        }
        try XLSXXML.parse(data, part: part, file: file, delegate: scanner)
        kinds = xfFormats.map { id in
            if let code = customFormats[id] { return Self.classify(code) }
            return Self.builtIn(id)
        }
    }

    @inline(__always)
    func kind(_ style: Int) -> Kind {
        style >= 0 && style < kinds.count ? kinds[style] : .number
    }

    static func builtIn(_ id: Int) -> Kind {
        switch id {
        case 14...17: return .date          // m/d/yyyy, d-mmm-yy, d-mmm, mmm-yy
        case 18...21, 45...47: return .time // h:mm AM/PM … h:mm:ss, mm:ss, [h]:mm:ss, mmss.0
        case 22: return .dateTime           // m/d/yyyy h:mm
        default: return .number
        }
    }

    /// A format code is a date/time format when d, m, y, h or s appear outside quoted text, brackets
    /// (`[Red]`, `[$-41F]`) and escapes (`\d`, `_x`, `*x`); elapsed-time brackets `[h]`, `[mm]`, `[ss]` and
    /// AM/PM count as time. An "m" with no d or y beside an h or s is minutes ("mm:ss").
    static func classify(_ code: String) -> Kind {
        let c = Array(code.utf8)
        var dayOrYear = false, month = false, time = false
        var i = 0
        while i < c.count {
            let ch = c[i] | 0x20  // ASCII lowercase; harmless for the punctuation tested below
            switch c[i] {
            case UInt8(ascii: "\""):
                i += 1
                while i < c.count && c[i] != UInt8(ascii: "\"") { i += 1 }
            case UInt8(ascii: "\\"), UInt8(ascii: "_"), UInt8(ascii: "*"):
                i += 1
            case UInt8(ascii: "["):
                var j = i + 1
                while j < c.count && c[j] != UInt8(ascii: "]") { j += 1 }
                let inner = c[min(i + 1, c.count)..<min(j, c.count)].map { $0 | 0x20 }
                if let first = inner.first, [UInt8(ascii: "h"), UInt8(ascii: "m"), UInt8(ascii: "s")].contains(first),
                   inner.allSatisfy({ $0 == first }) {
                    time = true
                }
                i = j
            default:
                if ch == UInt8(ascii: "d") || ch == UInt8(ascii: "y") { dayOrYear = true }
                else if ch == UInt8(ascii: "m") { month = true }
                else if ch == UInt8(ascii: "h") || ch == UInt8(ascii: "s") { time = true }
                else if ch == UInt8(ascii: "a") {
                    let rest = String(decoding: c[i..<min(i + 5, c.count)], as: UTF8.self).lowercased()
                    if rest.hasPrefix("am/pm") || rest.hasPrefix("a/p") { time = true; i += rest.hasPrefix("am/pm") ? 4 : 2 }
                }
            }
            i += 1
        }
        let date = dayOrYear || (month && !time)
        switch (date, time) {
        case (true, true): return .dateTime
        case (true, false): return .date
        case (false, true): return .time
        case (false, false): return .number
        }
    }
}
