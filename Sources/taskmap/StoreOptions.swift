import ArgumentParser
import GeoIndex

/// `--db FILE`, shared by every command that opens a store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The taskmap store (a SpatiaLite file).")
    var db: String

    func open() throws -> SpatiaLiteStore { try SpatiaLiteStore(path: db) }
}

/// The filter flags shared by tile, render, needs and query commands.
struct FilterOptions: ParsableArguments {
    @Option(help: "Category codes, comma-separated.") var category: String?
    @Option(help: "Statuses: open,assigned,in_progress,resolved,closed,rejected.") var status: String?
    @Option(help: "Channels: phone,whatsapp,web,mobile,e-devlet,cimer,email,social,beyaz-masa,other.") var channel: String?
    @Option(help: "Types: sikayet,talep,oneri.") var type: String?
    @Option(help: "First day, YYYY-MM-DD (Europe/Istanbul).") var from: String?
    @Option(help: "Last day, YYYY-MM-DD, inclusive.") var to: String?
    @Option(help: "Month, YYYY-MM.") var month: String?
    @Option(help: "District (ilçe) names, comma-separated.") var district: String?
    @Option(help: "Mahalle ids, codes or names, comma-separated.") var mahalle: String?

    func filter() throws -> ComplaintFilter {
        do {
            return try ComplaintFilter.parse(category: category, status: status, channel: channel, type: type, from: from,
                                             to: to, month: month, district: district, mahalle: mahalle)
        } catch let e as FilterError {
            throw ValidationError(e.description)
        }
    }

    func validate() throws { _ = try filter() }
}
