import Foundation

/// The character encodings a municipality's exports come in. Everything is turned into UTF-8 bytes before the
/// CSV reader sees it, so the parser has one byte form to handle.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    /// Excel's "CSV" on Turkish Windows (code page 1254).
    case windows1254 = "windows-1254"
    /// The ISO form of Turkish Latin; differs from windows-1254 only in 0x80–0x9F (C1 controls there).
    case iso88599 = "iso-8859-9"
    /// Excel's "Unicode text" (with a byte-order mark).
    case utf16 = "utf-16"

    /// Accepts the common spellings: `utf8`, `cp1254`, `windows-1254`, `latin5`, `iso-8859-9`, `utf-16`.
    public init?(parsing s: String) {
        switch s.lowercased().replacingOccurrences(of: "_", with: "-") {
        case "utf-8", "utf8": self = .utf8
        case "windows-1254", "cp1254", "win1254", "windows1254", "1254": self = .windows1254
        case "iso-8859-9", "iso8859-9", "latin5", "latin-5": self = .iso88599
        case "utf-16", "utf16", "utf-16le", "unicode": self = .utf16
        default: return nil
        }
    }

    /// What was found, for the "read as" line.
    public struct Decoded: Sendable {
        public var data: Data          // UTF-8, without a byte-order mark
        public var encoding: TextEncoding
        public var hadBOM: Bool
    }

    /// Decodes `data` as `forced`, or detects the encoding: a UTF-8 or UTF-16 byte-order mark; valid UTF-8; else
    /// windows-1254 — unless a byte that code page leaves undefined appears, which is an error naming its line.
    public static func decode(_ data: Data, file: String, forced: TextEncoding? = nil) throws -> Decoded {
        let bom8 = data.starts(with: [0xEF, 0xBB, 0xBF])
        let bom16 = data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF])
        let enc: TextEncoding
        if let forced { enc = forced }
        else if bom16 { enc = .utf16 }
        else if bom8 || firstInvalidUTF8(data) == nil { enc = .utf8 }
        else { enc = .windows1254 }
        switch enc {
        case .utf8:
            if let bad = firstInvalidUTF8(data) {
                throw ImportError(file: file, location: "line \(lineNumber(data, at: bad))",
                                  message: String(format: "invalid UTF-8 (byte 0x%02X)", data[data.startIndex + bad])
                                    + (forced == nil ? "" : "; if the file came from Excel on Turkish Windows, try --encoding windows-1254"))
            }
            return Decoded(data: bom8 ? data.dropFirst(3) : data, encoding: .utf8, hadBOM: bom8)
        case .utf16:
            guard let s = String(data: data, encoding: .utf16) else {
                throw ImportError(file: file, message: "not valid UTF-16 (--encoding utf-16)")
            }
            var d = Data(s.utf8)
            if d.starts(with: [0xEF, 0xBB, 0xBF]) { d = d.dropFirst(3) }
            return Decoded(data: d, encoding: .utf16, hadBOM: bom16)
        case .windows1254, .iso88599:
            let body = bom8 ? data.dropFirst(3) : data
            return Decoded(data: try transcode(body, table: enc == .windows1254 ? cp1254 : latin5Table, name: enc.rawValue, file: file),
                           encoding: enc, hadBOM: bom8)
        }
    }

    /// Offset of the first byte that breaks UTF-8, or nil when the whole buffer is valid. ASCII runs are
    /// skipped eight bytes at a time: a 100 MB export is checked in a few tens of milliseconds.
    public static func firstInvalidUTF8(_ data: Data) -> Int? {
        data.withUnsafeBytes { raw -> Int? in
            let b = raw.bindMemory(to: UInt8.self)
            let n = b.count
            var i = 0
            while i < n {
                if i + 8 <= n {
                    let w = UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self)
                    if w & 0x8080_8080_8080_8080 == 0 { i += 8; continue }
                }
                let c = b[i]
                if c < 0x80 { i += 1; continue }
                let len: Int
                var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
                switch c {
                case 0xC2...0xDF: len = 2
                case 0xE0: len = 3; lo = 0xA0
                case 0xE1...0xEC, 0xEE...0xEF: len = 3
                case 0xED: len = 3; hi = 0x9F
                case 0xF0: len = 4; lo = 0x90
                case 0xF1...0xF3: len = 4
                case 0xF4: len = 4; hi = 0x8F
                default: return i
                }
                guard i + len <= n else { return i }
                if b[i + 1] < lo || b[i + 1] > hi { return i }
                for k in 2..<len where b[i + k] & 0xC0 != 0x80 { return i }
                i += len
            }
            return nil
        }
    }

    static func lineNumber(_ data: Data, at offset: Int) -> Int {
        data.prefix(offset).reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
    }

    /// One byte → the UTF-8 bytes of its character (empty = undefined in that code page).
    private static func transcode(_ data: Data, table: [[UInt8]], name: String, file: String) throws -> Data {
        var out = [UInt8]()
        out.reserveCapacity(data.count + data.count / 16)
        var bad: Int?
        data.withUnsafeBytes { raw in
            let b = raw.bindMemory(to: UInt8.self)
            for (i, c) in b.enumerated() {
                if c < 0x80 { out.append(c); continue }
                let u = table[Int(c) - 0x80]
                if u.isEmpty { bad = i; return }
                out.append(contentsOf: u)
            }
        }
        if let bad {
            throw ImportError(file: file, location: "line \(lineNumber(data, at: bad))",
                              message: String(format: "byte 0x%02X is neither UTF-8 nor %@: name the encoding with --encoding (utf-8, windows-1254, iso-8859-9, utf-16)",
                                              data[data.startIndex + bad], name))
        }
        return Data(out)
    }

    private static func table(_ scalars: [UInt32?]) -> [[UInt8]] {
        scalars.map { s in s.flatMap(Unicode.Scalar.init).map { Array(String(Character($0)).utf8) } ?? [] }
    }

    /// 0x80–0xFF of code page 1254: Latin-1 with Ğ İ Ş ğ ı ş in place of Ð Ý Þ ð ý þ, and typographic marks in
    /// 0x80–0x9F (five positions undefined).
    static let cp1254: [[UInt8]] = {
        let c1: [UInt32?] = [0x20AC, nil, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
                             0x0152, nil, nil, nil, nil, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                             0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, nil, nil, 0x0178]
        return table(c1 + latin5High)
    }()

    static let latin5Table: [[UInt8]] = table((0x80...0x9F).map { UInt32($0) } + latin5High)

    /// 0xA0–0xFF, shared by windows-1254 and ISO 8859-9.
    private static let latin5High: [UInt32?] = (0xA0...0xFF).map { (c: UInt32) -> UInt32? in
        switch c {
        case 0xD0: return 0x011E  // Ğ
        case 0xDD: return 0x0130  // İ
        case 0xDE: return 0x015E  // Ş
        case 0xF0: return 0x011F  // ğ
        case 0xFD: return 0x0131  // ı
        case 0xFE: return 0x015F  // ş
        default: return c
        }
    }
}
