import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TileRender
import XCTest
@testable import TaskMapServer

final class TileTests: XCTestCase {
    /// The z/x/y of the tile holding a point.
    static func tile(_ p: LonLat, z: Int) -> (x: Int, y: Int) {
        let (x, y) = WebMercator.normalized(p)
        return (Int(x * Double(1 << z)), Int(y * Double(1 << z)))
    }

    func testTileServesPNGWithStrongETagAnd304() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            let t = Self.tile(LonLat(lon: 36.905, lat: 37.555), z: 14)
            let uri = "/tiles/heat/14/\(t.x)/\(t.y).png"
            let first = try await client.get(uri)
            XCTAssertEqual(first.status, .ok, first.text)
            XCTAssertEqual(first.headers[.contentType], "image/png")
            XCTAssertEqual(first.headers[.xTileCache], "miss")
            XCTAssertEqual(first.headers[.cacheControl], "public, max-age=30")
            XCTAssertEqual(Array(first.body.readableBytesView.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
            XCTAssertTrue(first.text.hasSuffix("n=1"), first.text)
            let etag = try XCTUnwrap(first.headers[.eTag])
            XCTAssertTrue(etag.hasPrefix("\"") && !etag.hasPrefix("W/"), "strong ETag")
            let second = try await client.get(uri)
            XCTAssertEqual(second.headers[.xTileCache], "hit")
            XCTAssertEqual(second.headers[.eTag], etag)
            let revalidated = try await client.get(uri, headers: [.ifNoneMatch: etag])
            XCTAssertEqual(revalidated.status, .notModified)
            XCTAssertEqual(revalidated.body.readableBytes, 0)
            XCTAssertEqual(revalidated.headers[.eTag], etag)

            let retina = try await client.get("/tiles/heat/14/\(t.x)/\(t.y)@2x.png")
            XCTAssertEqual(retina.status, .ok)
            XCTAssertTrue(retina.text.contains("retina=true"))
            XCTAssertNotEqual(retina.headers[.eTag], etag)

            // Filters are part of the tile (and of its cache key).
            let filtered = try await client.get(uri + "?category=park")
            XCTAssertTrue(filtered.text.hasSuffix("n=0"), filtered.text)
            let choropleth = try await client.get("/tiles/choropleth/14/\(t.x)/\(t.y).png?metric=per1000")
            XCTAssertTrue(choropleth.text.contains("metric=per1000"))
            let r9 = try await client.get("/tiles/choropleth/14/\(t.x)/\(t.y).png")
            XCTAssertTrue(r9.text.contains("metric=count"), "default metric")
        }
    }

    func testNewComplaintReRendersOnlyTheTilesItTouches() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            let here = LonLat(lon: 36.9371, lat: 37.5712)
            let t = Self.tile(here, z: 15)
            let touched = "/tiles/heat/15/\(t.x)/\(t.y).png"
            let elsewhere = "/tiles/heat/15/\(t.x + 5)/\(t.y + 5).png"
            let boundaries = "/tiles/boundaries/15/\(t.x)/\(t.y).png"
            let before = try await client.get(touched)
            _ = try await client.get(elsewhere)
            _ = try await client.get(boundaries)
            XCTAssertTrue(before.text.hasSuffix("n=0"))

