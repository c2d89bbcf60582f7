import Foundation
import GeoIndex

/// The integer tallies a needs report is built from, filled by one pass over the snapshot's records: flat
/// mahalle × category counter arrays and packed (category, seconds) keys for the duration quantiles. No
/// dictionaries, strings or allocations per record.
struct NeedsCounts {
    let mahalleCount: Int
    let categoryCount: Int
    /// [mahalle * categoryCount + category], complaints created in each window.
    var current: [Int32]
    var previous: [Int32]
    var yearEarlier: [Int32]
    /// Unassigned complaints created in the current window, by category.
    var unassigned: [Int32]
    /// Complaints created in the current window by channel code (`Channel.allCases` order).
    var channels: [Int32]
    /// Per category, complaints created in the current window.
    var satisfactionSum: [Int32]
    var satisfactionCount: [Int32]
    var slaMet: [Int32]
    var slaMissed: [Int32]
    var slaPending: [Int32]
    /// Open complaints at the backlog instant, per mahalle.
    var backlogByMahalle: [Int32]
    /// category << 32 | resolution seconds, for complaints resolved in the current window.
    var resolved: [UInt64]
    /// category << 32 | age in seconds at the backlog instant, for complaints open then.
    var backlogAges: [UInt64]
    /// Complaints in scope (any category) created in each comparison window: zero means "no data".
    var previousTotal = 0
    var yearEarlierTotal = 0

    init(mahalle m: Int, categories k: Int) {
        mahalleCount = m; categoryCount = k
        current = Array(repeating: 0, count: m * k)
        previous = current; yearEarlier = current
        unassigned = Array(repeating: 0, count: k)
        channels = Array(repeating: 0, count: Channel.allCases.count)
        satisfactionSum = unassigned; satisfactionCount = unassigned
        slaMet = unassigned; slaMissed = unassigned; slaPending = unassigned
        backlogByMahalle = Array(repeating: 0, count: m)
        resolved = []; backlogAges = []
    }

    /// The latest creation or resolution time in the snapshot, in Unix seconds (nil when empty).
    static func horizon(_ snapshot: ComplaintSnapshot) -> Int64? {
        var latest: UInt32 = 0
        let dead = snapshot.dead
        for (i, r) in snapshot.sorted.enumerated() where dead.isEmpty || !dead.contains(i) { latest = max(latest, r.created, r.resolved) }
        for r in snapshot.tail { latest = max(latest, r.created, r.resolved) }
        return snapshot.count > 0 ? Int64(latest) + CompactComplaint.epoch2000 : nil
    }

