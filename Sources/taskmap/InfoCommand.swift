import ArgumentParser
import Foundation
import GeoIndex

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Summarise a store: districts, mahalle, complaints, and SQLite's integrity checks.")

    @OptionGroup var store: StoreOptions
    @Flag(help: "Also run PRAGMA integrity_check and rtreecheck() on every spatial index.") var check = false

    func run() throws {
        let s = try store.open()
        print(try StoreSummary(store: s).text())
        if check {
            let problems = try s.integrityProblems()
            if problems.isEmpty { print("integrity: ok (integrity_check and rtreecheck on all spatial indexes)") }
            else { throw ValidationError("integrity problems:\n" + problems.joined(separator: "\n")) }
        }
    }
}

/// A readable summary of a store, shared by `info` and `demo`.
struct StoreSummary {
    let store: SpatiaLiteStore
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
        var lines = ["store \(store.path)",
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