            try await client.postJSON("/api/complaints", #"{"lon":\#(here.lon),"lat":\#(here.lat),"category":"yol"}"#, key: f.key)

            let after = try await client.get(touched, headers: [.ifNoneMatch: before.headers[.eTag]!])
            XCTAssertEqual(after.status, .ok, "the new complaint is in the very next tile request")
            XCTAssertEqual(after.headers[.xTileCache], "miss")
            XCTAssertTrue(after.text.hasSuffix("n=1"), after.text)
            let r10 = try await client.get(elsewhere)
            XCTAssertEqual(r10.headers[.xTileCache], "hit", "an untouched tile stays cached")
            let r11 = try await client.get(boundaries)
            XCTAssertEqual(r11.headers[.xTileCache], "hit", "boundaries do not depend on complaints")
        }
    }

    func testTileErrors() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            assertError(try await client.get("/tiles/lava/1/0/0.png"), .notFound, field: "layer")
            assertError(try await client.get("/tiles/heat/1/2/0.png"), .badRequest, field: "z")
            assertError(try await client.get("/tiles/heat/1/0/-1.png"), .badRequest, field: "z")
            assertError(try await client.get("/tiles/heat/31/0/0.png"), .badRequest, field: "z")
            assertError(try await client.get("/tiles/heat/21/0/0.png"), .notFound, field: "z")
            assertError(try await client.get("/tiles/heat/a/0/0.png"), .badRequest)
            assertError(try await client.get("/tiles/heat/1/0/0@3x.png"), .badRequest)
            assertError(try await client.get("/tiles/heat/1/0/0.jpg"), .notFound)
            assertError(try await client.get("/tiles/heat/1/0/0.png?status=meh"), .badRequest, field: "status")
            assertError(try await client.get("/tiles/heat/1/0/0.png?month=2024-1"), .badRequest, field: "month")
            assertError(try await client.get("/tiles/heat/1/0/0.png?metric=count"), .badRequest, field: "metric")
            assertError(try await client.get("/tiles/choropleth/1/0/0.png?metric=max"), .badRequest, field: "metric")
            assertError(try await client.get("/tiles/lava.json"), .notFound, field: "layer")
            assertError(try await client.get("/tiles/heat.json?from=2024-01-99"), .badRequest, field: "from")
        }
    }

    func testTileJSON() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            let r = try await client.get("/tiles/choropleth.json?metric=open&category=yol,park", headers: [:])
            XCTAssertEqual(r.status, .ok, r.text)
            let o = try r.object()
            XCTAssertEqual(o["tilejson"] as? String, "3.0.0")
            let tiles = try XCTUnwrap(o["tiles"] as? [String])
            XCTAssertEqual(tiles.count, 1)
            XCTAssertTrue(tiles[0].hasSuffix("/tiles/choropleth/{z}/{x}/{y}.png?metric=open&category=yol,park"), tiles[0])
            XCTAssertEqual(o["minzoom"] as? Int, 0)
            XCTAssertEqual(o["maxzoom"] as? Int, 20)
            let bounds = try XCTUnwrap(o["bounds"] as? [Double])
            XCTAssertEqual(bounds, [36.90, 37.55, 37.00, 37.65])
            XCTAssertEqual((o["center"] as? [Double])?.count, 3)
            XCTAssertEqual(o["attribution"] as? String, "test")
            XCTAssertEqual(((o["legend"] as? [String: Any])?["stops"] as? [Any])?.count, 2)
            XCTAssertEqual(o["metric"] as? String, "open")
        }
    }

    func testWithoutARendererTilesAre503() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app(tiles: nil).test(.router) { client in
            assertError(try await client.get("/tiles/heat/1/0/0.png"), .serviceUnavailable)
            assertError(try await client.get("/tiles/heat.json"), .serviceUnavailable)
            let r12 = try await client.get("/healthz")
            XCTAssertEqual(r12.status, .ok)
        }
    }

    func testTileCacheIsBoundedByBytes() {
        let cache = TileCache(capacityBytes: 1_100)
        func key(_ i: Int) -> TileCache.Key { .init(layer: "heat", z: 1, x: i, y: 0, retina: false, filter: "", metric: nil) }
        // A 200-byte PNG occupies a 256-byte buffer (NIO storage is a power of two): the bound counts what is held.
        for i in 0..<10 { cache.put(key(i), .init(png: ByteBuffer(bytes: [UInt8](repeating: 1, count: 200)), etag: "\(i)", version: 1)) }
        XCTAssertEqual(cache.figures.bytes, 4 * 256)
        XCTAssertEqual(cache.figures.entries, 4)
        XCTAssertNil(cache.get(key(0)), "least recently used went first")
        XCTAssertNotNil(cache.get(key(9)))
        // Touching an entry keeps it.
        _ = cache.get(key(6))
        cache.put(key(10), .init(png: ByteBuffer(bytes: [UInt8](repeating: 1, count: 200)), etag: "10", version: 1))
        XCTAssertNotNil(cache.get(key(6)))
        XCTAssertNil(cache.get(key(7)))
        // Too large for the cache: not kept.
        cache.put(key(99), .init(png: ByteBuffer(bytes: [UInt8](repeating: 1, count: 600)), etag: "99", version: 1))
        XCTAssertNil(cache.get(key(99)))
    }

    func testTileAddressBoxes() {
        XCTAssertNil(TileAddress(z: 2, x: 4, y: 0))
        XCTAssertNil(TileAddress(z: -1, x: 0, y: 0))
        XCTAssertNotNil(TileAddress(z: 0, x: 0, y: 0))
        let world = TileAddress(z: 0, x: 0, y: 0)!.fixedBox()
        XCTAssertEqual(world.x0, 0); XCTAssertEqual(world.x1, UInt32.max)
        let t = TileAddress(z: 1, x: 1, y: 0)!
        XCTAssertEqual(t.fixedBox().x0, 1 << 31)
        XCTAssertEqual(t.fixedBox(bufferPixels: 16).x0, (1 << 31) - (1 << 31) / 16)
        XCTAssertEqual(t.fixedBox(bufferPixels: 16).x1, UInt32.max, "clamped at the world's edge")
        XCTAssertEqual(t.bounds.minLon, 0, accuracy: 1e-9)
        XCTAssertEqual(t.bounds.maxLat, WebMercator.maxLatitude, accuracy: 1e-9)
    }
}

