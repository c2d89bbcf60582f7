import ArgumentParser
import Foundation
import GeoIndex
import TileRender

extension BenchCommand {
    /// A new filter's first heat tile needs that filter's heat scales (the densest cell at every zoom). This times
    /// that step alone, in process, for random viewer-like filters (a category and/or a month) and adversarial ones
    /// (1–4 categories and a month), at a random zoom 10–15: now (the category × month index, the filter's keys,
    /// one run count for that zoom) against before (a pass over every record, then all 23 zooms). Both give the
    /// same scale (checked here on every filter, and in FilterBucketsTests).
    struct Scales: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Time heat-scale computation per new filter (index vs plain pass).")
        @OptionGroup var store: StoreOptions
        @Option(help: "Random filters of each kind.") var filters = 300
        @Option(help: "Month of the filters' year (YYYY).") var year = 2024

        func run() throws {
            let snapshot = try store.open().loadSnapshotCached()
            let codes = Array(snapshot.tables.categories.dropFirst())
            var rng = SystemRandomNumberGenerator()
            let options = HeatOptions()
            // Build the index once outside the timings (a server builds it on its first narrowing filter).
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = snapshot.candidates(for: snapshot.compile(ComplaintFilter(categories: [codes[0]])))
            let buildMs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
            print(String(format: "index: %d complaints bucketed in %.1f ms (once per sorted array)", snapshot.count, buildMs))
            for kind in ["viewer", "adversarial"] {
                var fast: [Double] = [], plain: [Double] = []
                for _ in 0..<filters {
                    var f = ComplaintFilter()
                    if kind == "viewer" {
                        f = BenchCommand.viewerFilter(codes: codes, year: year, withStatus: false, using: &rng)
                    } else {
                        f.categories = Set(codes.shuffled(using: &rng).prefix(Int.random(in: 1...4, using: &rng)))
                        f.period = Period.month(year: year, month: Int.random(in: 1...12, using: &rng))
                    }
                    let c = snapshot.compile(f)
                    let zoom = Int.random(in: 10...15, using: &rng)
                    // Now: candidates from the index, the filter's keys, one run count for the asked zoom.
                    var t = DispatchTime.now().uptimeNanoseconds
                    let keys = HeatScaleEstimator.filteredKeys(snapshot, filter: c, mahalleIndex: nil, candidates: snapshot.candidates(for: c))
                    let a = HeatScaleEstimator.scale(keys: keys, zoom: zoom, options: options)
                    fast.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
                    // Before: a pass over every record, then every zoom's scale.
                    t = DispatchTime.now().uptimeNanoseconds
                    let b = HeatScaleEstimator.scalesAllZooms(snapshot, filter: c, options: options, mahalleIndex: nil, candidates: nil)
                    plain.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
                    guard a == b[zoom] else { throw ValidationError("scales differ for \(f.canonicalKey) at z\(zoom)") }
                }
                func q(_ v: [Double], _ p: Double) -> Double { let s = v.sorted(); return s[min(s.count - 1, Int(Double(s.count) * p))] }
                let mf = fast.reduce(0, +) / Double(fast.count), mp = plain.reduce(0, +) / Double(plain.count)
                print(String(format: "%@ filters (%d), first tile's scale: index + one zoom mean %.3f ms p99 %.3f ms | before (pass over all records, all zooms) mean %.3f ms p99 %.3f ms → %.1f× (same scale)",
                             kind, filters, mf, q(fast, 0.99), mp, q(plain, 0.99), mp / mf))
            }
        }
    }
}
