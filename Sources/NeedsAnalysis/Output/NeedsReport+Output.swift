import Foundation
import GeoIndex

extension NeedsReport {
    /// The CSV contract of `taskmap needs --format csv` (scripts and spreadsheets depend on it: columns are only
    /// ever appended). One row per mahalle × category, each mahalle's "*" row (all categories) first. Undefined
    /// values (zero population, no expected count, no comparison) are empty fields; numbers are plain decimals.
    public static let csvHeader = [
        "district", "mahalle", "category", "count", "population", "per1000", "expected", "oe", "oe_low", "oe_high",
        "mahalle_id", "mahalle_code", "share", "lq", "excess", "need",
        "prev_count", "prev_rate_ratio", "prev_p", "prev_q", "prev_flag",
        "yoy_count", "yoy_rate_ratio", "yoy_p", "yoy_q", "yoy_flag",
    ]

    public func csv() -> String {
        var w = CSVWriter(header: Self.csvHeader)
        func num(_ x: Double?, _ decimals: Int = 4) -> String { x.map { PlainNumber.fixed($0, decimals: decimals) } ?? "" }
        func sig(_ x: Double?) -> String { x.map { PlainNumber.significant($0) } ?? "" }
        func change(_ c: Change?) -> [String] {
            guard let c else { return ["", "", "", "", ""] }
            return [String(c.count), num(c.rateRatio), sig(c.p), sig(c.q), c.flag ?? ""]
        }
        for r in rows {
            w.row([r.district, r.mahalle, r.category, String(r.count), String(r.population), num(r.per1000),
                   num(r.expected), num(r.oe), num(r.oeLow), num(r.oeHigh), String(r.mahalleID), r.mahalleCode ?? "",
                   num(r.share), num(r.lq), num(r.excess), r.need ? "1" : "0"]
                  + change(r.previous) + change(r.yearEarlier))
        }
        return w.text
    }

