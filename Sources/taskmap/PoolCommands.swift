import ArgumentParser
import Foundation
import GeoIndex

/// `taskmap migrate --from city.sqlite --to postgresql://…`: moves a district store into the pool.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Move a district's SpatiaLite store into a PostGIS pool (mahalle, parcels, categories, complaints, history, keys, routes).",
        discussion: """
            One transaction in the pool: either everything moves or nothing does. Complaints get new pool ids; the \
            keys people hold keep working (their hashes move). After the copy, counts and a checksum of every \
            complaint's content are compared between the file and the pool; a difference rolls the move back. \
            Running servers reload their snapshot; restart them to serve the new district's boundaries.
            """)

    @Option(help: "The district's SpatiaLite store.") var from: String
    @Option(help: "The pool: postgresql://user@host:port/dbname (or pg: for the PG* variables). Created if empty.") var to: String

    func validate() throws {
        guard FileManager.default.fileExists(atPath: from) else { throw ValidationError("--from: \(from) does not exist") }
        guard PostGISStore.isURL(to) else { throw ValidationError("--to must be a PostgreSQL URL (postgresql://…), not \(to)") }
    }

    func run() throws {
        let source = try SpatiaLiteStore(path: from)
        let pool = try PostGISStore(url: to, create: true, applicationName: "taskmap migrate")
        let r = try PoolMigration.run(from: source, to: pool)
        print("moved \(from) into \(PostGISStore.redacted(to)) in \(String(format: "%.1f", r.seconds)) s:")
        print("  districts: \(r.districts.joined(separator: ", "))")
        print("  mahalle \(r.mahalle), parcels \(r.parcels), categories \(r.categories) (\(r.newCategories) new to the pool)")
        print("  complaints \(r.complaints), history entries \(r.history), API keys \(r.keys), routes \(r.routes), hooks \(r.hooks) (with their undelivered events)")
        print("  checked: counts equal; checksum \(String(r.sourceChecksum, radix: 16)) in the file = \(String(r.poolChecksum, radix: 16)) in the pool")
    }
}

/// `taskmap pool status`: the pool's districts and counts, and the taskmap processes connected to it.
struct PoolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pool", abstract: "The metropolitan pool on PostGIS.", subcommands: [Status.self])

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Districts, counts and the servers connected.")
        @OptionGroup var store: StoreOptions

        func validate() throws {
            guard PostGISStore.isURL(store.db) else { throw ValidationError("--db must be a PostgreSQL URL (postgresql://…)") }
        }

        func run() throws {
            guard let pool = try store.open() as? PostGISStore else { return }
            let s = try pool.poolStatus()
            print("pool \(PostGISStore.redacted(store.db)): database \(s.database), PostGIS \(s.postgis), schema \(s.schemaVersion), generation \(s.generation)")
            print("district\tmahalle\tcomplaints\topen")
            for d in s.districts { print("\(d.name)\t\(d.mahalle)\t\(d.complaints)\t\(d.open)") }
            print("(outside every district)\t-\t\(s.unassigned)\t-")
            let servers = s.connections.filter { $0.application.hasPrefix("taskmap serve") && $0.application.hasSuffix(" changes") }
            print("servers connected: \(servers.count)")
            for c in s.connections { print("  \(c.application)\t\(c.client)\tsince \(c.since)\t\(c.state)") }
        }
    }
}
