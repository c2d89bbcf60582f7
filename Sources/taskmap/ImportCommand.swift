import ArgumentParser
import Foundation
import GeoIndex

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import complaints from CSV, .xlsx or GeoJSON: validated, reverse-geocoded, written in one transaction.",
        discussion: """
            A call centre's export is read as it comes: the delimiter (, ; tab |), a decimal comma, the encoding \
            (UTF-8 with or without BOM, windows-1254) and Turkish dates (05.03.2024 14:30) are sniffed and reported. \
            Example (Boston 311): --columns "category=TYPE,created_at=OPEN_DT,resolved_at=CLOSED_DT,status=CASE_STATUS,\
            channel=Source,id=CASE_ENQUIRY_ID,lat=LATITUDE,lon=LONGITUDE" --date-format "%m/%d/%Y %I:%M:%S %p" \
            --timezone America/New_York --values "channel:Constituent Call=phone"
            """)

    @OptionGroup var store: StoreOptions
    @Argument(help: "CSV or .xlsx files (lon,lat,category,created_at,… or any columns named with --columns), or GeoJSON Points. Each file is one transaction.")
    var inputs: [String]
    @Option(help: "Input format: csv, xlsx or geojson (default: from the file's contents and name).") var format: String?
    @Option(help: "CRS of the coordinates, e.g. EPSG:5254 (ITRF96 TM30) or EPSG:32636 (default EPSG:4326).") var srs: String?
    @Option(help: ArgumentHelp("Source columns for taskmap's fields: \"category=TYPE,created_at=OPEN_DT,lat=LATITUDE\" ('field=-' leaves a field out).",
                               valueName: "field=COLUMN,…")) var columns: String?
    @Option(name: .customLong("date-format"), help: ArgumentHelp("strptime-style date format, e.g. '%d.%m.%Y %H:%M' or '%m/%d/%Y %I:%M:%S %p'; repeat to try several in order.",
                                                                  valueName: "FORMAT")) var dateFormats: [String] = []
    @Option(help: "IANA time zone of dates without an offset (default Europe/Istanbul).") var timezone: String?
    @Option(name: .customLong("values"), help: ArgumentHelp("Source values for taskmap's codes: \"channel:Constituent Call=phone,status:Kapatıldı=closed\" (channel, type, status, category); repeatable.",
                                                             valueName: "field:VALUE=code,…")) var values: [String] = []
    @Option(help: "CSV delimiter: ',' ';' tab '|' (default: sniffed).") var delimiter: String?
    @Flag(help: "Numbers use a decimal comma (36,951) — default: sniffed.") var decimalComma = false
    @Flag(help: "Numbers use a decimal point, even where the sniffer would guess a comma.") var decimalPoint = false
    @Option(help: "Encoding: utf-8, windows-1254, iso-8859-9, utf-16 (default: sniffed).") var encoding: String?
    @Option(help: "The .xlsx sheet to read (default: the first).") var sheet: String?
    @Option(help: "Rows on one coordinate that make a stack (default: 1% of the rows, at least 50).") var stackThreshold: Int?
    @Flag(help: "Keep the rows on stacks out of heat maps and hot-spot statistics (they stay in counts, flagged).") var excludeStacks = false
    @Flag(help: "Import the valid rows and write the invalid ones to --rejects.") var skipInvalid = false
    @Option(help: "Where --skip-invalid writes rejected rows (with an 'error' column).") var rejects: String?
    @Flag(help: "Refuse unknown category codes instead of creating them.") var strictCategories = false
    @Option(help: "Worker threads (default: all cores).") var jobs: Int?

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one file to import") }
        if rejects != nil && inputs.count > 1 { throw ValidationError("--rejects takes one input file at a time") }
        if let format, !["csv", "xlsx", "geojson"].contains(format) { throw ValidationError("--format must be csv, xlsx or geojson") }
        if rejects != nil && !skipInvalid { throw ValidationError("--rejects needs --skip-invalid") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if decimalComma && decimalPoint { throw ValidationError("--decimal-comma and --decimal-point contradict each other") }
        if let delimiter, CSVDialect.parseDelimiter(delimiter) == nil { throw ValidationError("--delimiter must be ',', ';', tab or '|'") }
        if let encoding, TextEncoding(parsing: encoding) == nil {
            throw ValidationError("--encoding must be one of \(TextEncoding.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let timezone, TimeZone(identifier: timezone) == nil { throw ValidationError("--timezone: unknown time zone '\(timezone)' (IANA names, e.g. Europe/Istanbul)") }
        if let stackThreshold, stackThreshold < 2 { throw ValidationError("--stack-threshold must be at least 2") }
        do {
            if let columns { _ = try ImportMapping.parseColumns(columns) }
            var m = ImportMapping()
            for v in values { try m.addValues(v) }
            for f in dateFormats { _ = try DateParser(formats: [f]) }
        } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        var opts = ComplaintImporter.Options()
        opts.srs = srs
        opts.skipInvalid = skipInvalid
        opts.rejectsPath = rejects
        opts.strictCategories = strictCategories
        if let jobs { opts.jobs = jobs }
        if let columns { opts.mapping.columns = try ImportMapping.parseColumns(columns) }
        for v in values { try opts.mapping.addValues(v) }
        opts.dateFormats = dateFormats
        opts.timeZone = timezone.flatMap(TimeZone.init(identifier:))
        opts.delimiter = delimiter.flatMap(CSVDialect.parseDelimiter)
        opts.decimalComma = decimalComma ? true : (decimalPoint ? false : nil)
        opts.encoding = encoding.flatMap(TextEncoding.init(parsing:))
        opts.sheet = sheet
        opts.stackThreshold = stackThreshold
        opts.excludeStacks = excludeStacks
        let fmt = format.flatMap(ComplaintImporter.Format.init(rawValue:))
        let s = try store.open()
        let importer = ComplaintImporter(store: s, options: opts)
        var done: [String] = []
        for input in inputs {
            let summary: ComplaintImporter.Summary
            do { summary = try importer.importFile(input, format: fmt) } catch {
                if !done.isEmpty {
                    FileHandle.standardError.write(Data("note: \(done.count) earlier file(s) of this command were imported (each in its own transaction): \(done.joined(separator: ", "))\n".utf8))
                }
                throw error
            }
            if inputs.count > 1 { print("\(input):") }
            show(summary)
            done.append(input)
        }
    }

    private func show(_ summary: ComplaintImporter.Summary) {
        print("imported \(summary.imported) of \(summary.rows) rows in \(String(format: "%.2f", summary.seconds)) s")
        print("  assigned to a mahalle: \(summary.assigned)")
        print("  unassigned (outside every mahalle, kept and flagged): \(summary.unassigned)")
        print("  with street and door number: \(summary.withAddress)")
        if summary.rejected > 0 { print("  rejected: \(summary.rejected) (written to \(rejects ?? "nowhere"))") }
        if !summary.newCategories.isEmpty { print("  new categories created: \(summary.newCategories.joined(separator: ", "))") }
        for line in summary.report.lines { print(line) }
    }
}
