import Foundation
import XCTest
@testable import GeoIndex

/// A small two-district town for tests: four square mahalle sharing borders, a few parcels along one street.
enum Fixtures {
    /// Mahalle squares: west column x 36.90–36.95 (Kuzeykent), east column 36.95–37.00 (Güneyyaka);
    /// rows y 37.55–37.60 and 37.60–37.65. Shared borders at x = 36.95 and y = 37.60.
    static let mahalleGeoJSON = """
    {"type":"FeatureCollection","features":[
     {"type":"Feature","properties":{"name":"Şehitler","code":"K-01","population":12000,"district":"Kuzeykent"},
      "geometry":{"type":"Polygon","coordinates":[[[36.90,37.55],[36.95,37.55],[36.95,37.60],[36.90,37.60],[36.90,37.55]]]}},
     {"type":"Feature","properties":{"name":"İsmetpaşa","code":"K-02","population":8000,"district":"Kuzeykent"},
      "geometry":{"type":"Polygon","coordinates":[[[36.90,37.60],[36.95,37.60],[36.95,37.65],[36.90,37.65],[36.90,37.60]]]}},
     {"type":"Feature","properties":{"name":"Ulubahçe","code":"G-01","population":20000,"district":"Güneyyaka"},
      "geometry":{"type":"Polygon","coordinates":[[[36.95,37.55],[37.00,37.55],[37.00,37.60],[36.95,37.60],[36.95,37.55]]]}},
     {"type":"Feature","properties":{"name":"Çınarlı","code":"G-02","population":0,"district":"Güneyyaka"},
      "geometry":{"type":"MultiPolygon","coordinates":[[[[36.95,37.60],[37.00,37.60],[37.00,37.65],[36.95,37.65],[36.95,37.60]]]]}}
    ]}
    """

    /// Three parcels 0.001° (~90 m) wide along "Gül Sokak" in Şehitler, 0.0002° apart.
    static let parcelsGeoJSON = """
    {"type":"FeatureCollection","features":[
     {"type":"Feature","properties":{"ada":"101","parsel":"1","street":"Gül Sokak","door":"1","mahalle":"Şehitler"},
      "geometry":{"type":"Polygon","coordinates":[[[36.920,37.570],[36.921,37.570],[36.921,37.571],[36.920,37.571],[36.920,37.570]]]}},
     {"type":"Feature","properties":{"ada":"101","parsel":"2","street":"Gül Sokak","door":"3","mahalle":"Şehitler"},
      "geometry":{"type":"Polygon","coordinates":[[[36.9212,37.570],[36.9222,37.570],[36.9222,37.571],[36.9212,37.571],[36.9212,37.570]]]}},
     {"type":"Feature","properties":{"ada":"102","parsel":"1","street":"Atatürk Bulvarı","door":"12/A","mahalle":"Şehitler"},
      "geometry":{"type":"Polygon","coordinates":[[[36.920,37.580],[36.921,37.580],[36.921,37.581],[36.920,37.581],[36.920,37.580]]]}}
    ]}
    """

    static func tempDir() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("taskmap-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, _ name: String, in dir: URL) throws -> String {
        let p = dir.appendingPathComponent(name).path
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    /// A store with the four mahalle, the parcels and the default categories.
    static func store(in dir: URL) throws -> SpatiaLiteStore {
        let m = try write(mahalleGeoJSON, "mahalle.geojson", in: dir)
        let p = try write(parcelsGeoJSON, "parcels.geojson", in: dir)
        let s = try SpatiaLiteStore(path: dir.appendingPathComponent("store.sqlite").path, create: true)
        _ = try s.addBoundaries(BoundaryInput(source: m, mahalle: try GeoJSONReader.mahalle(path: m),
                                              parcels: try GeoJSONReader.parcels(path: p), categories: Category.defaults))
        return s
    }

    /// Deterministic pseudo-random points in [minLon, maxLon] × [minLat, maxLat].
    static func points(_ n: Int, seed: UInt64 = 7, box: BoundingBox = BoundingBox(minLon: 36.88, minLat: 37.54, maxLon: 37.02, maxLat: 37.66)) -> [LonLat] {
        var s = seed
        func next() -> Double {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        return (0..<n).map { _ in
            LonLat(lon: box.minLon + next() * (box.maxLon - box.minLon), lat: box.minLat + next() * (box.maxLat - box.minLat))
        }
    }

    /// A complaints CSV with `n` rows over the fixture town (some outside every mahalle).
    static func complaintsCSV(_ n: Int, seed: UInt64 = 7) -> String {
        let cats = ["yol", "temizlik", "park", "su", "kar"]
        var lines = ["id,lon,lat,category,status,channel,type,created_at,resolved_at,satisfaction,description"]
        for (i, p) in points(n, seed: seed).enumerated() {
            let resolved = i % 3 == 0
            lines.append("\(i + 1),\(String(format: "%.6f", p.lon)),\(String(format: "%.6f", p.lat)),\(cats[i % cats.count]),"
                + "\(resolved ? "resolved" : "open"),\(i % 2 == 0 ? "phone" : "whatsapp"),sikayet,"
                + "2024-0\(1 + i % 9)-1\(i % 10)T10:00:00+03:00,\(resolved ? "2024-0\(1 + i % 9)-2\(i % 8)T10:00:00Z" : ""),"
                + "\(resolved ? String(1 + i % 5) : ""),\"Çukur var, lütfen\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func sha256(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }
}
