import ArgumentParser
import Foundation
import GeoIndex
import NeedsAnalysis

/// Period options shared by `needs` and `hotspots`: a month, or Istanbul days from/to.
struct PeriodOptions: ParsableArguments {
    @Option(help: "Month, YYYY-MM (Europe/Istanbul).") var month: String?
    @Option(help: "First day, YYYY-MM-DD (instead of --month).") var from: String?
    @Option(help: "Last day, YYYY-MM-DD, inclusive.") var to: String?

    func period() throws -> Period {
        if let month {
            guard from == nil, to == nil else { throw ValidationError("give --month or --from/--to, not both") }
            guard let p = Period.month(month) else { throw ValidationError("--month must be YYYY-MM") }
            return p
        }
        guard let from, let to else { throw ValidationError("give --month YYYY-MM, or --from and --to (YYYY-MM-DD)") }
        guard let p = Period.days(from: from, to: to) else { throw ValidationError("--from/--to must be YYYY-MM-DD days, from ≤ to") }
        return p
    }
    func validate() throws { _ = try period() }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, json, csv, geojson }

/// `taskmap needs`: which mahalle needs what in a period.
struct NeedsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "needs",
        abstract: "Which mahalle needs what: rates per 1,000, observed/expected with exact Poisson intervals, changes, service figures.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var when: PeriodOptions
    @Option(help: "Only this district (ilçe).") var district: String?
    @Option(help: "table, json or csv.") var format: OutputFormat = .table

    func validate() throws {
        if format == .geojson { throw ValidationError("--format must be table, json or csv") }
    }

    func run() throws {
        let s = try store.open()
        let mahalle = try s.mahalleList()
        try Self.checkDistrict(district, mahalle, store.shown)
        let report = NeedsReport.compute(snapshot: try s.loadSnapshotCached(), mahalle: mahalle, categories: try s.categories(),
                                         period: try when.period(), district: district)
        switch format {
        case .table: print(report.table(), terminator: "")
        case .csv: print(report.csv(), terminator: "")
        default: FileHandle.standardOutput.write(try report.jsonData()); print("")
        }
    }

    static func checkDistrict(_ district: String?, _ mahalle: [Mahalle], _ db: String) throws {
        guard let district else { return }
        let names = NeedsScope.districtNames(in: mahalle)
        guard names.contains(where: { TurkishText.foldKey($0) == TurkishText.foldKey(district) }) else {
            throw ValidationError("no district named '\(district)' in \(db) (districts: \(names.joined(separator: ", ")))")
        }
    }
}

/// `taskmap hotspots`: Getis–Ord Gi* on mahalle rates and on a regular grid.
struct HotspotsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotspots",
        abstract: "Hot spots: Getis–Ord Gi* on mahalle rates (queen contiguity) or on a grid of cells, with FDR-controlled significance.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var when: PeriodOptions
    @Option(help: "Only this district (ilçe).") var district: String?
    @Option(help: "Grid cell size in metres; without it, mahalle are the units.") var grid: Double?
    @Option(help: "Only this category code.") var category: String?
    @Option(help: "table, json, csv or geojson.") var format: OutputFormat = .table

    func validate() throws {
        if let grid, !(25...20_000).contains(grid) { throw ValidationError("--grid must be 25–20000 metres") }
    }

    func run() throws {
        let s = try store.open()
        let mahalle = try s.mahalleList()
        try NeedsCommand.checkDistrict(district, mahalle, store.shown)
        var o = HotspotOptions()
        if let category {
            let code = ComplaintImporter.categoryCode(category)
            guard try s.categories().contains(where: { $0.code == code }) else { throw ValidationError("unknown category '\(category)'") }
            o.category = code
        }
        if let grid { o.cellMetres = grid }
        let snapshot = try s.loadSnapshotCached()
        let period = try when.period()
        let a = grid == nil
            ? HotspotAnalysis.mahalle(snapshot: snapshot, mahalle: mahalle, categories: try s.categories(), period: period, district: district, options: o)
            : HotspotAnalysis.grid(snapshot: snapshot, mahalle: mahalle, categories: try s.categories(), period: period, district: district, options: o)
        switch format {
        case .table: print(a.table(), terminator: "")
        case .csv: print(a.csv(), terminator: "")
        case .geojson: print(a.geoJSON())
        case .json: FileHandle.standardOutput.write(try a.jsonData()); print("")
        }
    }
}
