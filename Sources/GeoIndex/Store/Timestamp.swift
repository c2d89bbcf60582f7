import Foundation

/// ISO 8601 timestamps as the store keeps them: UTC, second precision, "YYYY-MM-DDTHH:MM:SSZ".
/// Hand-written because bulk import and snapshot loading format and parse millions of them.
public enum Timestamp {
    public static func format(unix t: Int64) -> String {
        var b = [UInt8](repeating: 0, count: 20)
        b.withUnsafeMutableBufferPointer { format(unix: t, into: $0.baseAddress!) }
        return String(decoding: b, as: UTF8.self)
    }

    /// Writes the 20 bytes of "YYYY-MM-DDTHH:MM:SSZ" to `b` (no allocation: bulk import binds them directly).
    @inline(__always)
    static func format(unix t: Int64, into b: UnsafeMutablePointer<UInt8>) {
        let days = Int(IstanbulTime.floorDiv(t, 86_400))
        let secs = Int(t - Int64(days) * 86_400)
        let (y, m, d) = IstanbulTime.civilFromDays(days)
        @inline(__always) func put2(_ v: Int, _ at: Int) { b[at] = UInt8(48 + v / 10); b[at + 1] = UInt8(48 + v % 10) }
        b[0] = UInt8(48 + (y / 1000) % 10); b[1] = UInt8(48 + (y / 100) % 10); put2(y % 100, 2)
        b[4] = 45; put2(m, 5); b[7] = 45; put2(d, 8); b[10] = 84
        put2(secs / 3600, 11); b[13] = 58; put2(secs / 60 % 60, 14); b[16] = 58; put2(secs % 60, 17); b[19] = 90
    }

    public static func format(_ d: Date) -> String { format(unix: Int64(d.timeIntervalSince1970.rounded(.down))) }

    /// Parses ISO 8601 date-times: `YYYY-MM-DD`, `YYYY-MM-DD[T| ]HH:MM[:SS[.fff]]` with optional `Z` or `±HH[:MM]`.
    /// Without an offset the time is Europe/Istanbul local time. Returns Unix seconds, or nil if malformed.
    public static func parse(_ s: String) -> Int64? {
        var s = s
        return s.withUTF8 { parse(bytes: UnsafeRawBufferPointer($0)) }
    }

    public static func parse(bytes b: UnsafeRawBufferPointer) -> Int64? {
        let n = b.count
        var i = 0
        @inline(__always) func digits(_ k: Int) -> Int? {
            guard i + k <= n else { return nil }
            var v = 0
            for j in 0..<k {
                let c = b[i + j]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            i += k
            return v
        }
        @inline(__always) func expect(_ c: UInt8) -> Bool {
            guard i < n, b[i] == c else { return false }
            i += 1
            return true
        }
        while i < n && b[i] == 32 { i += 1 }
        guard let y = digits(4), expect(45), let mo = digits(2), expect(45), let d = digits(2) else { return nil }
        guard (1...12).contains(mo), d >= 1, d <= daysIn(year: y, month: mo) else { return nil }
        var hh = 0, mi = 0, ss = 0
        var offset: Int64? = nil
        if i < n && (b[i] == 84 || b[i] == 116 || b[i] == 32) && i + 1 < n && b[i + 1] >= 48 && b[i + 1] <= 57 {
            i += 1
            guard let h = digits(2), expect(58), let m = digits(2) else { return nil }
            hh = h; mi = m
            if i < n && b[i] == 58 {
                i += 1
                guard let s2 = digits(2) else { return nil }
                ss = s2
                if i < n && (b[i] == 46 || b[i] == 44) {  // fraction: ignored
                    i += 1
                    while i < n && b[i] >= 48 && b[i] <= 57 { i += 1 }
                }
            }
            guard hh <= 23, mi <= 59, ss <= 60 else { return nil }
            if i < n && (b[i] == 90 || b[i] == 122) { offset = 0; i += 1 }
            else if i < n && (b[i] == 43 || b[i] == 45) {
                let sign: Int64 = b[i] == 45 ? -1 : 1
                i += 1
                guard let oh = digits(2) else { return nil }
                var om = 0
                if i < n && b[i] == 58 { i += 1 }
                if i < n { guard let m2 = digits(2) else { return nil }; om = m2 }
                guard oh <= 14, om <= 59 else { return nil }
                offset = sign * Int64(oh * 3600 + om * 60)
            }
        }
        while i < n && b[i] == 32 { i += 1 }
        guard i == n else { return nil }
        let local = Int64(IstanbulTime.daysFromCivil(y, mo, d)) * 86_400 + Int64(hh * 3600 + mi * 60 + ss)
        let t: Int64
        if let offset { t = local - offset } else {
            // Istanbul local time.
            let guess = local - 10_800
            t = local - IstanbulTime.offsetSeconds(unix: guess)
        }
        // Only instants the store's text form can hold (years 0000–9999 in UTC): "0000-01-01" in Istanbul is
        // year -1 in UTC, which `format` cannot write (caught by the FuzzCSV round-trip check, RELIABILITY.md §1).
        guard (Self.earliest...Self.latest).contains(t) else { return nil }
        return t
    }

    /// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the range of "YYYY-MM-DDTHH:MM:SSZ".
    static let earliest: Int64 = -62_167_219_200
    static let latest: Int64 = 253_402_300_799

    static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
