import Foundation

/// What an import found in its file, printed after every import: how the file was read, what was rejected and
/// why, what was kept but is doubtful (points outside every mahalle, stacks, far-off dates, dropped times,
/// values taskmap has no code for).
public struct ImportReport: Sendable {
    public struct Reason: Sendable {
        public var reason: String
        public var count: Int
        public var lines: [Int]   // the first few
    }
    public struct UnknownValue: Sendable {
        public var field: String
        public var text: String
        public var count: Int
    }

    public var readAs = ""
    public var rowsRead = 0
    public var imported = 0
    public var rejected: [Reason] = []
    public var outside = 0
    public var stackThreshold = 0
    public var stacks: [DataQuality.Stack] = []
    public var stacksExcluded = false
    public var duplicateIDs = 0
    public var dateRange: (from: Int64, to: Int64)?
    public var datesOutside: [Int] = []        // lines
    public var datesOutsideCount = 0
    public var timesDropped: [Int] = []        // lines
    public var timesDroppedCount = 0
    public var unknownValues: [UnknownValue] = []

    public init() {}

    static let listed = 5

    public var lines: [String] {
        var out = ["data quality:"]
        out.append("  read as: \(readAs)")
        out.append("  rows read: \(rowsRead), imported: \(imported), rejected: \(rejected.reduce(0) { $0 + $1.count })")
        for r in rejected {
            out.append("    \(r.reason): \(r.count) (line\(r.lines.count == 1 ? "" : "s") \(Self.list(r.lines, total: r.count)))")
        }
        if duplicateIDs > 0 { out.append("  duplicate ids: \(duplicateIDs) (rejected)") }
        out.append("  outside every mahalle: \(outside) (kept, flagged as unassigned)")
        if stacks.isEmpty {
            out.append("  stacks (≥ \(stackThreshold) rows on one coordinate): none")
        } else {
            out.append("  stacks (≥ \(stackThreshold) rows on one coordinate — default geocodes that draw false hot spots):")
            for s in stacks.prefix(10) {
                out.append(String(format: "    %.6f, %.6f: %d rows (%.1f%%)", s.location.lat, s.location.lon, s.count, s.share * 100))
            }
            if stacks.count > 10 { out.append("    … and \(stacks.count - 10) more") }
            out.append(stacksExcluded
                ? "    kept out of heat maps and hot-spot statistics (still counted, flagged)"
                : "    in the heat maps: --exclude-stacks keeps them out of heat maps and hot spots (they stay in counts)")
        }
        if let r = dateRange {
            out.append("  dates: \(DataQuality.day(r.from)) … \(DataQuality.day(r.to)) (99% of rows); far outside it: \(datesOutsideCount)"
                       + (datesOutsideCount > 0 ? " (line\(datesOutsideCount == 1 ? "" : "s") \(Self.list(datesOutside, total: datesOutsideCount)))" : ""))
        }
        out.append("  closing/update times before the opening, dropped (row kept): \(timesDroppedCount)"
                   + (timesDroppedCount > 0 ? " (line\(timesDroppedCount == 1 ? "" : "s") \(Self.list(timesDropped, total: timesDroppedCount)))" : ""))
        if !unknownValues.isEmpty {
            out.append("  values with no taskmap code, stored as 'other' with their text (map them with --values):")
            for v in unknownValues { out.append("    \(v.field) '\(v.text)': \(v.count)") }
        }
        return out
    }

    static func list(_ lines: [Int], total: Int) -> String {
        let shown = lines.prefix(listed).map(String.init).joined(separator: ", ")
        return total > listed ? shown + ", …" : shown
    }
}
