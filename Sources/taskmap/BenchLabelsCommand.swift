import ArgumentParser
import Foundation
import GeoIndex
import TileRender

extension BenchCommand {
    /// The labels layer's first render of each zoom: a fresh renderer per zoom (so the poles of inaccessibility,
    /// the name measurements and the placement are all counted), timed from the request of the district's centre
    /// tile to its PNG bytes. Prints per zoom: ms, names that fit, names placed; best of `--runs`.
    struct Labels: ParsableCommand {
        @OptionGroup var store: StoreOptions
        @Option(help: "Zoom range.") var zoom = "11-17"
        @Option(help: "Runs per zoom (best kept).") var runs = 5

        func run() throws {
            let s = try store.open()
            let mahalle = try s.mahalleList()
            let snapshot = try s.loadSnapshotCached()
            let parts = zoom.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 2, parts[0] <= parts[1] else { throw ValidationError("--zoom: expected MIN-MAX, got \(zoom)") }
            let box = mahalle.reduce(BoundingBox.empty) { var b = $0; b.extend($1.geometry.bbox); return b }
            print("labels: \(mahalle.count) mahalle, first render of a zoom (fresh renderer: poles, measurements, placement, one tile)")
            for z in parts[0]...parts[1] {
                guard let tile = TileCoord.containing(LonLat(lon: (box.minLon + box.maxLon) / 2, lat: (box.minLat + box.maxLat) / 2), zoom: z) else { continue }
                var best = Double.infinity
                var fit = 0, placed = 0
                for _ in 0..<max(1, runs) {
                    let r = TileRenderer(snapshot: snapshot, mahalle: mahalle, categories: [])
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    _ = try r.render(layer: .labels, tile: tile)
                    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                    let p = try r.labelPlacement(zoom: z)
                    fit = p.candidates; placed = p.placed.count
                }
                print(String(format: "  z%-2d %7.2f ms  %3d names fit, %3d placed", z, best, fit, placed))
            }
        }
    }
}
