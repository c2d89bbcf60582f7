import Foundation
import GeoIndex
import XCTest
@testable import TileRender

/// The category × month index (`ComplaintSnapshot.candidates(for:)`) is a shortcut only: every count, scale and
/// pin it feeds must equal the plain pass over all records, for narrowing filters of every shape, with a tail of
/// recent inserts and after a record moved out of the sorted part.
final class FilterBucketsTests: XCTestCase {
    static let records = Fixture.clustered(40_000, seed: 11)

    /// 6 categories × 12 months of 2024, a tail of recent inserts, and 60 sorted records replaced by newer versions
    /// (work-flow changes: new status; a few also a new category): their old positions are dead, the new ones in
    /// the tail; one of them replaced twice.
    func snapshot() -> ComplaintSnapshot {
        var snap = Fixture.snapshot(Array(Self.records.dropLast(300)))
        for r in Self.records.suffix(300) { snap = snap.inserting(r) }
        for k in 0..<60 {
            var moved = Self.records[1234 + 397 * k]
            moved.status = CompiledFilter.statusCode(k % 2 == 0 ? .resolved : .inProgress)
            if k % 7 == 0 { moved.category = 1 + moved.category % 6 }
            snap = snap.inserting(moved)
        }
        var twice = Self.records[1234]
        twice.status = CompiledFilter.statusCode(.closed)
        return snap.inserting(twice)
    }

    /// The same complaints in a snapshot built from scratch: no tail, nothing dead.
    func clean(_ snap: ComplaintSnapshot) -> ComplaintSnapshot { Fixture.snapshot(snap.mergedRecords()) }

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

