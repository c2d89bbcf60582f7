import ArgumentParser
import Foundation
import GeoIndex

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import complaints from CSV or GeoJSON: validated, reverse-geocoded, written in one transaction.")

    @OptionGroup var store: StoreOptions
    @Argument(help: "CSV (lon,lat,category,created_at,…) or GeoJSON FeatureCollection of Points.") var input: String
    @Option(help: "Input format: csv or geojson (default: from the file name).") var format: String?
    @Option(help: "CRS of the coordinates, e.g. EPSG:5254 (ITRF96 TM30) or EPSG:32636 (default EPSG:4326).") var srs: String?
    @Flag(help: "Import the valid rows and write the invalid ones to --rejects.") var skipInvalid = false
    @Option(help: "Where --skip-invalid writes rejected rows (CSV with an 'error' column).") var rejects: String?
    @Flag(help: "Refuse unknown category codes instead of creating them.") var strictCategories = false
    @Option(help: "Worker threads (default: all cores).") var jobs: Int?

    func validate() throws {
        if let format, ComplaintImporter.Format(rawValue: format) == nil { throw ValidationError("--format must be csv or geojson") }
        if rejects != nil && !skipInvalid { throw ValidationError("--rejects needs --skip-invalid") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        let s = try store.open()
        var opts = ComplaintImporter.Options()
        opts.srs = srs
        opts.skipInvalid = skipInvalid
        opts.rejectsPath = rejects
        opts.strictCategories = strictCategories
        if let jobs { opts.jobs = jobs }
        let summary = try ComplaintImporter(store: s, options: opts).importFile(input, format: format.flatMap(ComplaintImporter.Format.init))
        print("imported \(summary.imported) of \(summary.rows) rows in \(String(format: "%.2f", summary.seconds)) s")
        print("  assigned to a mahalle: \(summary.assigned)")
        print("  unassigned (outside every mahalle, kept and flagged): \(summary.unassigned)")
        print("  with street and door number: \(summary.withAddress)")
        if summary.rejected > 0 { print("  rejected: \(summary.rejected) (written to \(rejects ?? "nowhere"))") }
        if !summary.newCategories.isEmpty { print("  new categories created: \(summary.newCategories.joined(separator: ", "))") }
    }
}