    /// A readable terminal report: the needs ranking, then every mahalle (Turkish alphabetical order) with its
    /// totals, the district's categories, significant changes, and the service figures.
    public func table() -> String {
        func num(_ x: Double?, _ d: Int = 1) -> String { x.map { String(format: "%.\(d)f", $0) } ?? "–" }
        func ratio(_ r: Row) -> String {
            guard let oe = r.oe, let lo = r.oeLow, let hi = r.oeHigh else { return "–" }
            return String(format: "%.2f [%.2f–%.2f]", oe, lo, hi)
        }
        let categoryName = Dictionary(totals.categories.map { ($0.category, $0.name) }, uniquingKeysWith: { a, _ in a })
        var out = ""
        let place = district ?? "all districts"
        out += "Needs — \(place), \(period.label) (Europe/Istanbul)\n"
        out += "\(PlainNumber.grouped(totals.complaints)) complaints in \(totals.mahalle) mahalle"
        out += " · population \(PlainNumber.grouped(totals.population))"
        if let r = totals.per1000 { out += String(format: " · %.1f per 1,000", r) }
        if totals.unassigned > 0 { out += " · \(PlainNumber.grouped(totals.unassigned)) outside every mahalle" }
        out += "\n"
        for n in notes { out += "  note: \(n)\n" }

        let confidence = "lower bound of the observed/expected interval above 1"
        out += "\nWhich mahalle needs what (\(confidence); by excess complaints)\n"
        var ranked = TextTable([("#", .right), ("Mahalle", .left), ("Complaints", .right), ("per 1,000", .right),
                                ("O/E", .right), ("Excess", .right), ("Needs", .left)])
        var rank = 0
        for m in ranking where !m.needs.isEmpty {
            rank += 1
            let needs = m.needs.map { n in
                String(format: "%@ +%.0f (%.2f [%.2f–%.2f])", n.category, n.excess, n.oe, n.oeLow, n.oeHigh)
            }.joined(separator: ", ")
            ranked.add([String(rank), m.mahalle, PlainNumber.grouped(m.count), num(m.per1000), num(m.oe, 2),
                        String(format: "+%.0f", m.totalExcess), needs])
        }
        out += rank == 0 ? "  (no mahalle has a category clearly above the district rate)\n" : ranked.render()

        out += "\nMahalle\n"
        var all = TextTable([("Mahalle", .left), ("Population", .right), ("Complaints", .right), ("per 1,000", .right),
                             ("O/E [95%]", .right), ("Backlog", .right), ("vs prev", .right), ("vs year", .right)])
        let backlog = Dictionary(ranking.map { ($0.mahalleID, $0.backlog) }, uniquingKeysWith: { a, _ in a })
        for r in rows where r.category == "*" {
            all.add([r.mahalle, PlainNumber.grouped(r.population), PlainNumber.grouped(r.count), num(r.per1000), ratio(r),
                     PlainNumber.grouped(backlog[r.mahalleID] ?? 0), Self.changeText(r.previous, now: r.count), Self.changeText(r.yearEarlier, now: r.count)])
        }
        out += all.render()

        out += "\nCategories\n"
        var cats = TextTable([("Category", .left), ("Name", .left), ("Complaints", .right), ("Share", .right),
                              ("per 1,000", .right), ("Prev", .right), ("Year ago", .right)])
        for c in totals.categories {
            cats.add([c.category, c.name, PlainNumber.grouped(c.count), c.share.map { String(format: "%.1f%%", 100 * $0) } ?? "–",
                      num(c.per1000, 2), c.previousCount.map(PlainNumber.grouped) ?? "–",
                      c.yearEarlierCount.map(PlainNumber.grouped) ?? "–"])
        }
        out += cats.render()

        let changed = rows.filter { $0.category != "*" && ($0.previous?.flag != nil || $0.yearEarlier?.flag != nil) }
        if !changed.isEmpty {
            out += "\nSignificant changes (exact conditional test, Benjamini–Hochberg q ≤ FDR)\n"
            var t = TextTable([("Mahalle", .left), ("Category", .left), ("Now", .right), ("vs prev", .right), ("vs year", .right)])
            for r in changed {
                t.add([r.mahalle, categoryName[r.category].map { "\(r.category) (\($0))" } ?? r.category, String(r.count),
                       Self.changeText(r.previous, now: r.count), Self.changeText(r.yearEarlier, now: r.count)])
            }
            out += t.render()
        }

        let s = service
        out += "\nService (backlog at \(period.backlogAt))\n"
        out += "  backlog \(PlainNumber.grouped(s.backlog)), median age \(num(s.backlogMedianAgeDays)) days"
        out += " · resolved in period \(PlainNumber.grouped(s.resolved)), median \(num(s.medianResolutionHours)) h, p90 \(num(s.p90ResolutionHours)) h"
        out += " · within SLA \(s.slaShare.map { String(format: "%.1f%%", 100 * $0) } ?? "–")"
        if let m = s.satisfactionMean { out += String(format: " · satisfaction %.2f (n=%d)", m, s.satisfactionCount) }
        out += "\n"
        var d = TextTable([("Department", .left), ("Created", .right), ("Resolved", .right), ("Median h", .right),
                           ("p90 h", .right), ("SLA met", .right), ("Backlog", .right), ("Median age d", .right)])
        for x in s.departments {
            d.add([x.department.isEmpty ? "(none)" : x.department, PlainNumber.grouped(x.created), PlainNumber.grouped(x.resolved),
                   num(x.medianResolutionHours), num(x.p90ResolutionHours),
                   x.slaShare.map { String(format: "%.1f%%", 100 * $0) } ?? "–", PlainNumber.grouped(x.backlog),
                   num(x.backlogMedianAgeDays)])
        }
        out += d.render()
        var ch = TextTable([("Channel", .left), ("Complaints", .right), ("Share", .right)])
        for c in s.channels where c.count > 0 {
            ch.add([c.channel, PlainNumber.grouped(c.count), c.share.map { String(format: "%.1f%%", 100 * $0) } ?? "–"])
        }
        out += ch.render()
        return out
    }

    /// "+12%", "↑+80%" (flagged), "↑new" (none before), "–" (no comparison).
    static func changeText(_ c: Change?, now: Int) -> String {
        guard let c else { return "–" }
        let arrow = c.flag == "up" ? "↑" : (c.flag == "down" ? "↓" : "")
        guard let rr = c.rateRatio else { return now == 0 ? "0" : "\(arrow)new" }
        return String(format: "%@%+.0f%%", arrow, 100 * (rr - 1))
    }
}
