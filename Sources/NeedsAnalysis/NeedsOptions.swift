import Foundation
import GeoIndex

/// Everything a needs report can be tuned with. The defaults are what `taskmap needs` and `GET /api/needs` use.
public struct NeedsOptions: Sendable {
    /// Confidence level of the exact Poisson interval of observed/expected. A category is a mahalle's *need*
    /// when the interval's lower bound exceeds 1.
    public var confidence = 0.95

    /// Changes against the previous period and the same period a year earlier are flagged when their
    /// Benjamini–Hochberg q-value (over all mahalle × category rows of the report, one family per comparison)
    /// is at most this false discovery rate.
    public var changeFDR = 0.05

    /// Resolution targets in hours by category code; categories not listed use `defaultSLAHours`.
    public var slaHours: [String: Double] = [:]

    /// Resolution target for categories not in `slaHours`: three days.
    public var defaultSLAHours = 72.0

    /// How many needs to list per mahalle in the ranking (the strongest by excess complaints); nil lists all.
    public var topNeedsPerMahalle: Int? = 5

    /// Restricts the complaints counted by category, status, channel or type (e.g. only şikayet). Its period,
    /// district and mahalle fields are ignored: the report's own period and district set those, and a mahalle
    /// subset would change the district rates every expected count is built from.
    public var filter = ComplaintFilter.all

    /// "Now", in Unix seconds: the instant the data describe. The backlog of a period that has not ended is
    /// taken at this instant, and the SLA outcome of a still-open complaint is judged at it. nil: the latest
    /// creation or resolution time in the snapshot.
    public var asOf: Int64? = nil

    /// Compare with the previous period (the previous month, or the equally long window just before).
    public var compareWithPrevious = true

    /// Compare with the same period one year earlier.
    public var compareWithYearEarlier = true

    public init() {}

    /// The resolution target of a category, in hours.
    public func slaHours(for category: String) -> Double { slaHours[category] ?? defaultSLAHours }
}
