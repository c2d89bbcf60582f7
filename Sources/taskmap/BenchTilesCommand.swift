import ArgumentParser
import Foundation
import GeoIndex
import TaskMapServer

extension BenchCommand {
    /// Renders the peers' shared tile list (every tile of zooms 10–15 over the benchmark box, as
    /// ../shared/peers/tiles.py lists them) single-threaded, PNG bytes included, and prints tiles/s, the median
    /// PNG size and the snapshot's bytes per complaint.
    struct Tiles: ParsableCommand {
        @OptionGroup var store: StoreOptions
        @Option(help: "heat, pins, choropleth, boundaries or labels.") var layer = "heat"
        @Option(help: "Passes over the list (the first also warms the heat scales).") var passes = 3
        @Option(help: "Write the tiles of the last pass to this folder (z_x_y.png), to look at.") var out: String?
        @Option(help: "none, or viewer: every tile with a random viewer filter (category, month, status), as the server's uncached benchmark asks; prints render-time percentiles.") var filters = "none"

        static func tileList(box: (Double, Double, Double, Double) = (36.85, 37.52, 37.05, 37.66), zooms: ClosedRange<Int> = 10...15) -> [TileAddress] {
            func tile(_ lon: Double, _ lat: Double, _ z: Int) -> (Int, Int) {
                let n = Double(1 << z)
                return (Int((lon + 180) / 360 * n), Int((1 - asinh(tan(lat * .pi / 180)) / .pi) / 2 * n))
            }
            var out: [TileAddress] = []
            for z in zooms {
                let (x0, y0) = tile(box.0, box.3, z), (x1, y1) = tile(box.2, box.1, z)
                for x in x0...x1 { for y in y0...y1 { if let a = TileAddress(z: z, x: x, y: y) { out.append(a) } } }
            }
            return out
        }

        func run() throws {
            if filters == "viewer" { return try runFiltered() }
            guard let source = try ServeCommand.tileSource(databasePath: store.db) else { throw ValidationError("no tile renderer") }
            let s = try store.open()
            let snapshot = try s.loadSnapshotCached()
            let compiled = snapshot.compile(.all)
            let tiles = Self.tileList()
            var best = Double.infinity
            var sizes: [Int] = []
            if let out { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) }
            for pass in 0..<max(1, passes) {
                sizes.removeAll(keepingCapacity: true)
                let t0 = DispatchTime.now().uptimeNanoseconds
                for t in tiles {
                    let png = try source.render(TileRequest(layer: layer, tile: t, retina: false, filter: .all, metric: source.metrics(layer: layer).first),
                                                snapshot: snapshot, filter: compiled)
                    sizes.append(png.count)
                    if pass == passes - 1, let out { try Data(png).write(to: URL(fileURLWithPath: "\(out)/\(t.z)_\(t.x)_\(t.y).png")) }
                }
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            }
            sizes.sort()
            let median = sizes[sizes.count / 2]
            print(String(format: "taskmap %@: %d tiles in %.3f s = %.1f tiles/s (best of %d passes, 1 thread), median %.1f KiB/tile, mean %.1f KiB/tile; snapshot %d complaints, %.0f bytes/complaint",
                         layer, tiles.count, best, Double(tiles.count) / best, passes, Double(median) / 1024,
                         Double(sizes.reduce(0, +)) / Double(sizes.count) / 1024, snapshot.count,
                         Double(snapshot.recordBytes) / Double(max(snapshot.count, 1))))
        }
    
        /// Random viewer filters over the tile list (renderer caches warm up as in a server): render time percentiles.
        func runFiltered() throws {
            guard let source = try ServeCommand.tileSource(databasePath: store.db) else { throw ValidationError("no tile renderer") }
            let snapshot = try store.open().loadSnapshotCached()
            let codes = Array(snapshot.tables.categories.dropFirst())
            let tiles = Self.tileList()
            var rng = SystemRandomNumberGenerator()
            var times: [Double] = []
            let n = max(1, passes) * 2000
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<n {
                let f = BenchCommand.viewerFilter(codes: codes, year: 2024, withStatus: true, using: &rng)
                let t = tiles.randomElement(using: &rng)!
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try source.render(TileRequest(layer: layer, tile: t, retina: false, filter: f, metric: source.metrics(layer: layer).first),
                                      snapshot: snapshot, filter: snapshot.compile(f))
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            let total = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            times.sort()
            func q(_ p: Double) -> Double { times[min(times.count - 1, Int(Double(times.count) * p))] }
            print(String(format: "taskmap %@, random viewer filters: %d tiles in %.3f s = %.1f tiles/s (1 thread, caches warming as in a server); render p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
                         layer, n, total, Double(n) / total, q(0.5), q(0.9), q(0.99), times.last ?? 0))
        }
    }
}

extension BenchCommand {
    /// A random filter as the viewer's controls make one: a category (4 in 5), a month of `year` (4 in 5) and, with
    /// `withStatus`, open or resolved statuses (1 in 5 each) — the filters of `scripts/bench server`'s viewer test.
    static func viewerFilter(codes: [String], year: Int, withStatus: Bool, using rng: inout some RandomNumberGenerator) -> ComplaintFilter {
        var f = ComplaintFilter()
        if Int.random(in: 0..<5, using: &rng) > 0 { f.categories = [codes.randomElement(using: &rng)!] }
        if Int.random(in: 0..<5, using: &rng) > 0 { f.period = Period.month(year: year, month: Int.random(in: 1...12, using: &rng)) }
        if withStatus {
            let u = Int.random(in: 0..<5, using: &rng)
            if u == 0 { f.statuses = [.open, .assigned, .inProgress] } else if u == 1 { f.statuses = [.resolved, .closed] }
        }
        return f
    }
}
