import Foundation

/// Turns cell values into CSV field bytes. Works on bytes, not Strings: a 100,000-row sheet has a million cells.
enum XLSXFieldFormat {
    private static let quote = UInt8(ascii: "\"")

    /// Appends `text` as one RFC 4180 field, decoding OOXML's `_xHHHH_` escapes first (Excel writes a carriage
    /// return inside a cell as `_x000D_`).
    static func appendText(_ text: [UInt8], into out: inout [UInt8]) {
        if text.isEmpty { return }
        if containsEscape(text) {
            appendField(decodeEscapes(text), into: &out)
        } else {
            appendField(text, into: &out)
        }
    }

    /// Quotes only when the field holds a comma, a quote, CR or LF; quotes inside are doubled.
    @inline(__always)
    static func appendField<C: Collection>(_ field: C, into out: inout [UInt8]) where C.Element == UInt8 {
        var needsQuotes = false
        for b in field where b == 0x2C || b == quote || b == 0x0A || b == 0x0D {
            needsQuotes = true
            break
        }
        if !needsQuotes {
            out.append(contentsOf: field)
            return
        }
        out.append(quote)
        for b in field {
            if b == quote { out.append(quote) }
            out.append(b)
        }
        out.append(quote)
    }

    private static func containsEscape(_ t: [UInt8]) -> Bool {
        guard t.count >= 7 else { return false }
        for i in 0..<(t.count - 1) where t[i] == UInt8(ascii: "_") && t[i + 1] == UInt8(ascii: "x") { return true }
        return false
    }

    @inline(__always)
    private static func hex(_ b: UInt8) -> UInt32? {
        switch b {
        case 48...57: return UInt32(b - 48)
        case 65...70: return UInt32(b - 55)
        case 97...102: return UInt32(b - 87)
        default: return nil
        }
    }

