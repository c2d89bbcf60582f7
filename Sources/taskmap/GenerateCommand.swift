import ArgumentParser
import Foundation
import GeoIndex

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write N synthetic complaints for a store's mahalle as an import CSV (seasons, channels, work flow).")

    @OptionGroup var store: StoreOptions
    @Option(help: "How many complaints.") var count = 100_000
    @Option(help: "Calendar year they fall in (Europe/Istanbul).") var year = 2024
    @Option(help: "Random seed (same seed, same file).") var seed: UInt64 = 1
    @Option(help: "Output CSV.") var out: String

    func validate() throws {
        if count < 1 { throw ValidationError("--count must be at least 1") }
        if !(2000...2100).contains(year) { throw ValidationError("--year must be between 2000 and 2100") }
    }

    func run() throws {
        let s = try store.open()
        let mahalle = try s.mahalleList()
        guard !mahalle.isEmpty else { throw ValidationError("\(store.shown) has no mahalle: run `taskmap init` first") }
        var o = ComplaintGenerator.Options()
        o.count = count; o.year = year; o.seed = seed
        let g = ComplaintGenerator(mahalle: mahalle, categories: try s.categories(), options: o)
        let n = try g.writeCSV(to: out)
        print("wrote \(n) synthetic complaints for \(year) to \(out)")
        for p in g.planted {
            print("  planted: \(p.mahalleName) has \(String(format: "%.1f", p.factor))× its share of '\(p.category)'")
        }
    }
}
