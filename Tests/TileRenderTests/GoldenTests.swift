import Foundation
import GeoIndex
import XCTest
@testable import TileRender

/// Golden images of each layer from the fixed `Fixture` data. Compared as decoded pixels with a tolerance; the
/// PNGs in Golden/ are for people to look at. Re-record with TASKMAP_RECORD_GOLDEN=1 (that run fails on purpose).
final class GoldenTests: XCTestCase {
    static let renderer = TileRenderer(snapshot: Fixture.snapshot(Fixture.clustered(20_000)), mahalle: Fixture.mahalle)

    func check(_ layer: Layer, z: Int, retina: Bool = false, filter: ComplaintFilter = .all, metric: ChoroplethMetric = .count,
               name: String) throws {
        let tile = try Self.renderer.render(layer: layer, tile: Fixture.centerTile(z), retina: retina, filter: filter, metric: metric)
        XCTAssertFalse(tile.isEmpty, name)
        if let problem = try Golden.check(tile.png, name: name) { XCTFail(problem) }
    }

    func testHeat() throws {
        try check(.heat, z: 13, name: "heat-z13")
        try check(.heat, z: 15, name: "heat-z15")
        try check(.heat, z: 15, retina: true, name: "heat-z15@2x")
        try check(.heat, z: 14, filter: ComplaintFilter(statuses: [.open]), name: "heat-z14-open")
    }

    func testMahalleHeat() throws { try check(.mahalleHeat(5), z: 14, name: "mahalle-heat-5-z14") }

    func testPins() throws {
        try check(.pins, z: 13, name: "pins-z13")
        try check(.pins, z: 17, name: "pins-z17")
        try check(.pins, z: 15, retina: true, name: "pins-z15@2x")
    }

    func testChoropleth() throws {
        try check(.choropleth, z: 13, metric: .count, name: "choropleth-count-z13")
        try check(.choropleth, z: 13, metric: .per1000, name: "choropleth-per1000-z13")
        try check(.choropleth, z: 14, metric: .open, name: "choropleth-open-z14")
    }

    func testBoundaries() throws {
        try check(.boundaries, z: 13, name: "boundaries-z13")
        try check(.boundaries, z: 15, retina: true, name: "boundaries-z15@2x")
    }
}
