import ArgumentParser
import Foundation
import GeoIndex
import TaskMapServer

/// `taskmap tile`: one tile to a PNG file, through the same code path as the server and `render`.
struct TileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tile", abstract: "Render one tile (Z/X/Y) of a layer to a PNG file, for scripts and debugging.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var filters: FilterOptions
    @Option(help: "heat, pins, choropleth, boundaries or labels.") var layer: String
    @Argument(help: "The tile, Z/X/Y (XYZ numbering).") var tile: String
    @Flag(help: "A 512-px (@2x) tile.") var retina = false
    @Option(help: "Choropleth metric: count, per1000 or open.") var metric: String?
    @Option(help: "Output PNG.") var out: String

    func address() throws -> TileAddress {
        let p = tile.split(separator: "/").map { Int($0) }
        guard p.count == 3, let z = p[0], let x = p[1], let y = p[2], let a = TileAddress(z: z, x: x, y: y), z <= 22 else {
            throw ValidationError("tile must be Z/X/Y with 0 ≤ Z ≤ 22 and 0 ≤ X, Y < 2^Z, got '\(tile)'")
        }
        return a
    }

    func validate() throws { _ = try address() }

    func run() throws {
        guard let source = try ServeCommand.tileSource(databasePath: store.db) else { throw ValidationError("no tile renderer") }
        guard source.layerIDs.contains(layer) else {
            throw ValidationError("unknown layer '\(layer)' (expected \(source.layerIDs.joined(separator: ", ")))")
        }
        if let metric, !source.metrics(layer: layer).contains(metric) {
            throw ValidationError("--metric '\(metric)' does not apply to \(layer) (expected \(source.metrics(layer: layer).joined(separator: ", ")))")
        }
        let s = try store.open()
        let snapshot = try s.loadSnapshotCached()
        let filter = try filters.filter()
        let compiled = snapshot.compile(filter, directory: MahalleDirectory(try s.mahalleList()))
        let png = try source.render(TileRequest(layer: layer, tile: try address(), retina: retina, filter: filter,
                                                metric: metric ?? source.metrics(layer: layer).first),
                                    snapshot: snapshot, filter: compiled)
        try Data(png).write(to: URL(fileURLWithPath: out))
        print("wrote \(out): \(layer) \(tile)\(retina ? "@2x" : ""), \(png.count) bytes")
    }
}
