import Foundation
import GeoIndex

/// "Which mahalle needs what" for one period and district: counts, rates, observed/expected with exact Poisson
/// intervals, significant changes, service figures and the needs ranking. Plain data; encode it as JSON with
/// `jsonData()`, or render it with `table()` and `csv()`.
///
/// Definitions (per mahalle m and category k; C = complaints created in the period and located in the mahalle):
/// - `per1000` = 1000·Cₘₖ / populationₘ; null when the population is 0 (or unknown).
/// - `share` = Cₘₖ / Cₘ (the mahalle's complaint mix); null when the mahalle has no complaints.
/// - `lq` (location quotient) = shareₘₖ / (Cₖ / C) against the district's mix of all located complaints; null
///   when the mahalle or the district has no complaints of the kind.
/// - `expected` = populationₘ · rateₖ, where rateₖ = Σ Cₘₖ / Σ populationₘ over the district's mahalle with a
///   population (indirect standardisation: over those mahalle, expected and observed totals agree). Null when
///   the mahalle has no population. Complaints in zero-population mahalle count in `lq` but not in rateₖ.
/// - `oe` = Cₘₖ / expected, with `oeLow`/`oeHigh` the exact Poisson interval (see `PoissonInterval`) divided by
///   expected. Null when expected is 0 or null.
/// - `excess` = Cₘₖ − expected.
/// - `need`: `oeLow` > 1, i.e. more complaints than the district's rate predicts, beyond chance at the
///   report's confidence (each cell tested on its own; with many cells some needs are chance findings).
/// - `previous` / `yearEarlier`: the conditional exact binomial test of two Poisson counts with the periods'
///   lengths as exposures (`PoissonComparison`); q is the Benjamini–Hochberg adjustment over all rows of the
///   report, and `flag` ("up"/"down") is set only when q ≤ `NeedsOptions.changeFDR`. Null when the comparison
///   period has no complaints at all in the district (treated as missing data, not as zero).
/// Rows with category "*" are the mahalle's totals over all categories (expected from the district's overall rate).
public struct NeedsReport: Codable, Sendable {
    public var period: PeriodInfo
    /// The district, or null for every mahalle given (treated as one district).
    @Nullable public var district: String?
    public var totals: Totals
    /// One row per mahalle × category, each mahalle's "*" row first; mahalle in Turkish alphabetical order
    /// (district, then name), categories in the store's order.
    public var rows: [Row]
    /// Mahalle by total excess (largest first), each with its needs: the answer to "which mahalle needs what".
    public var ranking: [MahalleNeeds]
    public var service: ServiceReport
    /// Plain-language notes on edge cases met (no data, zero-population mahalle, incomplete period…).
    public var notes: [String]

    public struct PeriodInfo: Codable, Sendable {
        public var label: String
        /// UTC instants, "YYYY-MM-DDTHH:MM:SSZ"; the period is [start, end) in Istanbul days.
        @Nullable public var start: String?
        @Nullable public var end: String?
        @Nullable public var previous: String?
        @Nullable public var yearEarlier: String?
        /// "Now" used for the backlog and SLA outcomes.
        public var asOf: String
        /// The backlog is taken at min(end, asOf).
        public var backlogAt: String
        /// The period had not ended at `asOf`: counts are partial, change tests use the elapsed time as exposure.
        public var incomplete: Bool
    }

    public struct Totals: Codable, Sendable {
        public var complaints: Int
        /// Complaints outside every mahalle (see `NeedsScope`), not in any rate.
        public var unassigned: Int
        public var population: Int
        public var mahalle: Int
        /// Mahalle with no population: their rates and expected counts are null.
        public var mahalleWithoutPopulation: Int
        @Nullable public var per1000: Double?
        public var categories: [CategoryTotal]
    }

    public struct CategoryTotal: Codable, Sendable {
        public var category: String
        public var name: String
        public var department: String
        public var count: Int
        public var unassigned: Int
        @Nullable public var per1000: Double?
        @Nullable public var share: Double?
        @Nullable public var previousCount: Int?
        @Nullable public var yearEarlierCount: Int?
    }

    public struct Row: Codable, Sendable {
        public var district: String
        public var mahalleID: Int64
        public var mahalle: String
        @Nullable public var mahalleCode: String?
        /// Category code, or "*" for all categories.
        public var category: String
        public var count: Int
        public var population: Int
        @Nullable public var per1000: Double?
        @Nullable public var share: Double?
        @Nullable public var lq: Double?
        @Nullable public var expected: Double?
        @Nullable public var oe: Double?
        @Nullable public var oeLow: Double?
        @Nullable public var oeHigh: Double?
        @Nullable public var excess: Double?
        public var need: Bool
        @Nullable public var previous: Change?
        @Nullable public var yearEarlier: Change?
    }

    public struct Change: Codable, Sendable, Equatable {
        public var period: String
        public var count: Int
        /// (count / this period's length) ÷ (baseline / its length); null when the baseline is 0.
        @Nullable public var rateRatio: Double?
        /// Two-sided exact conditional binomial p-value.
        public var p: Double
        /// Benjamini–Hochberg q-value over the report's rows.
        public var q: Double
        /// "up" or "down" when q ≤ the false discovery rate, else null.
        @Nullable public var flag: String?
    }

    public struct MahalleNeeds: Codable, Sendable {
        public var district: String
        public var mahalleID: Int64
        public var mahalle: String
        public var population: Int
        public var count: Int
        @Nullable public var per1000: Double?
        @Nullable public var expected: Double?
        @Nullable public var oe: Double?
        @Nullable public var oeLow: Double?
        @Nullable public var oeHigh: Double?
        /// Σ excess over the mahalle's needs (all of them, not only those listed).
        public var totalExcess: Double
        /// Open complaints located in the mahalle at the backlog instant.
        public var backlog: Int
        /// The strongest needs by excess complaints (at most `NeedsOptions.topNeedsPerMahalle`).
        public var needs: [Need]
    }

    public struct Need: Codable, Sendable {
        public var category: String
        public var name: String
        public var count: Int
        public var expected: Double
        public var oe: Double
        public var oeLow: Double
        public var oeHigh: Double
        public var excess: Double
    }
}

extension NeedsReport {
    /// JSON with sorted keys. Every number is finite (a non-finite double would make the encoder throw, and
    /// `Nullable` writes undefined values as null).
    public func jsonData(pretty: Bool = true) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try e.encode(self)
    }
}
