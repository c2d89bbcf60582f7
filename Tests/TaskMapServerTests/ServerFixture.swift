import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import TaskMapServer

/// A small two-district town (the GeoIndex test town: four square mahalle, three parcels on Gül Sokak in
/// Şehitler), a store with some complaints, an API key, and the server built by `buildApplication`.
struct ServerFixture: Sendable {
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

    static let parcelsGeoJSON = """
    {"type":"FeatureCollection","features":[
     {"type":"Feature","properties":{"ada":"101","parsel":"1","street":"Gül Sokak","door":"1","mahalle":"Şehitler"},
      "geometry":{"type":"Polygon","coordinates":[[[36.920,37.570],[36.921,37.570],[36.921,37.571],[36.920,37.571],[36.920,37.570]]]}},
     {"type":"Feature","properties":{"ada":"101","parsel":"2","street":"Gül Sokak","door":"3","mahalle":"Şehitler"},
      "geometry":{"type":"Polygon","coordinates":[[[36.9212,37.570],[36.9222,37.570],[36.9222,37.571],[36.9212,37.571],[36.9212,37.570]]]}}
    ]}
    """

    /// A point inside parcel 101/1 (Gül Sokak 1, Şehitler).
    static let gulSokak1 = LonLat(lon: 36.9205, lat: 37.5705)

    let directory: URL
    let store: SpatiaLiteStore
    let config: ServerConfiguration
    /// An active key.
    let key: String
    /// A revoked key.
    let revokedKey: String

    /// `complaints` seeded complaints (open, in the last days, spread over the town).
    init(complaints: Int = 12) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("taskmap-server-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let m = directory.appendingPathComponent("mahalle.geojson").path
        let p = directory.appendingPathComponent("parcels.geojson").path
        try Self.mahalleGeoJSON.write(toFile: m, atomically: true, encoding: .utf8)
        try Self.parcelsGeoJSON.write(toFile: p, atomically: true, encoding: .utf8)
        let path = directory.appendingPathComponent("store.sqlite").path
        store = try SpatiaLiteStore(path: path, create: true)
        _ = try store.addBoundaries(BoundaryInput(source: m, mahalle: try GeoJSONReader.mahalle(path: m),
                                                  parcels: try GeoJSONReader.parcels(path: p), categories: Category.defaults))
        let cats = ["temizlik", "park", "su", "aydinlatma"]
        let now = Date()
        for i in 0..<complaints {
            let lon = 36.905 + Double(i % 4) * 0.025, lat = 37.555 + Double(i / 4 % 4) * 0.025
            _ = try store.insert(NewComplaint(externalRef: "seed-\(i)", location: LonLat(lon: lon, lat: lat), category: cats[i % cats.count],
                                              channel: i % 2 == 0 ? .phone : .whatsapp, createdAt: now.addingTimeInterval(-Double(i + 1) * 86_400)))
        }
        key = try store.createAPIKey(name: "test", role: .supervisor).key
        revokedKey = try store.createAPIKey(name: "old").key
        try store.revokeAPIKey("old")
        var c = ServerConfiguration(databasePath: path)
        c.port = 0
        c.logLevel = .critical
        c.eventHeartbeatSeconds = 3600
        config = c
    }

    func app(tiles: (any TileSource)? = FakeTileSource()) async throws -> some ApplicationProtocol {
        try await buildApplication(config, tiles: tiles)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// A tile source for server tests: the "PNG" is a PNG signature plus a text naming the tile and counting the
/// complaints in it, so a change under a tile changes its bytes.
struct FakeTileSource: TileSource {
    var layerIDs: [String] { ["heat", "pins", "choropleth", "boundaries"] }
    var minZoom: Int { 0 }
    var maxZoom: Int { 20 }
    var attribution: String { "test" }
    func metrics(layer: String) -> [String] { layer == "choropleth" ? ["count", "per1000", "open"] : [] }
    func dependence(layer: String) -> TileDependence {
        switch layer {
        case "boundaries": return .none
        case "choropleth": return .mahalleInTile
        default: return .nearbyPoints(bufferPixels: 16)
        }
    }
    func render(_ tile: TileRequest, snapshot: ComplaintSnapshot, filter: CompiledFilter) throws -> [UInt8] {
        var n = 0
        let b = tile.tile.fixedBox(bufferPixels: 16)
        snapshot.forEach(inBoxX: b.x0, b.x1, y: b.y0, b.y1, filter: filter) { _ in n += 1 }
        let text = "\(tile.layer) \(tile.tile.z)/\(tile.tile.x)/\(tile.tile.y) retina=\(tile.retina) metric=\(tile.metric ?? "-") n=\(n)"
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(text.utf8)
    }
    func legend(layer: String, metric: String?, filter: ComplaintFilter, zoom: Int?) -> TileLegend {
        TileLegend(title: "\(layer) \(metric ?? "")", stops: [.init(value: 0, label: "az", color: "#ffffb2"), .init(value: 1, label: "çok", color: "#bd0026")])
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) }
    func object() throws -> [String: Any] {
        guard let o = try json() as? [String: Any] else { throw XCTSkip("not an object: \(text)") }
        return o
    }
}

extension HTTPField.Name {
    static let xAPIKey = HTTPField.Name("X-API-Key")!
    static let xIdempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let xTileCache = HTTPField.Name("X-Tile-Cache")!
    static let lastEventIDHeader = HTTPField.Name("Last-Event-ID")!
}

extension TestClientProtocol {
    /// POST JSON with the key.
    @discardableResult
    func postJSON(_ uri: String, _ json: String, key: String?, extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let key { headers[.xAPIKey] = key }
        headers.append(contentsOf: extra)
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json))
    }

    func patchJSON(_ uri: String, _ json: String, key: String?) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let key { headers[.xAPIKey] = key }
        return try await execute(uri: uri, method: .patch, headers: headers, body: ByteBuffer(string: json))
    }

    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await execute(uri: uri, method: .get, headers: headers)
    }
}

/// Asserts a JSON error body `{"error": …, "field": …}` with the status.
func assertError(_ r: TestResponse, _ status: HTTPResponse.Status, field: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(r.status, status, r.text, file: file, line: line)
    XCTAssertEqual(r.headers[.contentType], "application/json; charset=utf-8", file: file, line: line)
    guard let o = try? r.object() else { XCTFail("error body is not a JSON object: \(r.text)", file: file, line: line); return }
    XCTAssertNotNil(o["error"] as? String, r.text, file: file, line: line)
    if let field { XCTAssertEqual(o["field"] as? String, field, r.text, file: file, line: line) }
}
