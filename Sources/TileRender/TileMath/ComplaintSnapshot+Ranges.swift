import Foundation
import GeoIndex

extension ComplaintSnapshot {
    /// Index ranges of `sorted` whose records may lie in the fixed-point box [x0, x1] × [y0, y1] (inclusive), in
    /// ascending order. The box is covered by Morton ranges of cells at a zoom where it spans about 4–8 cells a side
    /// (adjacent ranges merged), so a scan reads few records outside the box. Callers still test each record
    /// against the box, and must visit `tail` (recent, unsorted inserts) themselves.
    func sortedRanges(inBoxX x0: UInt32, _ x1: UInt32, y y0: UInt32, _ y1: UInt32) -> [Range<Int>] {
        let merged = Self.mortonRanges(inBoxX: x0, x1, y: y0, y1)
        return sorted.withUnsafeBufferPointer { buf in Self.positions(of: merged, count: buf.count) { buf[$0].morton } }
    }

    /// Index ranges of a sorted array of Morton keys (a filter's keys) whose points may lie in the box: the same
    /// cover as `sortedRanges`, over 8-byte keys instead of 32-byte records.
    static func keyRanges(_ keys: UnsafeBufferPointer<UInt64>, inBoxX x0: UInt32, _ x1: UInt32, y y0: UInt32, _ y1: UInt32) -> [Range<Int>] {
        positions(of: mortonRanges(inBoxX: x0, x1, y: y0, y1), count: keys.count) { keys[$0] }
    }

    /// Where ascending Morton key ranges fall in a sorted sequence of `count` keys (`key(i)` is the i-th): one
    /// index range per key range that holds any, each found by binary search from the end of the one before.
    @inline(__always)
    static func positions(of merged: [(UInt64, UInt64)], count: Int, key: (Int) -> UInt64) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(merged.count)
        var start = 0
        func lowerBound(_ k: UInt64, from: Int) -> Int {
            var a = from, b = count
            while a < b {
                let m = (a + b) >> 1
                if key(m) < k { a = m + 1 } else { b = m }
            }
            return a
        }
        for (lo, hi) in merged {
            let a = lowerBound(lo, from: start)
            let b = hi == .max ? count : lowerBound(hi &+ 1, from: a)
            if a < b { out.append(a..<b) }
            start = b
        }
        return out
    }

    /// Morton key ranges [lo, hi] covering the box, ascending, adjacent ones merged.
    static func mortonRanges(inBoxX x0: UInt32, _ x1: UInt32, y y0: UInt32, _ y1: UInt32) -> [(UInt64, UInt64)] {
        let span = max(UInt64(x1 - x0), UInt64(y1 - y0)) + 1
        var z = 0
        while z < 30 && (UInt64(1) << UInt64(32 - (z + 1))) * 4 >= span { z += 1 }
        let shift = UInt32(32 - z)
        let cx0 = z == 0 ? 0 : x0 >> shift, cx1 = z == 0 ? 0 : x1 >> shift
        let cy0 = z == 0 ? 0 : y0 >> shift, cy1 = z == 0 ? 0 : y1 >> shift
        var keys: [(UInt64, UInt64)] = []
        keys.reserveCapacity(Int((cx1 - cx0 + 1) * (cy1 - cy0 + 1)))
        for cy in cy0...cy1 {
            for cx in cx0...cx1 {
                let r = Morton.tileRange(z: z, x: cx, y: cy)
                keys.append((r.lowerBound, r.upperBound))
            }
        }
        keys.sort { $0.0 < $1.0 }
        var merged: [(UInt64, UInt64)] = []
        merged.reserveCapacity(keys.count)
        for r in keys {
            if let last = merged.last, last.1 &+ 1 == r.0 { merged[merged.count - 1].1 = r.1 } else { merged.append(r) }
        }
        return merged
    }

    /// Visits the live positions of `sorted` in `ranges` (ascending; dead ones, replaced by a newer version in the
    /// tail, skipped): every one, or, when `candidates` (a filter's category × month positions) are fewer than the
    /// ranges hold, only the candidates inside them.
    @inline(__always)
    func forEachPosition(in ranges: [Range<Int>], candidates: CandidatePositions?, _ body: (Int) -> Void) {
        if dead.isEmpty {
            forEachPositionIncludingDead(in: ranges, candidates: candidates, body)
        } else {
            let dead = dead
            forEachPositionIncludingDead(in: ranges, candidates: candidates) { if !dead.contains($0) { body($0) } }
        }
    }

    @inline(__always)
    private func forEachPositionIncludingDead(in ranges: [Range<Int>], candidates: CandidatePositions?, _ body: (Int) -> Void) {
        if let candidates {
            let inRanges = ranges.reduce(0) { $0 + $1.count }
            if candidates.count < inRanges {
                candidates.positions.withUnsafeBufferPointer { p in
                    var start = 0
                    for range in ranges {
                        var a = start, b = p.count
                        while a < b {
                            let m = (a + b) >> 1
                            if Int(p[m]) < range.lowerBound { a = m + 1 } else { b = m }
                        }
                        while a < p.count && Int(p[a]) < range.upperBound { body(Int(p[a])); a += 1 }
                        start = a
                    }
                }
                return
            }
        }
        for range in ranges { for i in range { body(i) } }
    }

    /// Visits every record inside the box that passes `filter` (sorted ranges, then the tail). `candidates`, when
    /// given, are the filter's `candidates(for:)`.
    @inline(__always)
    func forEachRecord(inBoxX x0: UInt32, _ x1: UInt32, y y0: UInt32, _ y1: UInt32, filter: CompiledFilter,
                       candidates: CandidatePositions? = nil, _ body: (CompactComplaint) -> Void) {
        let all = filter.isAll
        let ranges = sortedRanges(inBoxX: x0, x1, y: y0, y1)
        sorted.withUnsafeBufferPointer { buf in
            forEachPosition(in: ranges, candidates: candidates) { i in
                let r = buf[i]
                if r.x >= x0 && r.x <= x1 && r.y >= y0 && r.y <= y1 && (all || filter.matches(r)) { body(r) }
            }
        }
        for r in tail where r.x >= x0 && r.x <= x1 && r.y >= y0 && r.y <= y1 && (all || filter.matches(r)) { body(r) }
    }
}
