import Foundation

/// The in-memory index of all complaints that tiles and analytics read: 32 bytes a complaint, sorted by Morton
/// key so that any tile (with its buffer) is a few contiguous ranges found by binary search. Immutable: new
/// complaints go into `ComplaintIndex`, which publishes a new snapshot (sorted base + small unsorted tail).
public struct ComplaintSnapshot: Sendable {
    /// Lookup tables the compact records index into.
    public struct Tables: Sendable {
        /// Category codes; index 0 is a placeholder so that a zeroed record is recognisable.
        public var categories: [String]
        /// Mahalle ids; index 0 = unassigned.
        public var mahalle: [Int64]
        /// District names; index 0 = none.
        public var districts: [String]
        public var categoryIndex: [String: UInt8]
        public var mahalleIndex: [Int64: UInt16]
        public var districtIndex: [String: UInt8]

        public init(categories: [String], mahalle: [Int64], districts: [String]) {
            self.categories = ["?"] + categories
            self.mahalle = [0] + mahalle
            self.districts = [""] + districts
            categoryIndex = Dictionary(uniqueKeysWithValues: self.categories.enumerated().dropFirst().map { ($1, UInt8(truncatingIfNeeded: $0)) })
            mahalleIndex = Dictionary(uniqueKeysWithValues: self.mahalle.enumerated().dropFirst().map { ($1, UInt16(truncatingIfNeeded: $0)) })
            districtIndex = Dictionary(uniqueKeysWithValues: self.districts.enumerated().dropFirst().map { ($1, UInt8(truncatingIfNeeded: $0)) })
        }

        /// Adds a category code not seen before (intake may create one); returns its index.
        public mutating func addCategory(_ code: String) -> UInt8 {
            if let i = categoryIndex[code] { return i }
            let i = UInt8(truncatingIfNeeded: categories.count)
            categories.append(code)
            categoryIndex[code] = i
            return i
        }
    }

    public private(set) var tables: Tables
    /// Sorted by `morton`. Any change to it drops the (lazily built) category × month index.
    public private(set) var sorted: [CompactComplaint] { didSet { filterBuckets = FilterBuckets(); dead = DeadPositions() } }
    /// Positions of `sorted` by category and month (see `candidates(for:)`), built on first use.
    private(set) var filterBuckets = FilterBuckets()
    /// Recent inserts, unsorted; merged into `sorted` when it grows past `mergeThreshold`.
    public private(set) var tail: [CompactComplaint]
    /// Positions of `sorted` whose record a newer version in `tail` replaced (a work-flow change). Readers of
    /// `sorted` skip them; the merge drops them. Each comes with its record in `tail`, so there are never more of
    /// them than tail records, and the tail's merge threshold bounds them too.
    public private(set) var dead = DeadPositions()
    public static let mergeThreshold = 8_192

    /// The largest id in `sorted` (an upper bound after removals): a record with a larger id is new, and
    /// `inserting` skips looking for an older copy of it.
    private var maxSortedID: UInt32 = 0

    public init(tables: Tables, records: [CompactComplaint]) {
        self.tables = tables
        var r = records
        r.sort { $0.morton < $1.morton }
        self.sorted = r
        self.tail = []
        maxSortedID = r.reduce(0) { max($0, $1.id) }
        hasStackExcluded = r.contains { $0.flags & CompactComplaint.stackExcluded != 0 }
    }

    /// Whether any record is flagged to stay out of heat maps and hot spots: heat filters exclude flagged records
    /// only then, so a store without stacks keeps the unfiltered fast paths.
    public private(set) var hasStackExcluded = false

    public var count: Int { sorted.count - dead.count + tail.count }

    /// All records in Morton order (the tail merged in).
    public func mergedRecords() -> [CompactComplaint] {
        var s = self
        if !s.tail.isEmpty || !s.dead.isEmpty { s.mergeTail() }
        return s.sorted
    }

    mutating func replaceRecords(sorted records: [CompactComplaint]) {
        sorted = records
        tail = []
        dead = DeadPositions()
        maxSortedID = records.reduce(0) { max($0, $1.id) }
        hasStackExcluded = records.contains { $0.flags & CompactComplaint.stackExcluded != 0 }
    }

    /// Bytes held by the records (not the small tables), for the benchmark's bytes-per-complaint figure.
    public var recordBytes: Int { (sorted.capacity + tail.capacity) * MemoryLayout<CompactComplaint>.stride }

    /// Returns a copy with one more complaint (or a replaced one, matched by id).
    public func inserting(_ c: CompactComplaint, tables newTables: Tables? = nil) -> ComplaintSnapshot {
        var s = self
        if let newTables { s.tables = newTables }
        s.removeInPlace(id: c.id, morton: c.morton)
        s.tail.append(c)
        if s.tail.count >= Self.mergeThreshold { s.mergeTail() }
        return s
    }

