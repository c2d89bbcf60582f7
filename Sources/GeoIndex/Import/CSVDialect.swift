import Foundation

/// How a CSV file is written: its delimiter and whether numbers use a decimal comma. Turkish Excel saves "CSV"
/// with `;` and decimal commas; other tools use `,`, tabs or `|`. Sniffed from the first rows unless given.
public struct CSVDialect: Sendable, Equatable {
    public var delimiter: UInt8 = 0x2C
    public var decimalComma = false

    public init(delimiter: UInt8 = 0x2C, decimalComma: Bool = false) {
        self.delimiter = delimiter; self.decimalComma = decimalComma
    }

    public static let candidates: [UInt8] = [0x2C, 0x3B, 0x09, 0x7C]  // , ; tab |

    public static func name(of d: UInt8) -> String {
        switch d {
        case 0x2C: return "','"
        case 0x3B: return "';'"
        case 0x09: return "tab"
        case 0x7C: return "'|'"
        default: return "'\(Character(Unicode.Scalar(d)))'"
        }
    }

    /// `,` `;` `|`, `tab` or `\t`.
    public static func parseDelimiter(_ s: String) -> UInt8? {
        switch s {
        case ",", "comma": return 0x2C
        case ";", "semicolon": return 0x3B
        case "\t", "\\t", "tab": return 0x09
        case "|", "pipe": return 0x7C
        default: return nil
        }
    }

    /// Sniffs the delimiter from the header and up to 200 following lines: the one candidate that appears in
    /// the header and splits (nearly) every sampled line into as many fields as the header. Then, when the
    /// delimiter is not a comma, whether numeric-looking fields use a decimal comma. A file where two candidates
    /// fit equally, or none does, is an error that names the flag deciding it.
    public static func sniff(_ data: Data, file: String, delimiter forcedDelimiter: UInt8?, decimalComma forcedComma: Bool?) throws -> CSVDialect {
        let lines = sampleLines(data, max: 201)
        guard let header = lines.first else { throw ImportError(file: file, message: "empty file") }
        var dialect = CSVDialect()
        if let forcedDelimiter { dialect.delimiter = forcedDelimiter } else {
            var fits: [(UInt8, Int)] = []
            for d in candidates {
                let h = count(d, in: header)
                guard h > 0 else { continue }
                let body = lines.dropFirst()
                let agree = body.filter { count(d, in: $0) == h }.count
                if body.isEmpty || Double(agree) >= 0.9 * Double(body.count) { fits.append((d, h)) }
            }
            if fits.count == 1 { dialect.delimiter = fits[0].0 }
            else if fits.isEmpty {
                // One column only, or rows that disagree with the header: leave it to the row checks, which name
                // the line, unless the header holds no candidate at all.
                dialect.delimiter = 0x2C
            } else if let semi = fits.first(where: { $0.0 == 0x3B }), fits.contains(where: { $0.0 == 0x2C }),
                      decimalCommaEvidence(lines, delimiter: 0x3B) {
                // "a;b,c" headers are rare; ';' with decimal commas in the rows is Turkish Excel.
                dialect.delimiter = semi.0
            } else {
                throw ImportError(file: file, location: "line 1",
                                  message: "ambiguous delimiter: \(fits.map { name(of: $0.0) }.joined(separator: " and ")) both split every row alike; choose one with --delimiter")
            }
        }
        if let forcedComma { dialect.decimalComma = forcedComma }
        else if dialect.delimiter != 0x2C { dialect.decimalComma = decimalCommaEvidence(lines, delimiter: dialect.delimiter) }
        return dialect
    }

    /// Whether some field of the sample is a number written with a decimal comma (`36,951`, `-0,5`), and no
    /// field is one written with a decimal point — a file that mixes both is read with points (commas then fail
    /// with their line named, and the message suggests --decimal-comma).
    static func decimalCommaEvidence(_ lines: [ArraySlice<UInt8>], delimiter: UInt8) -> Bool {
        var comma = 0, point = 0
        for line in lines.dropFirst() {
            for field in line.split(separator: delimiter, omittingEmptySubsequences: false) {
                switch numberShape(field) {
                case 1: comma += 1
                case 2: point += 1
                default: break
                }
            }
        }
        return comma > 0 && point == 0
    }

    /// 1 = digits, one comma, digits; 2 = digits, one point, digits; 0 = anything else.
    static func numberShape(_ f: ArraySlice<UInt8>) -> Int {
        var s = f[...]
        while let c = s.first, c == 0x20 || c == 0x22 { s = s.dropFirst() }
        while let c = s.last, c == 0x20 || c == 0x22 { s = s.dropLast() }
        if let c = s.first, c == 0x2D || c == 0x2B { s = s.dropFirst() }
        var sep: UInt8 = 0, before = 0, after = 0
        for c in s {
            if c >= 0x30 && c <= 0x39 { if sep == 0 { before += 1 } else { after += 1 } }
            else if (c == 0x2C || c == 0x2E) && sep == 0 { sep = c }
            else { return 0 }
        }
        guard before > 0, after > 0 else { return 0 }
        return sep == 0x2C ? 1 : (sep == 0x2E ? 2 : 0)
    }

    /// Occurrences of `d` outside double quotes.
    static func count(_ d: UInt8, in line: ArraySlice<UInt8>) -> Int {
        var n = 0, q = false
        for c in line { if c == 0x22 { q.toggle() } else if c == d && !q { n += 1 } }
        return n
    }

    /// The first `max` non-blank records (quoted newlines kept inside), without line ends.
    static func sampleLines(_ data: Data, max: Int) -> [ArraySlice<UInt8>] {
        let head = [UInt8](data.prefix(1 << 20))
        var out: [ArraySlice<UInt8>] = []
        var start = 0, q = false
        var i = 0
        while i < head.count && out.count < max {
            let c = head[i]
            if c == 0x22 { q.toggle() }
            else if c == 0x0A && !q {
                var end = i
                if end > start && head[end - 1] == 0x0D { end -= 1 }
                if end > start { out.append(head[start..<end]) }
                start = i + 1
            }
            i += 1
        }
        if out.count < max && start < head.count && head.count == data.count {
            var end = head.count
            if head[end - 1] == 0x0D { end -= 1 }
            if end > start { out.append(head[start..<end]) }
        }
        return out
    }

    public var summary: String {
        "\(CSVDialect.name(of: delimiter)) delimited, decimal \(decimalComma ? "comma" : "point")"
    }
}
