import Foundation
import GeoIndex

/// How the municipality is keeping up, over the complaints located in the report's mahalle.
///
/// - Backlog: complaints open at the backlog instant T = min(period end, asOf): created before T and either
///   resolved after T or, with no resolution time, still in an open status (open, assigned, in progress).
///   Rejected and closed complaints without a resolution time are not backlog (when they were decided is not
///   recorded). Age = T − creation time; the median age is in days.
/// - Resolution time: complaints *resolved during the period* (whenever created), resolution − creation, in hours;
///   median and 90th percentile (type 7 quantiles, see `Quantiles`). The department is the category's
///   department (a per-complaint reassignment is not in the snapshot).
/// - SLA: of complaints *created during the period*, met = resolved within the category's target, missed =
///   resolved later or still open and older than the target at asOf, pending = still open and younger (not
///   counted); share = met / (met + missed). Rejected complaints are not counted.
/// - Satisfaction: the mean 1–5 score of complaints created in the period that have one.
/// - Channels: complaints created in the period, by channel.
public struct ServiceReport: Codable, Sendable {
    public var backlog: Int
    @Nullable public var backlogMedianAgeDays: Double?
    public var resolved: Int
    @Nullable public var medianResolutionHours: Double?
    @Nullable public var p90ResolutionHours: Double?
    public var slaMet: Int
    public var slaMissed: Int
    public var slaPending: Int
    @Nullable public var slaShare: Double?
    @Nullable public var satisfactionMean: Double?
    public var satisfactionCount: Int
    public var categories: [CategoryService]
    public var departments: [DepartmentService]
    public var channels: [ChannelCount]

    public struct CategoryService: Codable, Sendable {
        public var category: String
        public var name: String
        public var department: String
        public var created: Int
        public var resolved: Int
        @Nullable public var medianResolutionHours: Double?
        @Nullable public var p90ResolutionHours: Double?
        public var slaHours: Double
        public var slaMet: Int
        public var slaMissed: Int
        public var slaPending: Int
        @Nullable public var slaShare: Double?
        public var backlog: Int
        @Nullable public var backlogMedianAgeDays: Double?
        @Nullable public var satisfactionMean: Double?
        public var satisfactionCount: Int
    }

    public struct DepartmentService: Codable, Sendable {
        public var department: String
        public var categories: [String]
        public var created: Int
        public var resolved: Int
        @Nullable public var medianResolutionHours: Double?
        @Nullable public var p90ResolutionHours: Double?
        public var slaMet: Int
        public var slaMissed: Int
        @Nullable public var slaShare: Double?
        public var backlog: Int
        @Nullable public var backlogMedianAgeDays: Double?
    }

    public struct ChannelCount: Codable, Sendable {
        public var channel: String
        public var count: Int
        @Nullable public var share: Double?
    }
}

extension ServiceReport {
    /// Builds the service figures from the pass's tallies.
    static func build(_ c: NeedsCounts, categories: [Category], slaHours: [Double]) -> ServiceReport {
        let K = categories.count
        var created = [Int](repeating: 0, count: K)
        for s in 0..<c.mahalleCount { for k in 0..<K { created[k] += Int(c.current[s * K + k]) } }
        func hours(_ sorted: [UInt32], _ q: Double) -> Double? { Quantiles.sorted(sorted, q).map { $0 / 3600 } }
        func days(_ sorted: [UInt32]) -> Double? { Quantiles.sorted(sorted, 0.5).map { $0 / 86_400 } }
        func share(_ met: Int, _ missed: Int) -> Double? { met + missed > 0 ? Double(met) / Double(met + missed) : nil }

        var cats: [CategoryService] = []
        var resolvedByCategory: [[UInt32]] = []
        var agesByCategory: [[UInt32]] = []
        for (k, cat) in categories.enumerated() {
            let res = NeedsCounts.slice(c.resolved, category: k)
            let ages = NeedsCounts.slice(c.backlogAges, category: k)
            resolvedByCategory.append(res); agesByCategory.append(ages)
            let n = Int(c.satisfactionCount[k])
            cats.append(CategoryService(
                category: cat.code, name: cat.nameTR, department: cat.department, created: created[k], resolved: res.count,
                medianResolutionHours: hours(res, 0.5), p90ResolutionHours: hours(res, 0.9), slaHours: slaHours[k],
                slaMet: Int(c.slaMet[k]), slaMissed: Int(c.slaMissed[k]), slaPending: Int(c.slaPending[k]),
                slaShare: share(Int(c.slaMet[k]), Int(c.slaMissed[k])), backlog: ages.count, backlogMedianAgeDays: days(ages),
                satisfactionMean: n > 0 ? Double(c.satisfactionSum[k]) / Double(n) : nil, satisfactionCount: n))
        }

        var departments: [DepartmentService] = []
        let names = Array(Set(categories.map(\.department))).sorted(by: TurkishText.compare)
        for d in names {
            let ks = categories.indices.filter { categories[$0].department == d }
            let res = ks.flatMap { resolvedByCategory[$0] }.sorted()
            let ages = ks.flatMap { agesByCategory[$0] }.sorted()
            let met = ks.reduce(0) { $0 + Int(c.slaMet[$1]) }, missed = ks.reduce(0) { $0 + Int(c.slaMissed[$1]) }
            departments.append(DepartmentService(
                department: d, categories: ks.map { categories[$0].code }, created: ks.reduce(0) { $0 + created[$1] },
                resolved: res.count, medianResolutionHours: hours(res, 0.5), p90ResolutionHours: hours(res, 0.9),
                slaMet: met, slaMissed: missed, slaShare: share(met, missed), backlog: ages.count,
                backlogMedianAgeDays: days(ages)))
        }

        let total = c.channels.reduce(0) { $0 + Int($1) }
        let channels = Channel.allCases.enumerated().map { i, ch in
            ChannelCount(channel: ch.rawValue, count: Int(c.channels[i]),
                         share: total > 0 ? Double(c.channels[i]) / Double(total) : nil)
        }

        let allResolved = c.resolved.map { UInt32(truncatingIfNeeded: $0) }.sorted()
        let allAges = c.backlogAges.map { UInt32(truncatingIfNeeded: $0) }.sorted()
        let met = c.slaMet.reduce(0) { $0 + Int($1) }, missed = c.slaMissed.reduce(0) { $0 + Int($1) }
        let sn = c.satisfactionCount.reduce(0) { $0 + Int($1) }, ss = c.satisfactionSum.reduce(0) { $0 + Int($1) }
        return ServiceReport(
            backlog: allAges.count, backlogMedianAgeDays: days(allAges), resolved: allResolved.count,
            medianResolutionHours: hours(allResolved, 0.5), p90ResolutionHours: hours(allResolved, 0.9),
            slaMet: met, slaMissed: missed, slaPending: c.slaPending.reduce(0) { $0 + Int($1) },
            slaShare: share(met, missed), satisfactionMean: sn > 0 ? Double(ss) / Double(sn) : nil, satisfactionCount: sn,
            categories: cats, departments: departments, channels: channels)
    }
}
