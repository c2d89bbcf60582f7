import ArgumentParser
import GeoIndex

/// `--db FILE`, shared by every command that opens a store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The taskmap store: a SpatiaLite file, or a PostGIS pool (postgresql://user@host:port/dbname, or pg: for the PG* variables).")
    var db: String

    func open() throws -> any ManagedStore { try openStore(db) }

    /// `--db` for messages: a pool URL with its password hidden.
    var shown: String { PostGISStore.isURL(db) ? PostGISStore.redacted(db) : db }

    /// The store as its hooks' manager (either backend).
    func openHooks() throws -> any ManagedStore & HookAdmin {
        guard let s = try open() as? any ManagedStore & HookAdmin else { throw ValidationError("\(shown) has no hooks") }
        return s
    }

    /// The SpatiaLite file, for what only it does (integrity checks, stack flags); a pool gets a clear error.
    func openFile(for what: String) throws -> SpatiaLiteStore {
        guard !PostGISStore.isURL(db) else { throw ValidationError("\(what) works on a SpatiaLite store; \(shown) is a PostGIS pool") }
        return try SpatiaLiteStore(path: db)
    }
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

/// Names a user typed (`--department`, `--district`) in the store's own spelling, matched with Turkish case folding:
/// a typo must not make a key, hook or route that matches nothing.
enum StoreNames {
    /// The departments the store's categories name, sorted.
    static func departments(_ s: any ComplaintStore) throws -> [String] { Array(Set(try s.categories().map(\.department))).sorted() }

    /// The known name `given` folds to, or nil.
    static func spelling(_ given: String, among known: [String]) -> String? {
        let key = TurkishText.foldKey(given)
        return known.first { TurkishText.foldKey($0) == key }
    }

    /// Each name in the store's spelling (nil when none is given); an unknown one is an error naming the flag and
    /// listing the known names.
    static func resolve(_ given: [String], among known: [String], flag: String) throws -> [String]? {
        guard !given.isEmpty else { return nil }
        return try given.map { g in
            guard let k = spelling(g, among: known) else {
                throw ValidationError("\(flag): no \(flag.dropFirst(2)) '\(g)' in this store; known: \(known.joined(separator: ", "))")
            }
            return k
        }
    }
}
