import Foundation

/// Numbers as spreadsheets and scripts read them: plain decimal with a dot, never an exponent, no grouping.
public enum PlainNumber {
    /// `x` with `decimals` digits after the point, trailing zeros (and a bare point) removed: 0.5, 12, 3.1416.
    public static func fixed(_ x: Double, decimals: Int) -> String {
        guard x.isFinite else { return "" }
        // Fast path (reports write tens of thousands of numbers): integer arithmetic on x·10^d, rounded half away
        // from zero; the rare number too large or too fine for it goes through printf.
        if decimals >= 0 && decimals <= 12 {
            let scale = powersOfTen[decimals]
            let scaled = (abs(x) * Double(scale)).rounded()
            if scaled < 9.0e15 {
                let n = UInt64(scaled)
                if n == 0 { return "0" }
                let whole = n / scale
                var frac = n % scale
                var out = x < 0 ? "-" : ""
                out += String(whole)
                if frac > 0 {
                    var digits = decimals
                    while frac % 10 == 0 { frac /= 10; digits -= 1 }
                    let f = String(frac)
                    out += "." + String(repeating: "0", count: digits - f.count) + f
                }
                return out
            }
        }
        var s = String(format: "%.\(decimals)f", x)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        if s == "-0" { s = "0" }
        return s
    }

    static let powersOfTen: [UInt64] = (0...18).map { (0..<$0).reduce(UInt64(1)) { r, _ in r * 10 } }

    /// `x` with about `significant` significant digits, still plain decimal (0.000000123, 1234567.9);
    /// used for p-values, which can be tiny.
    public static func significant(_ x: Double, _ significant: Int = 6) -> String {
        guard x.isFinite else { return "" }
        if x == 0 { return "0" }
        let magnitude = Int(log10(abs(x)).rounded(.down))
        return fixed(x, decimals: min(max(significant - 1 - magnitude, 0), 340))
    }

    /// An integer with thin grouping for people: 1 234 567 (narrow no-break space).
    public static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append("\u{202F}") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }
}

/// RFC 4180 CSV: fields with a comma, quote or line break are quoted, quotes doubled; lines end in "\n".
struct CSVWriter {
    private(set) var text = ""

    init(header: [String]) { row(header) }

    mutating func row(_ fields: [String]) {
        text += fields.map(Self.escape).joined(separator: ",")
        text += "\n"
    }

    static func escape(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Fixed-width text columns for terminal tables; widths count characters, so Turkish letters line up.
struct TextTable {
    enum Align { case left, right }
    var columns: [(title: String, align: Align)]
    var rows: [[String]] = []

    init(_ columns: [(String, Align)]) { self.columns = columns.map { (title: $0.0, align: $0.1) } }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render(indent: String = "  ") -> String {
        var widths = columns.map { $0.title.count }
        for r in rows { for (i, f) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], f.count) } }
        func line(_ fields: [String]) -> String {
            var parts: [String] = []
            for (i, f) in fields.enumerated() {
                let pad = String(repeating: " ", count: max(0, widths[i] - f.count))
                let isLast = i == fields.count - 1
                parts.append(columns[i].align == .right ? pad + f : (isLast ? f : f + pad))
            }
            return indent + parts.joined(separator: "  ")
        }
        var out = line(columns.map(\.title)) + "\n"
        out += indent + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n"
        for r in rows { out += line(r) + "\n" }
        return out
    }
}
