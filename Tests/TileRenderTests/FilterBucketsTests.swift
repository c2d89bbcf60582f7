import Foundation
import GeoIndex
import XCTest
@testable import TileRender

/// The category × month index (`ComplaintSnapshot.candidates(for:)`) is a shortcut only: every count, scale and
/// pin it feeds must equal the plain pass over all records, for narrowing filters of every shape, with a tail of
/// recent inserts and after a record moved out of the sorted part.
final class FilterBucketsTests: XCTestCase {
    static let records = Fixture.clustered(40_000, seed: 11)

    /// 6 categories × 12 months of 2024, a tail of recent inserts, and one sorted record replaced (moved to the tail).
    func snapshot() -> ComplaintSnapshot {
        var snap = Fixture.snapshot(Array(Self.records.dropLast(300)))
        for r in Self.records.suffix(300) { snap = snap.inserting(r) }
        var moved = Self.records[1234]
        moved.status = CompiledFilter.statusCode(.resolved)
        return snap.inserting(moved)
    }

    func filters(_ snap: ComplaintSnapshot) -> [(String, CompiledFilter)] {
        func f(_ categories: [String]? = nil, month: String? = nil, from: String? = nil, to: String? = nil,
               statuses: [ComplaintStatus]? = nil) -> CompiledFilter {
            var filter = ComplaintFilter(categories: categories.map(Set.init), statuses: statuses.map(Set.init))
            if let month { filter.period = Period.month(month)! }
            if let from, let to { filter.period = Period.days(from: from, to: to)! }
            return snap.compile(filter)
        }
        return [
            ("one category", f(["park"])),
            ("one category, one month", f(["yol"], month: "2024-03")),
            ("three categories, one month", f(["yol", "su", "cop"], month: "2024-07")),
            ("one month", f(month: "2024-11")),
            ("dates cutting inside months", f(["temizlik"], from: "2024-02-10", to: "2024-04-20")),
            ("category, month and status", f(["aydinlatma"], month: "2024-05", statuses: [.open])),
            ("a month with no data", f(["yol"], month: "2019-01")),
        ]
    }

    func testCandidatesAreAscendingAndHoldEveryMatchingRecord() throws {
        let snap = snapshot()
        for (name, filter) in filters(snap) {
            let c = try XCTUnwrap(snap.candidates(for: filter), name)
            let positions = Array(c.positions)
            XCTAssertEqual(positions, positions.sorted(), name)
            XCTAssertEqual(Set(positions).count, positions.count, "\(name): no position twice")
            let matching = snap.sorted.indices.filter { filter.matches(snap.sorted[$0]) }
            XCTAssertTrue(Set(matching).isSubset(of: Set(positions.map(Int.init))), name)
            XCTAssertLessThan(positions.count, snap.sorted.count / 4, name)
        }
        XCTAssertNil(snap.candidates(for: CompiledFilter()), "no narrowing → plain pass")
        XCTAssertNil(snap.candidates(for: snap.compile(ComplaintFilter(statuses: [.open]))), "status alone does not narrow")
    }

    func testScalesFromCandidatesEqualThePlainPass() throws {
        let snap = snapshot()
        for (name, filter) in filters(snap) {
            let fast = HeatScaleEstimator.densestCellsAllZooms(snap, filter: filter, cellPixels: 16, mahalleIndex: nil,
                                                               candidates: snap.candidates(for: filter))
            let plain = HeatScaleEstimator.densestCellsAllZooms(snap, filter: filter, cellPixels: 16, mahalleIndex: nil, candidates: nil)
            XCTAssertEqual(fast, plain, name)
            for z in [10, 13, 16] {
                XCTAssertEqual(fast[z], HeatScaleEstimator.densestCell(snap, filter: filter, zoom: z, cellPixels: 16), "\(name) z\(z)")
            }
        }
    }

    func testTileCountsAndPinsFromCandidatesEqualThePlainPass() throws {
        let snap = snapshot()
        let kernel = HeatKernel(radius: 6)
        var nonEmpty = 0
        for (name, filter) in filters(snap) {
            let c = snap.candidates(for: filter)
            for z in [10, 12, 14, 16] {
                let t = Fixture.centerTile(z)
                let canvas = HeatAggregate.canvas(tile: t, size: 256, kernel: kernel, cellPixels: 2)
                let fast = HeatAggregate.counts(snap, canvas: canvas, cellPixels: 2, filter: filter, candidates: c)
                let plain = HeatAggregate.counts(snap, canvas: canvas, cellPixels: 2, filter: filter)
                XCTAssertEqual(fast.counts, plain.counts, "\(name) z\(z)")
                XCTAssertEqual(fast.total, plain.total, "\(name) z\(z)")
                if plain.total > 0 { nonEmpty += 1 }
                let pinCanvas = TileCanvas(tile: t, size: 256, buffer: 64)
                XCTAssertEqual(PinAggregate.clusters(snap, canvas: pinCanvas, filter: filter, cellPixels: 64, candidates: c),
                               PinAggregate.clusters(snap, canvas: pinCanvas, filter: filter, cellPixels: 64), "\(name) z\(z) clusters")
                XCTAssertEqual(PinAggregate.pins(snap, canvas: pinCanvas, filter: filter, candidates: c),
                               PinAggregate.pins(snap, canvas: pinCanvas, filter: filter), "\(name) z\(z) pins")
            }
        }
        XCTAssertGreaterThan(nonEmpty, 15, "the comparison must cover tiles with data")
    }

    /// The index follows the sorted records: after a merge of the tail or a removal it is rebuilt, not reused.
    func testIndexIsRebuiltWhenSortedRecordsChange() throws {
        var snap = Fixture.snapshot(Array(Self.records.prefix(20_000)))
        let filter = snap.compile(ComplaintFilter(categories: ["park"]))
        let before = try XCTUnwrap(snap.candidates(for: filter))
        XCTAssertTrue(before.positions.allSatisfy { snap.sorted[Int($0)].category == filter.categoryIndex("park", snap) })
        // Replace a park complaint that sits in the sorted part: it leaves `sorted`, positions after it shift.
        let i = try XCTUnwrap(snap.sorted.firstIndex { $0.category == filter.categoryIndex("park", snap) })
        var moved = snap.sorted[i]
        moved.category = 1
        snap = snap.inserting(moved)
        let after = try XCTUnwrap(snap.candidates(for: filter))
        XCTAssertEqual(after.count, before.count - 1)
        XCTAssertTrue(after.positions.allSatisfy { snap.sorted[Int($0)].category == filter.categoryIndex("park", snap) })
        // The updated index (no rebuild after a removal) equals one built from scratch, for every kind of filter.
        let rebuilt = Fixture.snapshot(snap.sorted)
        for (name, f) in filters(snap) {
            XCTAssertEqual(snap.candidates(for: f).map { Array($0.positions) }, rebuilt.candidates(for: f).map { Array($0.positions) }, name)
        }
    }
}

private extension CompiledFilter {
    func categoryIndex(_ code: String, _ snap: ComplaintSnapshot) -> UInt8 { snap.tables.categoryIndex[code]! }
}