    /// A replaced sorted record is marked dead, not removed: the sorted records are not copied, positions do not
    /// move, so the index is kept as it was; the merge drops the dead ones and the index is rebuilt.
    func testMortonKeysRoundTrip() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let x = UInt32.random(in: .min ... .max, using: &rng), y = UInt32.random(in: .min ... .max, using: &rng)
            let (dx, dy) = Morton.deinterleave(Morton.interleave(x, y))
            XCTAssertEqual(dx, x); XCTAssertEqual(dy, y)
        }
        XCTAssertTrue(Morton.deinterleave(Morton.interleave(.max, 0)) == (.max, 0))
        XCTAssertTrue(Morton.deinterleave(Morton.interleave(0, .max)) == (0, .max))
    }

    func testReplacingASortedRecordMarksItDeadAndKeepsTheIndex() throws {
        var snap = Fixture.snapshot(Array(Self.records.prefix(20_000)))
        let filter = snap.compile(ComplaintFilter(categories: ["park"]))
        let park = snap.tables.categoryIndex["park"]!
        let before = try XCTUnwrap(snap.candidates(for: filter))
        let sortedBefore = snap.sorted
        let i = try XCTUnwrap(snap.sorted.firstIndex { $0.category == park })
        var moved = snap.sorted[i]
        moved.category = 1
        snap = snap.inserting(moved)
        XCTAssertEqual(snap.sorted, sortedBefore, "the sorted records are untouched")
        XCTAssertEqual(snap.dead.count, 1)
        XCTAssertTrue(snap.dead.contains(i))
        XCTAssertEqual(snap.count, 20_000)
        XCTAssertEqual(snap.tail, [moved])
        XCTAssertEqual(Array(try XCTUnwrap(snap.candidates(for: filter)).positions), Array(before.positions), "index kept")
        var parks = 0
        snap.forEach(filter: filter) { _ in parks += 1 }
        XCTAssertEqual(parks, before.count - 1, "the dead record is not visited")
        // Replacing it again replaces the tail copy; nothing more dies.
        moved.category = 2
        snap = snap.inserting(moved)
        XCTAssertEqual(snap.dead.count, 1)
        XCTAssertEqual(snap.tail, [moved])
        // The merge drops the dead position; the index built after it equals a clean snapshot's.
        let merged = Fixture.snapshot(snap.mergedRecords())
        XCTAssertEqual(merged.count, 20_000)
        XCTAssertTrue(merged.dead.isEmpty)
        XCTAssertEqual(merged.sorted.filter { $0.id == moved.id }, [moved])
        for (name, f) in filters(snap) {
            XCTAssertEqual(merged.candidates(for: f).map { Array($0.positions) }, clean(snap).candidates(for: f).map { Array($0.positions) }, name)
        }
    }

    /// Every reader skips dead positions: counts, scales, pins and records equal those of the same complaints in a
    /// snapshot built from scratch (a dead record counted would double a changed complaint, or keep its old status).
    func testDeadPositionsAreSkippedByEveryReader() throws {
        let snap = snapshot()
        XCTAssertEqual(snap.dead.count, 60)
        let ref = clean(snap)
        XCTAssertEqual(snap.count, ref.count)
        let kernel = HeatKernel(radius: 6)
        var statusFilters = filters(snap)
        statusFilters.append(("all", CompiledFilter()))
        statusFilters.append(("resolved", snap.compile(ComplaintFilter(statuses: [.resolved]))))
        statusFilters.append(("open, one category", snap.compile(ComplaintFilter(categories: ["park"], statuses: [.open]))))
        var compared = 0
        for (name, filter) in statusFilters {
            var ids: [UInt32] = [], refIDs: [UInt32] = []
            snap.forEach(filter: filter) { ids.append($0.id) }
            ref.forEach(filter: filter) { refIDs.append($0.id) }
            XCTAssertEqual(ids.sorted(), refIDs.sorted(), "\(name): forEach")
            XCTAssertEqual(HeatScaleEstimator.densestCellsAllZooms(snap, filter: filter, cellPixels: 16),
                           HeatScaleEstimator.densestCellsAllZooms(ref, filter: filter, cellPixels: 16), "\(name): scales")
            for z in [10, 13, 16] {
                XCTAssertEqual(HeatScaleEstimator.densestCell(snap, filter: filter, zoom: z, cellPixels: 16),
                               HeatScaleEstimator.densestCell(ref, filter: filter, zoom: z, cellPixels: 16), "\(name) z\(z): scale pass")
            }
            for z in [10, 12, 14, 16] {
                let t = Fixture.centerTile(z)
                let canvas = HeatAggregate.canvas(tile: t, size: 256, kernel: kernel, cellPixels: 2)
                let a = HeatAggregate.counts(snap, canvas: canvas, cellPixels: 2, filter: filter, candidates: snap.candidates(for: filter))
                let b = HeatAggregate.counts(ref, canvas: canvas, cellPixels: 2, filter: filter)
                XCTAssertTrue(a.counts == b.counts, "\(name) z\(z): counts differ")
                XCTAssertEqual(a.total, b.total, "\(name) z\(z)")
                // What heat tiles are drawn from: the filter's sorted Morton keys (tail merged, dead left out).
                let keys = HeatScaleEstimator.filteredKeys(snap, filter: filter, mahalleIndex: nil, candidates: snap.candidates(for: filter))
                let k = HeatAggregate.counts(keys: keys, canvas: canvas, cellPixels: 2)
                XCTAssertTrue(k.counts == b.counts, "\(name) z\(z): counts from keys differ")
                XCTAssertEqual(k.total, b.total, "\(name) z\(z): total from keys")
                XCTAssertEqual(Set(k.occupied), Set(b.occupied), "\(name) z\(z): occupied cells from keys")
                let pinCanvas = TileCanvas(tile: t, size: 256, buffer: 64)
                // As multisets: a changed complaint is drawn from the tail, elsewhere in the list than in `ref`.
                func marks(_ m: [PinMark]) -> [String] { m.map { "\($0.x) \($0.y) \($0.kind)" }.sorted() }
                XCTAssertEqual(marks(PinAggregate.pins(snap, canvas: pinCanvas, filter: filter, candidates: snap.candidates(for: filter))),
                               marks(PinAggregate.pins(ref, canvas: pinCanvas, filter: filter)), "\(name) z\(z) pins")
                XCTAssertEqual(marks(PinAggregate.clusters(snap, canvas: pinCanvas, filter: filter, cellPixels: 64)),
                               marks(PinAggregate.clusters(ref, canvas: pinCanvas, filter: filter, cellPixels: 64)), "\(name) z\(z) clusters")
                if b.total > 0 { compared += 1 }
            }
        }
        XCTAssertGreaterThan(compared, 20, "the comparison must cover tiles with data")
        // The changed complaints are there once, with their new status.
        var seen: [UInt32: UInt8] = [:]
        snap.forEach(filter: CompiledFilter()) { r in
            XCTAssertNil(seen[r.id], "complaint \(r.id) visited twice")
            seen[r.id] = r.status
        }
        XCTAssertEqual(seen[Self.records[1234].id], CompiledFilter.statusCode(.closed))
    }
}

private extension CompiledFilter {
    func categoryIndex(_ code: String, _ snap: ComplaintSnapshot) -> UInt8 { snap.tables.categoryIndex[code]! }
}
