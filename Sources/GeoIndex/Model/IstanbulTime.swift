import Foundation

/// Calendar arithmetic in Europe/Istanbul, where the municipality's days and months are counted.
/// Times are stored in UTC; a date without an offset in an input file is Istanbul local time.
public enum IstanbulTime {
    public static let timeZone = TimeZone(identifier: "Europe/Istanbul")!
    public static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        return c
    }()

    /// Türkiye has stayed on UTC+3 all year since 2016-09-07; before that, ask the tz database.
    static let permanentPlus3Since: Int64 = 1_473_195_600
    @inline(__always)
    public static func offsetSeconds(unix t: Int64) -> Int64 {
        if t >= permanentPlus3Since { return 10_800 }
        return Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t))))
    }

    /// Local calendar month of an instant, as (year, month).
    public static func yearMonth(unix t: Int64) -> (year: Int, month: Int) {
        let local = t + offsetSeconds(unix: t)
        let days = Int(floorDiv(local, 86_400))
        let (y, m, _) = civilFromDays(days)
        return (y, m)
    }

    /// Months since 0000-01 (year * 12 + month - 1) of an instant, in local time.
    @inline(__always)
    public static func monthIndex(unix t: Int64) -> Int {
        let ym = yearMonth(unix: t)
        return ym.year * 12 + ym.month - 1
    }

    /// The UTC instant of local midnight starting the given day.
    public static func startOfDay(year: Int, month: Int, day: Int) -> Int64 {
        let localMidnight = Int64(daysFromCivil(year, month, day)) * 86_400
        // Offset at that local time: try the offset of the instant three hours earlier (exact for UTC+3), then fix.
        var t = localMidnight - 10_800
        t = localMidnight - offsetSeconds(unix: t)
        return localMidnight - offsetSeconds(unix: t)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// Howard Hinnant's days-from-civil: days since 1970-01-01 of a proleptic Gregorian date.
    public static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (m <= 2 ? y + 1 : y, m, d)
    }
}

/// A half-open interval of UTC instants [start, end), usually whole Istanbul days or months.
public struct Period: Hashable, Sendable, CustomStringConvertible {
    public var start: Int64
    public var end: Int64
    public var label: String
    public init(start: Int64, end: Int64, label: String) { self.start = start; self.end = end; self.label = label }

    /// "YYYY-MM" → that calendar month in Istanbul.
    public static func month(_ text: String) -> Period? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m), (1900...2999).contains(y) else { return nil }
        return month(year: y, month: m)
    }

    /// `n` in at least `width` digits (for labels; `String(format:)` costs a Foundation round trip per call).
    static func zeroPadded(_ n: Int, _ width: Int) -> String {
        guard n >= 0 else { return String(format: "%0\(width)d", n) }
        let digits = String(n)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    public static func month(year: Int, month: Int) -> Period {
        let ny = month == 12 ? year + 1 : year, nm = month == 12 ? 1 : month + 1
        return Period(start: IstanbulTime.startOfDay(year: year, month: month, day: 1),
                      end: IstanbulTime.startOfDay(year: ny, month: nm, day: 1),
                      label: zeroPadded(year, 4) + "-" + zeroPadded(month, 2))
    }

    /// "YYYY-MM-DD" → the instant that day starts in Istanbul.
    public static func dayStart(_ text: String) -> Int64? {
        guard let (y, m, d) = parseDay(text) else { return nil }
        return IstanbulTime.startOfDay(year: y, month: m, day: d)
    }

    /// Inclusive Istanbul days `from`...`to` (either may be nil).
    public static func days(from: String?, to: String?) -> Period? {
        var start = Int64.min, end = Int64.max
        if let f = from { guard let s = dayStart(f) else { return nil }; start = s }
        if let t = to {
            guard let (y, m, d) = parseDay(t) else { return nil }
            let next = IstanbulTime.civilFromDays(IstanbulTime.daysFromCivil(y, m, d) + 1)
            end = IstanbulTime.startOfDay(year: next.0, month: next.1, day: next.2)
        }
        guard start < end else { return nil }
        return Period(start: start, end: end, label: "\(from ?? "…")..\(to ?? "…")")
    }

    static func parseDay(_ text: String) -> (Int, Int, Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), d >= 1 else { return nil }
        let lastDay = IstanbulTime.civilFromDays(IstanbulTime.daysFromCivil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1).2
        guard d <= lastDay else { return nil }
        return (y, m, d)
    }

    /// The month before, and the same month a year earlier (for a month period).
    public func shiftedMonths(_ n: Int) -> Period? {
        let parts = label.split(separator: "-")
        guard Period.month(label) != nil, let y = Int(parts[0]), let m = Int(parts[1]) else { return nil }
        let idx = y * 12 + m - 1 + n
        guard idx >= 0 else { return nil }
        return Period.month(year: idx / 12, month: idx % 12 + 1)
    }

    public func contains(unix t: Int64) -> Bool { t >= start && t < end }
    public var description: String { label }
}
