import Foundation
import GeoIndex

extension NeedsReport {
    /// Computes the report for `period` over the mahalle of `district` (all of `mahalle` when nil).
    ///
    /// One pass over the snapshot's records fills integer counters (see `NeedsCounts`); everything else works on
    /// the mahalle × category tables. The caller validates the district at the edge (`NeedsScope.districtNames`);
    /// an unknown district gives an empty report with a note.
    public static func compute(snapshot: ComplaintSnapshot, mahalle: [Mahalle], categories: [Category], period: Period,
                               district: String? = nil, options: NeedsOptions = NeedsOptions()) -> NeedsReport {
        let scope = NeedsScope(snapshot: snapshot, mahalle: mahalle, categories: categories, district: district)
        return compute(snapshot: snapshot, scope: scope, period: period, options: options)
    }

    public static func compute(snapshot: ComplaintSnapshot, scope: NeedsScope, period: Period,
                               options: NeedsOptions = NeedsOptions()) -> NeedsReport {
        let periods = ReportPeriods(period)
        let cats = scope.categories
        let K = cats.count, M = scope.mahalle.count
        var notes: [String] = []

        // "Now": asOf, else the latest time in the data, else the period's end.
        let horizon = options.asOf ?? NeedsCounts.horizon(snapshot) ?? period.end
        let backlogAt = min(period.end, horizon)
        let incomplete = period.end > horizon
        let previous = options.compareWithPrevious ? periods.previous : nil
        let yearEarlier = options.compareWithYearEarlier ? periods.yearEarlier : nil

        var filter: CompiledFilter? = nil
        var f = options.filter
        f.period = nil; f.districts = nil; f.mahalle = nil
        let compiled = snapshot.compile(f)
        if !compiled.isAll { filter = compiled }

        let slaHours = cats.map { options.slaHours(for: $0.code) }
        let slaSeconds = slaHours.map { UInt32(clamping: Int64(($0 * 3600).rounded())) }
        let counts = NeedsCounts.count(
            snapshot, scope: scope, current: Window(period), previous: Window(previous), yearEarlier: Window(yearEarlier),
            backlogAt: Window(Period(start: backlogAt, end: backlogAt, label: "")).from,
            asOf: Window(Period(start: horizon, end: horizon, label: "")).from, slaSeconds: slaSeconds, filter: filter)

        // District totals.
        var categoryCount = [Int](repeating: 0, count: K)        // all mahalle in scope
        var categoryCountPopulated = [Int](repeating: 0, count: K) // mahalle with population
        var previousByCategory = [Int](repeating: 0, count: K), yearByCategory = [Int](repeating: 0, count: K)
        var mahalleTotal = [Int](repeating: 0, count: M)
        var population = 0, withoutPopulation = 0
        for (s, m) in scope.mahalle.enumerated() {
            if m.population > 0 { population += m.population } else { withoutPopulation += 1 }
            for k in 0..<K {
                let n = Int(counts.current[s * K + k])
                categoryCount[k] += n
                if m.population > 0 { categoryCountPopulated[k] += n }
                mahalleTotal[s] += n
                previousByCategory[k] += Int(counts.previous[s * K + k])
                yearByCategory[k] += Int(counts.yearEarlier[s * K + k])
            }
        }
        let total = categoryCount.reduce(0, +), totalPopulated = categoryCountPopulated.reduce(0, +)
        let unassigned = counts.unassigned.reduce(0) { $0 + Int($1) }

        if M == 0 { notes.append("No mahalle in scope\(scope.district.map { " (district '\($0)')" } ?? "").") }
        if total == 0 && M > 0 { notes.append("No complaints in \(period.label): every count is 0 and observed/expected is null.") }
        if withoutPopulation > 0 {
            notes.append("\(withoutPopulation) mahalle without population: their rates and expected counts are null, and their complaints are left out of the district rates.")
        }
        if unassigned > 0 { notes.append("\(unassigned) complaints outside every mahalle are counted apart (not in any rate).") }
        if incomplete { notes.append("\(period.label) had not ended at \(Timestamp.format(unix: horizon)): counts are partial and change tests use the elapsed time.") }
        let hasPrevious = previous != nil && counts.previousTotal > 0
        let hasYear = yearEarlier != nil && counts.yearEarlierTotal > 0
        if let p = previous, !hasPrevious { notes.append("No complaints in \(p.label): no comparison with the previous period.") }
        if let p = yearEarlier, !hasYear { notes.append("No complaints in \(p.label): no comparison with a year earlier.") }

        // Exposures in seconds (the current period only up to "now" when it has not ended).
        let exposure = Double(max(1, min(period.end, horizon) - period.start))
        let previousExposure = previous.map { Double($0.end - $0.start) } ?? 1
        let yearExposure = yearEarlier.map { Double($0.end - $0.start) } ?? 1

        var intervals: [Int: PoissonInterval] = [:]
        func interval(_ n: Int) -> PoissonInterval {
            if let i = intervals[n] { return i }
            let i = PoissonInterval(count: n, confidence: options.confidence)
            intervals[n] = i
            return i
        }

        // Rows: per mahalle, "*" then each category.
        var rows: [Row] = []
        rows.reserveCapacity(M * (K + 1))
        var previousTests: [PoissonComparison?] = [], yearTests: [PoissonComparison?] = []
        for (s, m) in scope.mahalle.enumerated() {
            for k in -1..<K {
                let count: Int, districtCount: Int, districtPopulated: Int, prevCount: Int, yearCount: Int
                if k < 0 {
                    count = mahalleTotal[s]; districtCount = total; districtPopulated = totalPopulated
                    prevCount = (0..<K).reduce(0) { $0 + Int(counts.previous[s * K + $1]) }
                    yearCount = (0..<K).reduce(0) { $0 + Int(counts.yearEarlier[s * K + $1]) }
                } else {
                    count = Int(counts.current[s * K + k]); districtCount = categoryCount[k]
                    districtPopulated = categoryCountPopulated[k]
                    prevCount = Int(counts.previous[s * K + k]); yearCount = Int(counts.yearEarlier[s * K + k])
                }
                let hasPopulation = m.population > 0
                let expected: Double? = hasPopulation && population > 0
                    ? Double(m.population) * Double(districtPopulated) / Double(population) : nil
                let ci = expected.flatMap { interval(count).ratio(toExpected: $0) }
                let share: Double? = mahalleTotal[s] > 0 ? Double(count) / Double(mahalleTotal[s]) : nil
                let lq: Double? = share.flatMap { sh in districtCount > 0 ? sh / (Double(districtCount) / Double(total)) : nil }
                let oe: Double? = expected.flatMap { $0 > 0 ? Double(count) / $0 : nil }
                rows.append(Row(
                    district: m.districtName, mahalleID: m.id, mahalle: m.name, mahalleCode: m.code,
                    category: k < 0 ? "*" : cats[k].code, count: count, population: m.population,
                    per1000: hasPopulation ? finite(1000 * Double(count) / Double(m.population)) : nil,
                    share: share, lq: lq.flatMap(finite), expected: expected, oe: oe.flatMap(finite),
                    oeLow: ci?.lower, oeHigh: ci?.upper, excess: expected.map { Double(count) - $0 },
                    need: (ci?.lower ?? 0) > 1, previous: nil, yearEarlier: nil))
                previousTests.append(hasPrevious ? PoissonComparison(count: count, exposure: exposure, baseline: prevCount,
                                                                     baselineExposure: previousExposure) : nil)
                yearTests.append(hasYear ? PoissonComparison(count: count, exposure: exposure, baseline: yearCount,
                                                             baselineExposure: yearExposure) : nil)
            }
        }
        func attach(_ tests: [PoissonComparison?], label: String?, _ set: (inout Row, Change) -> Void) {
            guard let label else { return }
            let tested = tests.indices.filter { tests[$0] != nil }
            let q = BenjaminiHochberg.adjust(tested.map { tests[$0]!.p })
            for (j, i) in tested.enumerated() {
                let t = tests[i]!
                let significant = q[j] <= options.changeFDR && t.direction != 0
                set(&rows[i], Change(period: label, count: t.baseline, rateRatio: t.rateRatio.flatMap(finite), p: t.p, q: q[j],
                                     flag: significant ? (t.direction > 0 ? "up" : "down") : nil))
            }
        }
        attach(previousTests, label: hasPrevious ? previous?.label : nil) { $0.previous = $1 }
        attach(yearTests, label: hasYear ? yearEarlier?.label : nil) { $0.yearEarlier = $1 }

        // Ranking.
        var ranking: [MahalleNeeds] = []
        for (s, m) in scope.mahalle.enumerated() {
            let base = s * (K + 1)
            let all = rows[base]
            var needs: [Need] = []
            for k in 0..<K {
                let r = rows[base + 1 + k]
                guard r.need, let e = r.expected, let oe = r.oe, let lo = r.oeLow, let hi = r.oeHigh else { continue }
                needs.append(Need(category: r.category, name: cats[k].nameTR, count: r.count, expected: e, oe: oe,
                                  oeLow: lo, oeHigh: hi, excess: Double(r.count) - e))
            }
            needs.sort { $0.excess != $1.excess ? $0.excess > $1.excess : TurkishText.compare($0.category, $1.category) }
            let totalExcess = needs.reduce(0) { $0 + $1.excess }
            if let limit = options.topNeedsPerMahalle, needs.count > limit { needs.removeLast(needs.count - limit) }
            ranking.append(MahalleNeeds(
                district: m.districtName, mahalleID: m.id, mahalle: m.name, population: m.population, count: all.count,
                per1000: all.per1000, expected: all.expected, oe: all.oe, oeLow: all.oeLow, oeHigh: all.oeHigh,
                totalExcess: totalExcess, backlog: Int(counts.backlogByMahalle[s]), needs: needs))
        }
        ranking.sort { a, b in
            a.totalExcess != b.totalExcess ? a.totalExcess > b.totalExcess
                : (a.mahalle != b.mahalle ? TurkishText.compare(a.mahalle, b.mahalle) : a.mahalleID < b.mahalleID)
        }

        let categoryTotals = cats.enumerated().map { k, c in
            CategoryTotal(category: c.code, name: c.nameTR, department: c.department, count: categoryCount[k],
                          unassigned: Int(counts.unassigned[k]),
                          per1000: population > 0 ? 1000 * Double(categoryCountPopulated[k]) / Double(population) : nil,
                          share: total > 0 ? Double(categoryCount[k]) / Double(total) : nil,
                          previousCount: hasPrevious ? previousByCategory[k] : nil,
                          yearEarlierCount: hasYear ? yearByCategory[k] : nil)
        }
        let fmt: (Int64) -> String? = { t in t == Int64.min || t == Int64.max ? nil : Timestamp.format(unix: t) }
        return NeedsReport(
            period: PeriodInfo(label: period.label, start: fmt(period.start), end: fmt(period.end),
                               previous: previous?.label, yearEarlier: yearEarlier?.label,
                               asOf: Timestamp.format(unix: horizon), backlogAt: Timestamp.format(unix: backlogAt),
                               incomplete: incomplete),
            district: scope.district,
            totals: Totals(complaints: total, unassigned: unassigned, population: population, mahalle: M,
                           mahalleWithoutPopulation: withoutPopulation,
                           per1000: population > 0 ? 1000 * Double(totalPopulated) / Double(population) : nil,
                           categories: categoryTotals),
            rows: rows, ranking: ranking,
            service: ServiceReport.build(counts, categories: cats, slaHours: slaHours),
            notes: notes)
    }
}
