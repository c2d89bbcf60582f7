import ArgumentParser
import Foundation
import GeoIndex
import TaskMapServer

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build the sample district's store with a year of synthetic complaints, summarise it and start the server.")

    @Option(help: "Where to write the demo store (replaced).") var db = "out/demo.sqlite"
    @Option(help: "The sample district folder.") var data = "data/sample-parcels"
    @Option(help: "How many synthetic complaints.") var count = 200_000
    @Option(help: "Calendar year of the complaints.") var year = 2024
    @Flag(help: "Build and summarise only; do not start the server.") var noServe = false
    @Option(help: "Server port.") var port = 8080

    func run() throws {
        let dir = (db as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        let mahallePath = "\(data)/mahalle.geojson"
        let mahalle = try GeoJSONReader.mahalle(path: mahallePath)
        let parcels = try GeoJSONReader.parcels(path: "\(data)/parcels.geojson")
        let cats = try Category.read(csvPath: "\(data)/categories.csv")
        let s = try SpatiaLiteStore(path: db, create: true)
        let n = try s.addBoundaries(BoundaryInput(source: mahallePath, mahalle: mahalle, parcels: parcels, categories: cats))
        print("sample district: \(n.mahalle) mahalle, \(n.parcels) parcels, \(n.categories) categories → \(db)")
        var o = ComplaintGenerator.Options()
        o.count = count; o.year = year
        let g = ComplaintGenerator(mahalle: try s.mahalleList(), categories: try s.categories(), options: o)
        let csv = (dir.isEmpty ? "." : dir) + "/demo-complaints.csv"
        _ = try g.writeCSV(to: csv)
        let sum = try ComplaintImporter(store: s).importFile(csv)
        print("imported \(sum.imported) synthetic complaints from \(csv) in \(String(format: "%.2f", sum.seconds)) s: "
              + "\(sum.assigned) assigned, \(sum.unassigned) unassigned, \(sum.withAddress) with street and door number")
        print(try StoreSummary(store: s, location: db).text())
        // Keys for the work screen: a field team's (staff) and its director's (supervisor), in the roads department.
        let department = try s.categories().first { $0.code == "yol" }?.department ?? "Fen İşleri Müdürlüğü"
        let scope = KeyScope(departments: [department])
        let staff = try s.createAPIKey(name: "demo-saha-ekibi", role: .staff, scope: scope)
        let supervisor = try s.createAPIKey(name: "demo-mudur", role: .supervisor, scope: scope)
        print("work screen http://127.0.0.1:\(port)/work — keys for \(department) (shown once):")
        print("  field team (staff):      \(staff.key)")
        print("  director (supervisor):   \(supervisor.key)")
        if !noServe { try DemoCommand.serve(db: db, port: port) }
    }

    /// Serves the demo store on loopback until Ctrl-C / SIGTERM.
    static func serve(db: String, port: Int) throws {
        var config = ServerConfiguration(databasePath: db)
        config.port = port
        print("task map: http://127.0.0.1:\(port)/   (Ctrl-C to stop)")
        try ServeCommand.serve(config)
    }
}
