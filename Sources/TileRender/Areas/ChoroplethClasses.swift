import Foundation
import GeoIndex

/// The data behind a choropleth (aggregate → classify): a value per mahalle, class breaks, a colour per mahalle.
public struct ChoroplethClasses: Sendable, Equatable {
    public let metric: ChoroplethMetric
    public let method: ClassBreakMethod
    /// Per mahalle, in the renderer's mahalle order: its id and value (nil: no population for a rate).
    public let values: [(id: Int64, value: Double?)]
    /// Inner class breaks (class maxima), ascending.
    public let breaks: [Double]
    /// One colour per class (breaks.count + 1).
    public let classColors: [RGBA]
    /// Per mahalle: its class colour, or the no-data grey.
    public let areaColors: [RGBA?]

    public static func == (l: Self, r: Self) -> Bool {
        l.metric == r.metric && l.method == r.method && l.breaks == r.breaks && l.classColors == r.classColors
            && l.values.map(\.id) == r.values.map(\.id) && l.values.map(\.value) == r.values.map(\.value)
    }

    /// `scope`: the mahalle a district or mahalle filter keeps (nil: all). The others are no data — not zeros —
    /// so the classes describe the district the planner asked about, as `taskmap needs --district` does.
    init(_ snapshot: ComplaintSnapshot, filter: CompiledFilter, metric: ChoroplethMetric, areas: ProjectedAreas,
         options: ChoroplethOptions, scope: Set<Int64>? = nil) {
        self.metric = metric
        method = options.method
        let counts = Self.counts(snapshot, filter: filter, openOnly: metric == .open)
        var vals: [(id: Int64, value: Double?)] = []
        for a in areas.areas {
            if let scope, !scope.contains(a.id) { vals.append((a.id, nil)); continue }
            let n = snapshot.tables.mahalleIndex[a.id].map { counts[Int($0)] } ?? 0
            switch metric {
            case .count, .open: vals.append((a.id, Double(n)))
            case .per1000: vals.append((a.id, a.population > 0 ? Double(n) * 1000 / Double(a.population) : nil))
            }
        }
        values = vals
        let present = vals.compactMap(\.value)
        let k = min(max(options.classes, 2), 7)
        breaks = options.method == .jenks ? ClassBreaks.jenks(present, classes: k) : ClassBreaks.quantile(present, classes: k)
        let ramp = ChoroplethRamp.colors(classes: breaks.count + 1)
        classColors = ramp
        let b = breaks
        areaColors = vals.map { v in v.value.map { ramp[ClassBreaks.classOf($0, breaks: b)] } ?? ChoroplethRamp.noData }
    }

    /// Complaints per mahalle table index passing the filter (only open ones if `openOnly`): one pass.
    public static func counts(_ snapshot: ComplaintSnapshot, filter: CompiledFilter, openOnly: Bool) -> [Int] {
        var counts = [Int](repeating: 0, count: snapshot.tables.mahalle.count)
        let openMask = PinAggregate.openMask
        snapshot.forEach(filter: filter) { r in
            if openOnly && openMask & (1 << UInt32(r.status)) == 0 { return }
            let i = Int(r.mahalle)
            if i > 0 && i < counts.count { counts[i] += 1 }
        }
        return counts
    }
}
