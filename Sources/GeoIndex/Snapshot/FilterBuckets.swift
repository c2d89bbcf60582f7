import Foundation

/// A secondary index of a snapshot's sorted records by (category, local month): for each bucket, the positions
/// in `sorted` of its records, ascending, so still in Morton order. The viewer's filters are a category and a
/// month; with this index a filtered heat scale or a filtered low-zoom tile reads the ~1/200 of the records its
/// buckets hold instead of all of them.
///
/// Built lazily, once per `sorted` array (a counting sort: two linear passes), the first time a narrowing filter
/// asks; a snapshot that only gains tail records or dead positions (work-flow changes) keeps it:
/// positions never move. Dead positions stay listed; readers skip them. Thread-safe: the first caller builds, the others wait.
public final class FilterBuckets: @unchecked Sendable {
    struct Built {
        /// Positions in `sorted`, grouped by bucket; within a bucket ascending.
        var positions: [UInt32]
        /// Bucket b holds positions[starts[b] ..< starts[b + 1]].
        var starts: [Int]
        /// Earliest and latest `created` in each bucket (for time filters that cut inside a month).
        var minCreated: [UInt32]
        var maxCreated: [UInt32]
        var firstMonth: Int
        var months: Int
        var categories: Int

        @inline(__always)
        func bucket(of r: CompactComplaint) -> Int { FilterBuckets.bucket(of: r, months: months, firstMonth: firstMonth) }
    }

    /// The bucket of a record: category-major, then month (category only when the index has one month slot).
    @inline(__always)
    static func bucket(of r: CompactComplaint, months: Int, firstMonth: Int) -> Int {
        months == 1 ? Int(r.category) : Int(r.category) * months + (Int(r.month) - firstMonth)
    }

    private let lock = NSLock()
    private var built: Built?

    init() {}

    /// Buckets are at most this many (categories × months); beyond it the index buckets by category only.
    static let maxBuckets = 1 << 16

    func index(_ sorted: [CompactComplaint]) -> Built {
        lock.withLock {
            if let built { return built }
            let b = Self.build(sorted)
            built = b
            return b
        }
    }

    static func build(_ sorted: [CompactComplaint]) -> Built {
        var lo = Int.max, hi = Int.min, maxCat = 0
        for r in sorted {
            lo = min(lo, Int(r.month)); hi = max(hi, Int(r.month)); maxCat = max(maxCat, Int(r.category))
        }
        let categories = maxCat + 1
        var firstMonth = sorted.isEmpty ? 0 : lo
        var months = sorted.isEmpty ? 1 : hi - lo + 1
        if categories * months > maxBuckets { firstMonth = 0; months = 1 }
        let n = categories * months
        @inline(__always) func bucket(_ r: CompactComplaint) -> Int { Self.bucket(of: r, months: months, firstMonth: firstMonth) }
        var counts = [Int](repeating: 0, count: n + 1)
        var minCreated = [UInt32](repeating: .max, count: n), maxCreated = [UInt32](repeating: 0, count: n)
        for r in sorted {
            let b = bucket(r)
            counts[b + 1] += 1
            minCreated[b] = min(minCreated[b], r.created); maxCreated[b] = max(maxCreated[b], r.created)
        }
        for b in 0..<n { counts[b + 1] += counts[b] }
        let starts = counts
        var next = counts
        var positions = [UInt32](repeating: 0, count: sorted.count)
        positions.withUnsafeMutableBufferPointer { out in
            sorted.withUnsafeBufferPointer { buf in
                for i in 0..<buf.count {
                    let b = bucket(buf[i])
                    out[next[b]] = UInt32(i)
                    next[b] += 1
                }
            }
        }
        return Built(positions: positions, starts: starts, minCreated: minCreated, maxCreated: maxCreated,
                     firstMonth: firstMonth, months: months, categories: categories)
    }
}

/// Positions in `sorted` (ascending) of the records whose category and time can pass a filter. Every record the
/// filter keeps is among them; callers still apply the filter to each.
public struct CandidatePositions: Sendable {
    public let positions: ArraySlice<UInt32>
    public var count: Int { positions.count }
}

extension ComplaintSnapshot {
    /// The sorted records a filter can keep, by category and time, or nil when the filter does not narrow them
    /// enough for the list to beat a plain pass (no category or time condition, or more than a quarter of the
    /// records). The tail is not covered: callers visit it as before.
    public func candidates(for filter: CompiledFilter) -> CandidatePositions? {
        if filter.categoryAllowed == nil && filter.createdFrom == 0 && filter.createdTo == .max { return nil }
        if sorted.count < 4096 { return nil }
        let ix = filterBuckets.index(sorted)
        var chosen: [Int] = []
        var total = 0
        for c in 0..<ix.categories {
            if let allowed = filter.categoryAllowed, !(c < allowed.count && allowed[c]) { continue }
            for m in 0..<ix.months {
                let b = c * ix.months + m
                let size = ix.starts[b + 1] - ix.starts[b]
                if size == 0 || ix.maxCreated[b] < filter.createdFrom || ix.minCreated[b] >= filter.createdTo { continue }
                chosen.append(b)
                total += size
            }
        }
        if total > sorted.count / 4 { return nil }
        if chosen.count == 1 { return CandidatePositions(positions: ix.positions[ix.starts[chosen[0]]..<ix.starts[chosen[0] + 1]]) }
        if total == 0 { return CandidatePositions(positions: []) }
        // Several buckets: union through a bitmap over `sorted`, read back in ascending order.
        let words = (sorted.count + 63) >> 6
        var bits = [UInt64](repeating: 0, count: words)
        bits.withUnsafeMutableBufferPointer { bp in
            ix.positions.withUnsafeBufferPointer { p in
                for b in chosen {
                    for k in ix.starts[b]..<ix.starts[b + 1] {
                        let i = Int(p[k])
                        bp[i >> 6] |= 1 << UInt64(i & 63)
                    }
                }
            }
        }
        var out = [UInt32](repeating: 0, count: total)
        out.withUnsafeMutableBufferPointer { o in
            var k = 0
            for w in 0..<words {
                var v = bits[w]
                while v != 0 {
                    o[k] = UInt32(w << 6 | v.trailingZeroBitCount)
                    k += 1
                    v &= v - 1
                }
            }
        }
        return CandidatePositions(positions: out[...])
    }
}
