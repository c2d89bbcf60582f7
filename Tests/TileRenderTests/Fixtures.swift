import Foundation
import GeoIndex
@testable import TileRender

/// Deterministic test data built in code (no store, no generator that others may change): a 3×3 grid of square
/// mahalle around 36.95 E, 37.59 N, and clustered synthetic complaints.
enum Fixture {
    static let center = LonLat(lon: 36.95, lat: 37.59)
    static let cell = 0.02
    static let categoryCodes = ["yol", "temizlik", "park", "su", "aydinlatma", "cop"]

    /// A small deterministic generator (SplitMix64) so data never depends on the platform's RNG.
    struct RNG {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func normal() -> Double {
            let u = max(unit(), 1e-12), v = unit()
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
    }

    /// 9 square mahalle (ids 1…9, row-major from the north-west), districts A (ids 1–6) and B (7–9); mahalle 5
    /// has a square hole (a park with no residents); mahalle 9 has no population.
    static let mahalle: [Mahalle] = {
        var out: [Mahalle] = []
        let lon0 = center.lon - 1.5 * cell, lat0 = center.lat + 1.5 * cell
        for row in 0..<3 {
            for col in 0..<3 {
                let id = Int64(row * 3 + col + 1)
                let w = lon0 + Double(col) * cell, n = lat0 - Double(row) * cell
                var rings = [[LonLat(lon: w, lat: n), LonLat(lon: w, lat: n - cell), LonLat(lon: w + cell, lat: n - cell),
                              LonLat(lon: w + cell, lat: n), LonLat(lon: w, lat: n)]]
                if id == 5 {
                    let m = cell / 3
                    rings.append([LonLat(lon: w + m, lat: n - m), LonLat(lon: w + 2 * m, lat: n - m), LonLat(lon: w + 2 * m, lat: n - 2 * m),
                                  LonLat(lon: w + m, lat: n - 2 * m), LonLat(lon: w + m, lat: n - m)])
                }
                out.append(Mahalle(id: id, name: "Mahalle \(id)", code: "M-\(id)", population: id == 9 ? 0 : Int(1000 * id),
                                   districtID: id <= 6 ? 1 : 2, districtName: id <= 6 ? "A" : "B",
                                   geometry: MultiPolygon(polygons: [Polygon(rings: rings)])))
            }
        }
        return out
    }()

    static var tables: ComplaintSnapshot.Tables {
        ComplaintSnapshot.Tables(categories: categoryCodes, mahalle: mahalle.map(\.id), districts: ["A", "B"])
    }

    /// The mahalle (table index) containing a point, 0 if none.
    static func mahalleIndex(_ p: LonLat) -> UInt16 {
        for (i, m) in mahalle.enumerated() where m.geometry.contains(p) { return UInt16(i + 1) }
        return 0
    }

    /// One record; `created` is a Unix time (default 2024-06-15).
    static func record(_ p: LonLat, id: Int, category: Int = 1, status: ComplaintStatus = .open,
                       created: Int64 = 1_718_400_000, channel: Channel = .phone) -> CompactComplaint {
        let m = mahalleIndex(p)
        return SpatiaLiteStore.compact(id: Int64(id), location: p, category: UInt8(category),
                                       status: CompiledFilter.statusCode(status), channel: CompiledFilter.channelCode(channel),
                                       type: 0, created: created, resolved: status.isOpen ? nil : created + 86_400,
                                       mahalle: m, district: m == 0 ? 0 : (m <= 6 ? 1 : 2), satisfaction: nil)
    }

    static func snapshot(_ records: [CompactComplaint]) -> ComplaintSnapshot {
        ComplaintSnapshot(tables: tables, records: records)
    }

    /// `n` complaints in five Gaussian clusters plus a uniform background, categories and statuses mixed,
    /// spread over 2024.
    static func clustered(_ n: Int, seed: UInt64 = 7) -> [CompactComplaint] {
        var rng = RNG(state: seed)
        let spots: [(LonLat, Double)] = [
            (LonLat(lon: 36.943, lat: 37.597), 0.0015), (LonLat(lon: 36.962, lat: 37.581), 0.003),
            (LonLat(lon: 36.931, lat: 37.575), 0.004), (LonLat(lon: 36.955, lat: 37.603), 0.002),
            (LonLat(lon: 36.950, lat: 37.590), 0.006),
        ]
        var out: [CompactComplaint] = []
        out.reserveCapacity(n)
        for i in 0..<n {
            let p: LonLat
            if rng.unit() < 0.25 {
                p = LonLat(lon: center.lon + (rng.unit() - 0.5) * 3 * cell, lat: center.lat + (rng.unit() - 0.5) * 3 * cell)
            } else {
                let (c, s) = spots[Int(rng.next() % UInt64(spots.count))]
                p = LonLat(lon: c.lon + rng.normal() * s, lat: c.lat + rng.normal() * s * 0.8)
            }
            let cat = 1 + Int(rng.next() % UInt64(categoryCodes.count))
            let status: ComplaintStatus = rng.unit() < 0.3 ? .open : (rng.unit() < 0.5 ? .inProgress : .resolved)
            let created = 1_704_056_400 + Int64(rng.next() % (365 * 86_400))
            out.append(record(p, id: i + 1, category: cat, status: status, created: created))
        }
        return out
    }

    /// The tile of zoom z containing the fixture's centre.
    static func centerTile(_ z: Int) -> TileCoord { TileCoord.containing(center, zoom: z)! }
}

/// Golden images: decoded pixels compared with a tolerance; `TASKMAP_RECORD_GOLDEN=1` rewrites them and fails.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static var recording: Bool { ProcessInfo.processInfo.environment["TASKMAP_RECORD_GOLDEN"] == "1" }

    /// Nil when the image matches; otherwise what is wrong (or that it was re-recorded).
    static func check(_ png: [UInt8], name: String) throws -> String? {
        let url = directory.appendingPathComponent(name + ".png")
        if recording {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(png).write(to: url)
            return "re-recorded \(name).png, run again without TASKMAP_RECORD_GOLDEN"
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            return "missing golden \(name).png: run once with TASKMAP_RECORD_GOLDEN=1 and look at it"
        }
        let want = try PNGCodec.decode([UInt8](data)), got = try PNGCodec.decode(png)
        guard want.width == got.width, want.height == got.height else {
            return "\(name): size \(got.width)×\(got.height), golden \(want.width)×\(want.height)"
        }
        var bad = 0, worst = 0
        for i in stride(from: 0, to: want.pixels.count, by: 4) {
            var d = 0
            for c in 0..<4 { d = max(d, abs(Int(want.pixels[i + c]) - Int(got.pixels[i + c]))) }
            worst = max(worst, d)
            if d > 8 { bad += 1 }
        }
        let allowed = want.width * want.height / 500   // 0.2 % of pixels may differ by more than 8/255
        if bad > allowed {
            let actual = FileManager.default.temporaryDirectory.appendingPathComponent("taskmap-\(name).actual.png")
            try? Data(png).write(to: actual)
            return "\(name): \(bad) pixels differ by more than 8 (allowed \(allowed)), worst \(worst); see \(actual.path)"
        }
        return nil
    }
}
