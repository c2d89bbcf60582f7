import Foundation
import GeoIndex

/// The period of a report and the two it is compared with.
///
/// For a calendar month (label "YYYY-MM") the comparisons are the previous month and the same month a year
/// earlier. For a range of days they are the equally long window just before, and the same days one year
/// earlier (29 February maps to 28 February). An open-ended range has no comparisons.
public struct ReportPeriods: Sendable {
    public var current: Period
    public var previous: Period?
    public var yearEarlier: Period?

    public init(_ period: Period) {
        current = period
        if Period.month(period.label) != nil {
            previous = period.shiftedMonths(-1)
            yearEarlier = period.shiftedMonths(-12)
        } else if period.start > Int64.min && period.end < Int64.max {
            let length = period.end - period.start
            previous = Period(start: period.start - length, end: period.start,
                              label: Self.dayLabel(period.start - length) + ".." + Self.dayLabel(period.start - 1))
            let s = Self.shiftYear(period.start, by: -1), e = Self.shiftYear(period.end, by: -1)
            yearEarlier = Period(start: s, end: e, label: Self.dayLabel(s) + ".." + Self.dayLabel(e - 1))
        }
    }

    /// The Istanbul day of an instant, "YYYY-MM-DD".
    static func dayLabel(_ t: Int64) -> String {
        let local = t + IstanbulTime.offsetSeconds(unix: t)
        let (y, m, d) = IstanbulTime.civilFromDays(Int(floorDiv(local, 86_400)))
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// The same Istanbul wall-clock day start `years` later (Feb 29 → Feb 28).
    static func shiftYear(_ t: Int64, by years: Int) -> Int64 {
        let local = t + IstanbulTime.offsetSeconds(unix: t)
        let days = Int(floorDiv(local, 86_400))
        let (y, m, d) = IstanbulTime.civilFromDays(days)
        let secondsIntoDay = local - Int64(days) * 86_400
        let ny = y + years
        let lastDay = IstanbulTime.civilFromDays(IstanbulTime.daysFromCivil(m == 12 ? ny + 1 : ny, m == 12 ? 1 : m + 1, 1) - 1).2
        return IstanbulTime.startOfDay(year: ny, month: m, day: min(d, lastDay)) + secondsIntoDay
    }
}

/// A half-open window [from, to) in the snapshot's seconds since 2000.
struct Window: Sendable {
    var from: UInt32
    var to: UInt32
    static let empty = Window(from: 1, to: 0)

    init(from: UInt32, to: UInt32) { self.from = from; self.to = to }
    init(_ p: Period?) {
        guard let p else { self = .empty; return }
        from = p.start <= CompactComplaint.epoch2000 ? 0 : CompactComplaint.seconds2000(unix: p.start)
        to = p.end >= CompactComplaint.epoch2000 + Int64(UInt32.max) ? UInt32.max : CompactComplaint.seconds2000(unix: p.end)
    }

    @inline(__always) func contains(_ t: UInt32) -> Bool { t >= from && t < to }
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