    /// Takes the record with `id` out (a complaint deleted in the store by another tool).
    public mutating func remove(id: UInt32) { removeInPlace(id: id) }

    /// Retires the record with `id`, if any: from the tail it is removed, in `sorted` its position is marked dead
    /// (no copy of the sorted records). `morton`: where it probably is (a work-flow change keeps the position),
    /// found by binary search; elsewhere a linear search. A new id (above every sorted id) costs nothing.
    mutating func removeInPlace(id: UInt32, morton: UInt64? = nil) {
        if let i = tail.firstIndex(where: { $0.id == id }) { tail.remove(at: i); return }
        if id > maxSortedID { return }
        var found: Int?
        if let morton {
            var i = lowerBound(morton)
            while i < sorted.count && sorted[i].morton == morton {
                if sorted[i].id == id && !dead.contains(i) { found = i; break }
                i += 1
            }
        }
        if found == nil { found = sorted.indices.first { sorted[$0].id == id && !dead.contains($0) } }
        if let i = found { dead.insert(i, capacity: sorted.count) }
    }

    mutating func mergeTail() {
        var t = tail
        t.sort { $0.morton < $1.morton }
        var merged: [CompactComplaint] = []
        merged.reserveCapacity(sorted.count + t.count)
        var i = 0, j = 0
        let skip = !dead.isEmpty
        while i < sorted.count && j < t.count {
            if skip && dead.contains(i) { i += 1; continue }
            if sorted[i].morton <= t[j].morton { merged.append(sorted[i]); i += 1 } else { merged.append(t[j]); j += 1 }
        }
        if skip {
            for k in i..<sorted.count where !dead.contains(k) { merged.append(sorted[k]) }
        } else {
            merged.append(contentsOf: sorted[i...])
        }
        merged.append(contentsOf: t[j...])
        maxSortedID = max(maxSortedID, t.reduce(0) { max($0, $1.id) })
        sorted = merged
        tail = []
        dead = DeadPositions()
    }

    /// First index in `sorted` whose key is ≥ `key`.
    @inline(__always)
    func lowerBound(_ key: UInt64) -> Int {
        var lo = 0, hi = sorted.count
        sorted.withUnsafeBufferPointer { buf in
            while lo < hi {
                let mid = (lo + hi) >> 1
                if buf[mid].morton < key { lo = mid + 1 } else { hi = mid }
            }
        }
        return lo
    }

    /// Calls `body` with every record inside the fixed-point box [x0, x1] × [y0, y1] (inclusive) that passes
    /// `filter`. The box is covered by Morton ranges of tiles at a zoom chosen so that there are at most a
    /// handful of ranges; records in those ranges but outside the box are skipped.
    public func forEach(inBoxX x0: UInt32, _ x1: UInt32, y y0: UInt32, _ y1: UInt32, filter: CompiledFilter,
                        _ body: (CompactComplaint) -> Void) {
        // Pick the zoom where the box spans at most 3×3 tiles.
        let w = UInt64(x1 - x0) + 1, h = UInt64(y1 - y0) + 1
        let span = max(w, h)
        var z = 0
        while z < 31 && (UInt64(1) << UInt64(32 - (z + 1))) >= span { z += 1 }
        let shift = UInt32(32 - z)
        let tx0 = z == 0 ? 0 : x0 >> shift, tx1 = z == 0 ? 0 : x1 >> shift
        let ty0 = z == 0 ? 0 : y0 >> shift, ty1 = z == 0 ? 0 : y1 >> shift
        sorted.withUnsafeBufferPointer { buf in
            for ty in ty0...ty1 {
                for tx in tx0...tx1 {
                    let range = Morton.tileRange(z: z, x: tx, y: ty)
                    var i = lowerBound(range.lowerBound)
                    while i < buf.count {
                        let r = buf[i]
                        if r.morton > range.upperBound { break }
                        if r.x >= x0 && r.x <= x1 && r.y >= y0 && r.y <= y1 && filter.matches(r) && !dead.contains(i) { body(r) }
                        i += 1
                    }
                }
            }
        }
        for r in tail where r.x >= x0 && r.x <= x1 && r.y >= y0 && r.y <= y1 && filter.matches(r) { body(r) }
    }

    /// Calls `body` with every record that passes `filter`, in storage order.
    public func forEach(filter: CompiledFilter, _ body: (CompactComplaint) -> Void) {
        sorted.withUnsafeBufferPointer { buf in
            if dead.isEmpty {
                for r in buf where filter.matches(r) { body(r) }
            } else {
                for i in buf.indices where filter.matches(buf[i]) && !dead.contains(i) { body(buf[i]) }
            }
        }
        for r in tail where filter.matches(r) { body(r) }
    }

