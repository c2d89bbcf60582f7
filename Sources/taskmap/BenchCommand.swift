import ArgumentParser
import Foundation
import GeoIndex

/// Measurements used by scripts/bench (hidden from help): each prints one line of figures.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Micro-benchmarks used by scripts/bench.", shouldDisplay: false,
        subcommands: [Insert.self, Tiles.self, Scales.self, Labels.self])

    /// Single complaint inserts through the Swift API (reverse geocoding included), one transaction each,
    /// on an existing store: prints p50/p99/max latency.
    struct Insert: ParsableCommand {
        @OptionGroup var store: StoreOptions
        @Option(help: "How many inserts.") var count = 5_000

        func run() throws {
            let s = try store.openFile(for: "bench insert")
            try s.startBackgroundCheckpoints()
            let before = try s.complaintCount()
            let box = try s.mahalleList().reduce(BoundingBox.empty) { var b = $0; b.extend($1.geometry.bbox); return b }
            var rng = SystemRandomNumberGenerator()
            var times: [Double] = []
            times.reserveCapacity(count)
            for i in 0..<count {
                let p = LonLat(lon: Double.random(in: box.minLon...box.maxLon, using: &rng),
                               lat: Double.random(in: box.minLat...box.maxLat, using: &rng))
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = try s.insert(NewComplaint(externalRef: "bench-\(UUID().uuidString)", location: p,
                                              category: i % 2 == 0 ? "yol" : "temizlik", channel: .web, createdAt: Date()))
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            times.sort()
            func q(_ f: Double) -> Double { times[min(times.count - 1, Int(Double(times.count) * f))] }
            print(String(format: "insert: %d single inserts on a store of %d complaints: p50 %.3f ms, p99 %.3f ms, max %.3f ms",
                         count, before, q(0.5), q(0.99), times.last ?? 0))
        }
    }
}
