import Foundation

/// The checks of the data-quality report that work on plain numbers, shared by the import report (one file) and
/// `taskmap info --quality` (the whole store).
public enum DataQuality {
    /// One coordinate holding an unusual number of rows: a default geocode (a city hall, a district centre) that
    /// would draw a false hot spot.
    public struct Stack: Sendable, Equatable {
        public var location: LonLat
        public var count: Int
        public var share: Double
        public init(location: LonLat, count: Int, share: Double) {
            self.location = location; self.count = count; self.share = share
        }
    }

    /// The default threshold: a coordinate holding at least 1% of the rows and at least 50 of them.
    public static func defaultStackThreshold(rows: Int) -> Int { max(50, (rows + 99) / 100) }

    /// Coordinates (compared exactly) holding at least `threshold` rows, largest first.
    public static func stacks(_ points: [LonLat], threshold: Int) -> [Stack] {
        guard !points.isEmpty, threshold > 0 else { return [] }
        var keys = points.map { Key(lon: $0.lon.bitPattern, lat: $0.lat.bitPattern) }
        keys.sort()
        var out: [Stack] = []
        var i = 0
        while i < keys.count {
            var j = i + 1
            while j < keys.count && keys[j] == keys[i] { j += 1 }
            if j - i >= threshold {
                out.append(Stack(location: LonLat(lon: Double(bitPattern: keys[i].lon), lat: Double(bitPattern: keys[i].lat)),
                                 count: j - i, share: Double(j - i) / Double(points.count)))
            }
            i = j
        }
        return out.sorted { $0.count > $1.count }
    }

    private struct Key: Comparable, Hashable {
        var lon: UInt64, lat: UInt64
        static func < (a: Key, b: Key) -> Bool { a.lon != b.lon ? a.lon < b.lon : a.lat < b.lat }
    }

    /// The span holding the bulk of the dates, and the rows far outside it.
    public struct DateRange: Sendable {
        /// 0.5th and 99.5th percentiles of the dates (Unix seconds).
        public var mainFrom: Int64
        public var mainTo: Int64
        /// Indexes (into the input) of dates before `mainFrom − margin`, after `mainTo + margin`, or in the future.
        public var outside: [Int]
    }

    /// Dates outside the main range: more than max(31 days, half the main span) before its start or after its end,
    /// or more than a day after `now` (a typed year: 2105 for 2015). Nil for fewer than 20 dates (no main range).
    public static func dateOutliers(_ times: [Int64], now: Int64 = Int64(Date().timeIntervalSince1970)) -> DateRange? {
        guard times.count >= 20 else { return nil }
        let sorted = times.sorted()
        let lo = sorted[sorted.count / 200], hi = sorted[sorted.count - 1 - sorted.count / 200]
        let margin = max(31 * 86_400, (hi - lo) / 2)
        let future = now + 86_400
        var outside: [Int] = []
        for (i, t) in times.enumerated() where t < lo - margin || t > hi + margin || t > future { outside.append(i) }
        return DateRange(mainFrom: lo, mainTo: hi, outside: outside)
    }

    /// "unparseable date '05/03'…" → "unparseable date": the kind of an error, for counting rejections by reason.
    public static func reason(_ message: String) -> String {
        var cut = message.endIndex
        for stop in [" '", ":", " (", " ["] {
            if let r = message.range(of: stop), r.lowerBound < cut { cut = r.lowerBound }
        }
        return String(message[..<cut])
    }

    public static func day(_ t: Int64) -> String { String(Timestamp.format(unix: t).prefix(10)) }
}