    /// Compiles a filter against this snapshot's tables. `mahalleLookup` resolves a mahalle id/code/name to ids.
    public func compile(_ f: ComplaintFilter, mahalleLookup: (String) -> [Int64] = { _ in [] },
                        districtOfName: (String) -> String? = { $0 }) -> CompiledFilter {
        var c = CompiledFilter()
        if let cats = f.categories {
            c.categoryAllowed = [Bool](repeating: false, count: 256)
            for code in cats { if let i = tables.categoryIndex[code] { c.categoryAllowed![Int(i)] = true } }
        }
        if let s = f.statuses { c.statusMask = s.reduce(0) { $0 | (1 << UInt32(CompiledFilter.statusCode($1))) } }
        if let s = f.channels { c.channelMask = s.reduce(0) { $0 | (1 << UInt32(CompiledFilter.channelCode($1))) } }
        if let s = f.types { c.typeMask = s.reduce(0) { $0 | (1 << UInt32(CompiledFilter.typeCode($1))) } }
        if f.excludeStacks { c.excludeFlags = CompactComplaint.stackExcluded }
        if let p = f.period {
            c.createdFrom = p.start <= CompactComplaint.epoch2000 ? 0 : CompactComplaint.seconds2000(unix: p.start)
            c.createdTo = p.end >= CompactComplaint.epoch2000 + Int64(UInt32.max) ? UInt32.max : CompactComplaint.seconds2000(unix: p.end)
        }
        if let ds = f.districts {
            c.districtAllowed = [Bool](repeating: false, count: 256)
            let wanted = Set(ds.map(TurkishText.foldKey))
            for (i, name) in tables.districts.enumerated() where i > 0 && wanted.contains(TurkishText.foldKey(name)) {
                c.districtAllowed![i] = true
            }
        }
        if let ms = f.mahalle {
            c.mahalleAllowed = [Bool](repeating: false, count: tables.mahalle.count)
            for key in ms {
                for id in mahalleLookup(key) { if let i = tables.mahalleIndex[id] { c.mahalleAllowed![Int(i)] = true } }
            }
        }
        return c
    }
}

/// A `ComplaintFilter` turned into table lookups and bit masks for the hot loops.
public struct CompiledFilter: Sendable {
    public var categoryAllowed: [Bool]?
    public var statusMask: UInt32 = .max
    public var channelMask: UInt32 = .max
    public var typeMask: UInt32 = .max
    /// [createdFrom, createdTo) in seconds since 2000.
    public var createdFrom: UInt32 = 0
    public var createdTo: UInt32 = .max
    public var districtAllowed: [Bool]?
    public var mahalleAllowed: [Bool]?
    /// Records with any of these flags are left out (heat maps and hot spots leave out flagged stacks).
    public var excludeFlags: UInt8 = 0

    public init() {}

    public var isAll: Bool {
        categoryAllowed == nil && statusMask == .max && channelMask == .max && typeMask == .max && createdFrom == 0
            && createdTo == .max && districtAllowed == nil && mahalleAllowed == nil && excludeFlags == 0
    }

    @inlinable
    public func matches(_ r: CompactComplaint) -> Bool {
        if r.created < createdFrom || r.created >= createdTo { return false }
        if statusMask & (1 << UInt32(r.status)) == 0 { return false }
        if channelMask & (1 << UInt32(r.channel)) == 0 { return false }
        if typeMask & (1 << UInt32(r.type)) == 0 { return false }
        if r.flags & excludeFlags != 0 { return false }
        if let a = categoryAllowed, !a[Int(r.category)] { return false }
        if let a = districtAllowed, !a[Int(r.district)] { return false }
        if let a = mahalleAllowed, Int(r.mahalle) >= a.count || !a[Int(r.mahalle)] { return false }
        return true
    }

    public static func statusCode(_ s: ComplaintStatus) -> UInt8 { UInt8(ComplaintStatus.allCases.firstIndex(of: s)!) }
    public static func channelCode(_ c: Channel) -> UInt8 { UInt8(Channel.allCases.firstIndex(of: c)!) }
    public static func typeCode(_ t: ComplaintType) -> UInt8 { UInt8(ComplaintType.allCases.firstIndex(of: t)!) }
    public static func status(code: UInt8) -> ComplaintStatus { ComplaintStatus.allCases[Int(code)] }
    public static func channel(code: UInt8) -> Channel { Channel.allCases[Int(code)] }
    public static func type(code: UInt8) -> ComplaintType { ComplaintType.allCases[Int(code)] }
}