final class NewestFirstTests: XCTestCase {
    func testKeepsTheNewestInOrder() {
        func rec(_ id: UInt32, _ created: UInt32) -> CompactComplaint {
            CompactComplaint(x: 0, y: 0, id: id, created: created, resolved: 0, mahalle: 0, category: 1, status: 0, channel: 0,
                             type: 0, district: 0, satisfaction: 0, month: 0)
        }
        var rng = SystemRandomNumberGenerator()
        let all = (1...2_000).map { rec(UInt32($0), UInt32.random(in: 0...500, using: &rng)) }
        var top = NewestFirst(limit: 25)
        for r in all { top.add(r) }
        let expected = all.sorted { $0.created != $1.created ? $0.created > $1.created : $0.id > $1.id }.prefix(25)
        XCTAssertEqual(top.records.map(\.id), expected.map(\.id))
        XCTAssertEqual(top.seen, 2_000)
        var none = NewestFirst(limit: 0)
        none.add(all[0])
        XCTAssertEqual(none.records.count, 0)
        XCTAssertEqual(none.seen, 1)
    }
}

/// TileJSON's legend is the legend of the tiles its URL serves: the request's filter and metric, and for heat the
/// zoom asked for (a heat scale is per zoom). Before, the source dropped the filter and every legend was the
/// whole year's.
final class TileJSONLegendTests: XCTestCase {
    func testLegendFollowsTheFilterAndTheZoom() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        let source = try TileRendererSource(store: f.store)
        try await f.app(tiles: source).test(.router) { client in
            func legend(_ path: String) async throws -> [String: Any] {
                let r = try await client.get(path, headers: [:])
                XCTAssertEqual(r.status, .ok, r.text)
                return try XCTUnwrap(try r.object()["legend"] as? [String: Any])
            }
            func values(_ l: [String: Any]) -> [Double] { (l["stops"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? Double } }
            let all = try await legend("/tiles/choropleth.json?metric=count")
            let park = try await legend("/tiles/choropleth.json?metric=count&category=park")
            XCTAssertNotEqual(values(all), values(park))
            for (l, filter) in [(all, ComplaintFilter.all), (park, try ComplaintFilter.parse(category: "park"))] {
                let want = source.renderer.legend(layer: .choropleth, filter: filter, metric: .count)
                XCTAssertEqual(values(l), want.stops.compactMap(\.value))
                XCTAssertEqual((l["stops"] as? [[String: Any]])?.compactMap { $0["color"] as? String }, want.stops.map(\.color))
            }
            // Heat: the zoom asked for, which stays out of the tiles URL.
            let r = try await client.get("/tiles/heat.json?category=park&zoom=12", headers: [:])
            let o = try r.object()
            let l = try XCTUnwrap(o["legend"] as? [String: Any])
            XCTAssertEqual(l["zoom"] as? Int, 12)
            let top = try XCTUnwrap(values(l).last)
            let scale = source.renderer.heatScale(zoom: 12, filter: try ComplaintFilter.parse(category: "park"))
            XCTAssertEqual(top, Double(max(scale.maximum, source.renderer.options.heat.minDensity)), accuracy: 1e-6 * max(1, top))
            XCTAssertTrue((o["tiles"] as? [String])?.first?.hasSuffix("/tiles/heat/{z}/{x}/{y}.png?category=park") ?? false, "\(o["tiles"] ?? "")")
            assertError(try await client.get("/tiles/heat.json?zoom=99"), .badRequest)
        }
    }
}
