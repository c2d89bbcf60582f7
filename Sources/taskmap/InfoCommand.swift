import ArgumentParser
import Foundation
import GeoIndex

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Summarise a store: districts, mahalle, complaints, and SQLite's integrity checks.")

    @OptionGroup var store: StoreOptions
    @Flag(help: "Also run PRAGMA integrity_check and rtreecheck() on every spatial index.") var check = false
    @Flag(help: "The data-quality report of the whole store: points outside every mahalle, stacks, far-off dates, dropped times, unknown values.")
    var quality = false
    @Option(help: "With --quality: rows on one coordinate that make a stack (default: 1% of the rows, at least 50).") var stackThreshold: Int?
    @Flag(help: "With --quality: flag the stacks found so heat maps and hot spots leave them out (they stay in counts).") var excludeStacks = false
    @Flag(help: "With --quality: clear every stack flag (heat maps and hot spots count them again).") var includeStacks = false

    func validate() throws {
        if (excludeStacks || includeStacks || stackThreshold != nil) && !quality {
            throw ValidationError("--exclude-stacks, --include-stacks and --stack-threshold go with --quality")
        }
        if excludeStacks && includeStacks { throw ValidationError("--exclude-stacks and --include-stacks contradict each other") }
        if let stackThreshold, stackThreshold < 2 { throw ValidationError("--stack-threshold must be at least 2") }
    }

    func run() throws {
        let s = try store.open()
        print(try StoreSummary(store: s, location: store.shown).text())
        if quality { try printQuality(try store.openFile(for: "--quality")) }
        if check {
            let problems = try store.openFile(for: "--check").integrityProblems()
            if problems.isEmpty { print("integrity: ok (integrity_check and rtreecheck on all spatial indexes)") }
            else { throw ValidationError("integrity problems:\n" + problems.joined(separator: "\n")) }
        }
    }
}

extension InfoCommand {
    func printQuality(_ s: SpatiaLiteStore) throws {
        var q = try s.qualityReport(stackThreshold: stackThreshold)
        if excludeStacks || includeStacks {
            q.flagged = try s.flagStacks(excludeStacks ? q.stacks.map(\.location) : [])
        }
        print("data quality (whole store):")
        print("  complaints: \(q.complaints); outside every mahalle: \(q.outside)")
        if q.stacks.isEmpty {
            print("  stacks (≥ \(q.stackThreshold) rows on one coordinate): none")
        } else {
            print("  stacks (≥ \(q.stackThreshold) rows on one coordinate — default geocodes that draw false hot spots):")
            for st in q.stacks.prefix(20) {
                print(String(format: "    %.6f, %.6f: %d rows (%.1f%%)", st.location.lat, st.location.lon, st.count, st.share * 100))
            }
            if q.stacks.count > 20 { print("    … and \(q.stacks.count - 20) more") }
        }
        print(q.flagged > 0
              ? "  \(q.flagged) rows flagged: kept out of heat maps and hot-spot statistics (still in counts); --include-stacks clears the flags"
              : "  no rows flagged" + (q.stacks.isEmpty ? "" : " (--exclude-stacks keeps the stacks out of heat maps and hot spots)"))
        if let r = q.dateRange {
            print("  dates: \(DataQuality.day(r.from)) … \(DataQuality.day(r.to)) (99% of rows); far outside it: \(q.datesOutside)")
        }
        print("  closing/update times dropped at import (before the opening): \(q.timesDropped)")
        if !q.unknownValues.isEmpty {
            print("  values with no taskmap code, stored as 'other' with their text:")
            for v in q.unknownValues.prefix(20) { print("    \(v.field) '\(v.text)': \(v.count)") }
        }
    }
}

/// A readable summary of a store, shared by `info` and `demo`.
struct StoreSummary {
    let store: any ComplaintStore
    /// The file or URL (passwords hidden).
    let location: String
    func text() throws -> String {
        let districts = try store.districts()
        let mahalle = try store.mahalleList()
        let snap = try store.loadSnapshotCached()
        var perMahalle = [Int](repeating: 0, count: snap.tables.mahalle.count)
        var open = 0
        snap.forEach(filter: CompiledFilter()) { r in
            perMahalle[Int(r.mahalle)] += 1
            if CompiledFilter.status(code: r.status).isOpen { open += 1 }
        }
        var lines = ["store \(PostGISStore.isURL(location) ? PostGISStore.redacted(location) : location)",
                     "  districts: \(districts.map(\.name).joined(separator: ", "))",
                     "  mahalle: \(mahalle.count), population \(mahalle.reduce(0) { $0 + $1.population })",
                     "  categories: \(try store.categories().count)",
                     "  complaints: \(snap.count) (open backlog \(open), unassigned \(perMahalle[0]))"]
        let top = mahalle.map { m in (m, perMahalle[Int(snap.tables.mahalleIndex[m.id] ?? 0)]) }
            .filter { snap.tables.mahalleIndex[$0.0.id] != nil }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : TurkishText.compare($0.0.name, $1.0.name) }
            .prefix(5)
        if snap.count > 0 {
            lines.append("  most complaints:")
            for (m, n) in top {
                let rate = m.population > 0 ? String(format: "%.1f per 1,000", Double(n) * 1000 / Double(m.population)) : "no population"
                lines.append("    \(m.name) (\(m.districtName)): \(n), \(rate)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