    /// `_xHHHH_` → the UTF-16 code unit HHHH (pairs of surrogates combined); `_x005F_` is how a literal
    /// underscore before "x" is escaped.
    static func decodeEscapes(_ t: [UInt8]) -> [UInt8] {
        func unit(at i: Int) -> UInt32? {
            guard i + 6 < t.count, t[i] == UInt8(ascii: "_"), t[i + 1] == UInt8(ascii: "x"), t[i + 6] == UInt8(ascii: "_"),
                  let a = hex(t[i + 2]), let b = hex(t[i + 3]), let c = hex(t[i + 4]), let d = hex(t[i + 5]) else { return nil }
            return a << 12 | b << 8 | c << 4 | d
        }
        var out: [UInt8] = []
        out.reserveCapacity(t.count)
        var i = 0
        while i < t.count {
            guard let u = unit(at: i) else {
                out.append(t[i])
                i += 1
                continue
            }
            var scalar = Unicode.Scalar(u)
            var used = 7
            if (0xD800...0xDBFF).contains(u), let low = unit(at: i + 7), (0xDC00...0xDFFF).contains(low) {
                scalar = Unicode.Scalar(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00))
                used = 14
            }
            out.append(contentsOf: String(Character(scalar ?? "\u{FFFD}")).utf8)
            i += used
        }
        return out
    }

    // MARK: Numbers

    /// A number as stored in `<v>`: a plain decimal is kept as written (only trailing fraction zeros go, so
    /// integers have no decimal point); anything else, and fractions with more digits than a double holds
    /// (`36.950999999999997`), is written in the shortest form that reads back as the same double.
    static func appendNumber(_ v: [UInt8], into out: inout [UInt8]) {
        var s = v[...]
        while let f = s.first, f == 0x20 || f == 0x09 || f == 0x0A || f == 0x0D { s = s.dropFirst() }
        while let l = s.last, l == 0x20 || l == 0x09 || l == 0x0A || l == 0x0D { s = s.dropLast() }
        if s.isEmpty { return }
        if let plain = plainDecimal(s) {
            out.append(contentsOf: plain)
            return
        }
        guard let d = Double(String(decoding: s, as: UTF8.self)), d.isFinite else {
            appendField(s, into: &out)  // not a number after all: keep the text
            return
        }
        appendDouble(d, into: &out)
    }

    /// `-?digits(.digits)?` with at most 15 significant digits in a fraction, trimmed of trailing fraction
    /// zeros and of a negative zero; nil for anything else.
    private static func plainDecimal(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var i = s.startIndex
        let negative = s[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let intStart = i
        while i < s.endIndex && s[i] >= 48 && s[i] <= 57 { i += 1 }
        let intEnd = i
        guard intEnd > intStart else { return nil }
        var end = intEnd
        if i < s.endIndex {
            guard s[i] == UInt8(ascii: "."), i + 1 < s.endIndex else { return nil }
            i += 1
            let fracStart = i
            while i < s.endIndex && s[i] >= 48 && s[i] <= 57 { i += 1 }
            guard i == s.endIndex, i > fracStart else { return nil }
            var significant = 0, seenNonZero = false
            for b in s[intStart..<s.endIndex] where b != UInt8(ascii: ".") {
                if b != 48 { seenNonZero = true }
                if seenNonZero { significant += 1 }
            }
            if significant > 15 { return nil }
            end = s.endIndex
            while s[end - 1] == 48 { end -= 1 }
            if s[end - 1] == UInt8(ascii: ".") { end -= 1 }
        }
        let body = s[s.startIndex..<end]
        if negative && body.dropFirst().allSatisfy({ $0 == 48 }) { return body.dropFirst() }
        return body
    }

    /// Swift's `description` is already the shortest round-tripping digit string; only its exponent form
    /// (`1e-05`, `1.5e+20`) is spelled out, because CSV readers expect plain decimals.
    static func appendDouble(_ d: Double, into out: inout [UInt8]) {
        if d == 0 { out.append(48); return }
        if d == d.rounded(), abs(d) < 1e15 {
            out.append(contentsOf: String(Int64(d)).utf8)
            return
        }
        let text = Array(d.description.utf8)
        guard let e = text.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) else {
            var end = text.count
            if let dot = text.firstIndex(of: UInt8(ascii: ".")) {
                while end > dot + 1 && text[end - 1] == 48 { end -= 1 }
                if end == dot + 1 { end = dot }
            }
            out.append(contentsOf: text[..<end])
            return
        }
        guard let exponent = Int(String(decoding: text[(e + 1)...], as: UTF8.self)) else {
            out.append(contentsOf: text)
            return
        }
        var mantissa = text[..<e]
        if mantissa.first == UInt8(ascii: "-") { out.append(UInt8(ascii: "-")); mantissa = mantissa.dropFirst() }
        let dot = mantissa.firstIndex(of: UInt8(ascii: ".")) ?? mantissa.endIndex
        var digits = Array(mantissa.filter { $0 != UInt8(ascii: ".") })
        while digits.count > 1 && digits.last == 48 { digits.removeLast() }
        let point = (dot - mantissa.startIndex) + exponent  // digits before the decimal point
        if point <= 0 {
            out.append(contentsOf: [48, UInt8(ascii: ".")])
            out.append(contentsOf: repeatElement(48, count: -point))
            out.append(contentsOf: digits)
        } else if point >= digits.count {
            out.append(contentsOf: digits)
            out.append(contentsOf: repeatElement(48, count: point - digits.count))
        } else {
            out.append(contentsOf: digits[..<point])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[point...])
        }
    }

    // MARK: Dates

    /// Days from 1970-01-01 to the day before serial 1 of each date system, so that day = epoch + serial.
    private static let epoch1900 = IstanbulTime.daysFromCivil(1899, 12, 30)
    private static let epoch1904 = IstanbulTime.daysFromCivil(1904, 1, 1)

    /// Writes an Excel serial date as ISO local time: `2024-03-05T14:30:00`, `2024-03-05` for a date format
    /// on a whole day, `14:30:00` for a time format under one day. Returns false (writing nothing) for
    /// serials outside 0…9999-12-31, which Excel shows as ####.
    static func appendDate(serial: Double, kind: XLSXStyles.Kind, date1904: Bool, into out: inout [UInt8]) -> Bool {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return false }
        var day = Int(serial.rounded(.down))
        var seconds = Int(((serial - Double(day)) * 86_400).rounded(.toNearestOrAwayFromZero))
        if seconds >= 86_400 { day += 1; seconds -= 86_400 }
        if kind == .time && day == 0 {
            appendTime(seconds, into: &out)
            return true
        }
        var days: Int
        if date1904 {
            days = epoch1904 + day
        } else {
            // Excel counts 1900-02-29, which never was (Lotus 1-2-3's bug): serials before it are one day off.
            if day < 61 { day += 1 }
            days = epoch1900 + day
        }
        if days > IstanbulTime.daysFromCivil(9999, 12, 31) { days = IstanbulTime.daysFromCivil(9999, 12, 31) }
        let (y, m, d) = IstanbulTime.civilFromDays(days)
        put4(y, &out); out.append(UInt8(ascii: "-")); put2(m, &out); out.append(UInt8(ascii: "-")); put2(d, &out)
        if kind == .date && seconds == 0 { return true }
        out.append(UInt8(ascii: "T"))
        appendTime(seconds, into: &out)
        return true
    }

    private static func appendTime(_ seconds: Int, into out: inout [UInt8]) {
        put2(seconds / 3600, &out); out.append(UInt8(ascii: ":"))
        put2(seconds / 60 % 60, &out); out.append(UInt8(ascii: ":"))
        put2(seconds % 60, &out)
    }

    @inline(__always) private static func put2(_ v: Int, _ out: inout [UInt8]) {
        out.append(UInt8(48 + v / 10 % 10)); out.append(UInt8(48 + v % 10))
    }

    @inline(__always) private static func put4(_ v: Int, _ out: inout [UInt8]) {
        put2(v / 100, &out); put2(v % 100, &out)
    }

}