    /// One pass over all records.
    /// - Parameters:
    ///   - backlogAt: the instant (seconds since 2000) at which the open backlog is taken.
    ///   - asOf: "now" (seconds since 2000) for judging still-open complaints against their SLA.
    ///   - slaSeconds: the resolution target per category.
    static func count(_ snapshot: ComplaintSnapshot, scope: NeedsScope, current cur: Window, previous prev: Window,
                      yearEarlier yoy: Window, backlogAt: UInt32, asOf: UInt32, slaSeconds: [UInt32],
                      filter: CompiledFilter?) -> NeedsCounts {
        let K = scope.categories.count
        var c = NeedsCounts(mahalle: scope.mahalle.count, categories: K)
        let slotOf = scope.slotOfMahalleIndex, catOf = scope.categoryOfIndex, districtCounts = scope.districtCounts
        let openMask: UInt32 = (1 << UInt32(CompiledFilter.statusCode(.open)))
            | (1 << UInt32(CompiledFilter.statusCode(.assigned))) | (1 << UInt32(CompiledFilter.statusCode(.inProgress)))
        // Local arrays (not fields of `c`) so the loop holds no overlapping access to one struct.
        var current = c.current, previous = c.previous, yearEarlier = c.yearEarlier, unassigned = c.unassigned
        var channels = c.channels, satisfactionSum = c.satisfactionSum, satisfactionCount = c.satisfactionCount
        var slaMet = c.slaMet, slaMissed = c.slaMissed, slaPending = c.slaPending, backlogByMahalle = c.backlogByMahalle
        var resolved: [UInt64] = [], backlogAges: [UInt64] = []
        var previousTotal = 0, yearEarlierTotal = 0
        let channelCount = channels.count

        // Plain loops over the two record arrays (no closure: the counters stay unboxed locals).
        let dead = snapshot.dead
        for part in 0..<2 {
            let records = part == 0 ? snapshot.sorted : snapshot.tail
            let skipDead = part == 0 && !dead.isEmpty
            for (i, r) in records.enumerated() {
                if skipDead && dead.contains(i) { continue }  // replaced by a newer version in the tail
                // Time tests first: most records (other months, long resolved) touch no counter.
                let created = r.created, resolvedAt = r.resolved
                let inCurrent = cur.contains(created), inPrevious = prev.contains(created), inYear = yoy.contains(created)
                let resolvedInCurrent = resolvedAt != 0 && cur.contains(resolvedAt)
                let maybeOpen = created < backlogAt && (resolvedAt == 0 || resolvedAt > backlogAt)
                if !(inCurrent || inPrevious || inYear || resolvedInCurrent || maybeOpen) { continue }
                let mi = Int(r.mahalle), ci = Int(r.category)
                guard mi < slotOf.count, ci < catOf.count else { continue }
                let k = Int(catOf[ci])
                if k < 0 { continue }
                if let filter, !filter.matches(r) { continue }
                let slot = Int(slotOf[mi])
                if slot < 0 {
                    if mi == 0 && inCurrent && Int(r.district) < districtCounts.count && districtCounts[Int(r.district)] {
                        unassigned[k] &+= 1
                    }
                    continue
                }
                let cell = slot &* K &+ k
                let isOpen = openMask & (1 << UInt32(r.status & 31)) != 0
                if inCurrent {
                    current[cell] &+= 1
                    if Int(r.channel) < channelCount { channels[Int(r.channel)] &+= 1 }
                    if r.satisfaction > 0 {
                        satisfactionSum[k] &+= Int32(r.satisfaction); satisfactionCount[k] &+= 1
                    }
                    let target = slaSeconds[k]
                    if resolvedAt != 0 {
                        let took = resolvedAt > created ? resolvedAt - created : 0
                        if took <= target { slaMet[k] &+= 1 } else { slaMissed[k] &+= 1 }
                    } else if isOpen {
                        if asOf > created && asOf - created > target { slaMissed[k] &+= 1 } else { slaPending[k] &+= 1 }
                    }
                }
                if inPrevious { previous[cell] &+= 1; previousTotal &+= 1 }
                if inYear { yearEarlier[cell] &+= 1; yearEarlierTotal &+= 1 }
                if resolvedInCurrent {
                    let took = resolvedAt > created ? resolvedAt - created : 0
                    resolved.append(UInt64(k) << 32 | UInt64(took))
                }
                if maybeOpen && (resolvedAt != 0 || isOpen) {
                    backlogAges.append(UInt64(k) << 32 | UInt64(backlogAt - created))
                    backlogByMahalle[slot] &+= 1
                }
            }
        }
        resolved.sort()
        backlogAges.sort()
        c.current = current; c.previous = previous; c.yearEarlier = yearEarlier; c.unassigned = unassigned
        c.channels = channels; c.satisfactionSum = satisfactionSum; c.satisfactionCount = satisfactionCount
        c.slaMet = slaMet; c.slaMissed = slaMissed; c.slaPending = slaPending; c.backlogByMahalle = backlogByMahalle
        c.resolved = resolved; c.backlogAges = backlogAges
        c.previousTotal = previousTotal
        c.yearEarlierTotal = yearEarlierTotal
        return c
    }

    /// The sorted seconds of one category from a sorted packed key array.
    static func slice(_ keys: [UInt64], category k: Int) -> [UInt32] {
        let lo = lowerBound(keys, UInt64(k) << 32), hi = lowerBound(keys, UInt64(k + 1) << 32)
        return keys[lo..<hi].map { UInt32(truncatingIfNeeded: $0) }
    }

    static func lowerBound(_ keys: [UInt64], _ key: UInt64) -> Int {
        var lo = 0, hi = keys.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if keys[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
