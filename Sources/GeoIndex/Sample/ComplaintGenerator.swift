import Foundation

/// Synthetic complaints for a set of mahalle, for the demo, the tests and the benchmarks. Deterministic: the
/// same mahalle, categories and options give the same complaints, on every machine (SplitMix64, no system
/// randomness; complaint `i` depends only on the seed, `i` and its creation time, so it can be made on any
/// thread).
///
/// The mix is meant to look like a Turkish belediye's Beyaz Masa year:
/// - places: mahalle picked in proportion to population; inside one, a share spread evenly and the rest
///   clustered around a few hot spots; `outsideShare` just outside every mahalle (unassigned);
/// - categories: a base share per category, tilted per mahalle by how urban it is (dense centre: cleaning,
///   waste, noise, zabıta; thin edges: roads, lighting, water, animals) with some noise, and a few mahalle
///   clearly over-represented in one category (`planted`), for the needs analysis to find;
/// - seasons: snow, chimney smoke and potholes in winter; parks, water, noise, animals and pests in summer;
///   more on weekdays and in working hours (Europe/Istanbul), less on public holidays;
/// - channels (phone ≈ 45%), types (mostly şikayet), statuses and resolution times by department (cleaning in
///   hours, Fen İşleri in days to weeks, imar in weeks), a few rejected, recent ones still open;
/// - a short Turkish description, a satisfaction score for part of the resolved ones, and a fake contact for
///   some (personal data in a real store: kept private).
public struct ComplaintGenerator: Sendable {
    public struct Options: Sendable {
        /// How many complaints to make.
        public var count = 100_000
        /// The Istanbul calendar year they are spread over.
        public var year = 2024
        /// Same seed, same complaints.
        public var seed: UInt64 = 1
        /// "Today", for statuses: older complaints are mostly resolved or closed, recent ones open. No complaint
        /// is made after it. Nil: the end of `year`.
        public var now: Date? = nil
        /// Share of points just outside every mahalle, so imports exercise "unassigned".
        public var outsideShare = 0.005
        /// Share of a mahalle's points spread evenly over it; the rest cluster around its hot spots.
        public var backgroundShare = 0.35
        /// Hot spots per mahalle (a market, a school, a busy junction): 1 up to this many.
        public var maxHotSpots = 4
        /// How many mahalle get one category clearly over-represented (fewer when there are few mahalle).
        public var plantedMahalle = 3
        /// How much more often a planted mahalle reports its category than it otherwise would.
        public var plantedFactor = 4.0
        /// Share of complaints with a free-text description.
        public var descriptionShare = 0.85
        /// Share with a (fake) contact name and phone; a third of those also with an e-mail address.
        public var contactShare = 0.3
        /// Share of resolved or closed complaints whose citizen gave a 1–5 satisfaction score.
        public var satisfactionShare = 0.35
        public init() {}
    }

    /// A mahalle whose share of one category was multiplied on purpose.
    public struct Planted: Hashable, Sendable {
        public var mahalleID: Int64
        public var mahalleName: String
        public var category: String
        public var factor: Double
    }

    public let options: Options
    public let mahalle: [Mahalle]
    public let categories: [Category]
    /// The over-represented (mahalle, category) pairs, for tests and for checking an analysis.
    public let planted: [Planted]

    // Prepared tables (see init).
    let areas: [Area]
    let mahalleCum: [Double]          // cumulative pick weights, last = 1
    let catCum: [[Double]]            // [mahalle * 12 + month0] -> cumulative category weights, last = 1
    let service: [Service]            // per category: resolution model
    let texts: [[String]]             // per category: description sentences
    let talepShare: [Double]          // per category: share of "talep" (request)
    let periodStart: Int64, periodEnd: Int64, nowUnix: Int64
    let dayStarts: [Int64]            // UTC instant each local day of the period starts
    let dayIsWeekend: [Bool]
    let dayCum: [Double]
    let outside: (box: BoundingBox, unionBoxes: [BoundingBox])

    struct Area: Sendable {
        var geometry: MultiPolygon
        var bbox: BoundingBox
        var hotSpots: [(centre: LonLat, sigmaLon: Double, sigmaLat: Double)]
        var hotCum: [Double]
    }

    struct Service: Sendable {
        var medianHours: Double
        var sigma: Double          // of the log of the duration
        var rejectShare: Double
    }

    /// `mahalle` and `categories` must not be empty (checked at the edge: the CLI or the caller).
    public init(mahalle: [Mahalle], categories: [Category], options: Options = Options()) {
        precondition(!mahalle.isEmpty, "ComplaintGenerator needs at least one mahalle")
        precondition(!categories.isEmpty, "ComplaintGenerator needs at least one category")
        self.options = options
        self.mahalle = mahalle
        self.categories = categories
        var rng = SplitMix64(seed: options.seed ^ 0x5EED_0F_DA7A)

        // Places: weights by population (a mahalle without one counts as a small one), hot spots inside.
        let pops = mahalle.map { Double(max(0, $0.population)) }
        let meanPop = pops.reduce(0, +) / Double(pops.count)
        let weights = pops.map { $0 > 0 ? $0 : max(1, 0.05 * meanPop) }
        mahalleCum = Self.cumulative(weights)
        var areas: [Area] = []
        for m in mahalle {
            let bb = m.geometry.bbox
            var area = Area(geometry: m.geometry, bbox: bb, hotSpots: [], hotCum: [])
            let k = 1 + rng.below(max(1, options.maxHotSpots))
            var w: [Double] = []
            for _ in 0..<k {
                let c = Self.uniformPoint(in: area, &rng) ?? bb.center
                let sigmaLat = (bb.maxLat - bb.minLat) * (0.04 + 0.10 * rng.unit())
                let sigmaLon = sigmaLat / max(0.2, cos(c.lat * .pi / 180))
                area.hotSpots.append((c, sigmaLon, sigmaLat))
                w.append(0.5 + rng.unit())
            }
            area.hotCum = Self.cumulative(w)
            areas.append(area)
        }
        self.areas = areas

        // Categories: base share × urban tilt × noise, × planted factor; then × season per month.
        let profile = categories.map { Self.profile(for: $0.code) }
        let density = mahalle.indices.map { i -> Double in
            let a = max(1e-9, Self.areaDegrees(mahalle[i].geometry))
            return pops[i] / a
        }
        let order = density.indices.sorted { density[$0] < density[$1] || (density[$0] == density[$1] && $0 < $1) }
        var urban = [Double](repeating: 0.5, count: mahalle.count)
        if mahalle.count > 1 { for (rank, i) in order.enumerated() { urban[i] = Double(rank) / Double(mahalle.count - 1) } }
        var tilt = [[Double]](repeating: [], count: mahalle.count)
        for i in mahalle.indices {
            tilt[i] = categories.indices.map { c in
                profile[c].base * exp(profile[c].urban * (urban[i] - 0.5) * 2) * exp(0.3 * rng.normal())
            }
        }
        // Planted: distinct mahalle, each with its own category, one without a strong season (so it shows all
        // year) where possible.
        var planted: [Planted] = []
        let plantable = ["cop", "yol", "aydinlatma", "gurultu", "hayvan", "kaldirim", "temizlik", "zabita", "su"]
        var candidates = plantable.compactMap { code in categories.firstIndex { $0.code == code } }
        if candidates.isEmpty { candidates = Array(categories.indices) }
        var pool = Array(mahalle.indices)
        let nPlanted = min(options.plantedMahalle, mahalle.count / 2)
        for _ in 0..<max(0, nPlanted) {
            let i = pool.remove(at: rng.below(pool.count))
            let c = candidates.count > 1 ? candidates.remove(at: rng.below(candidates.count)) : candidates[0]
            tilt[i][c] *= options.plantedFactor
            planted.append(Planted(mahalleID: mahalle[i].id, mahalleName: mahalle[i].name,
                                   category: categories[c].code, factor: options.plantedFactor))
        }
        self.planted = planted
        var catCum: [[Double]] = []
        catCum.reserveCapacity(mahalle.count * 12)
        for i in mahalle.indices {
            for month in 0..<12 {
                catCum.append(Self.cumulative(categories.indices.map { tilt[i][$0] * profile[$0].season[month] }))
            }
        }
        self.catCum = catCum
        service = categories.map { Self.service(for: $0) }
        texts = categories.map { Self.sentences(for: $0) }
        talepShare = profile.map(\.talep)

        // Time: the Istanbul year, cut at `now`; days weighted by weekday and public holidays.
        periodStart = IstanbulTime.startOfDay(year: options.year, month: 1, day: 1)
        let yearEnd = IstanbulTime.startOfDay(year: options.year + 1, month: 1, day: 1)
        let nowUnix = options.now.map { Int64($0.timeIntervalSince1970.rounded(.down)) } ?? yearEnd
        self.nowUnix = nowUnix
        periodEnd = max(periodStart + 1, min(yearEnd, nowUnix))
        var starts: [Int64] = [], dw: [Double] = [], weekend: [Bool] = []
        let firstDay = IstanbulTime.daysFromCivil(options.year, 1, 1)
        var day = firstDay
        while true {
            let (y, m, d) = IstanbulTime.civilFromDays(day)
            let s = IstanbulTime.startOfDay(year: y, month: m, day: d)
            if s >= periodEnd { break }
            let weekday = ((day % 7) + 7 + 3) % 7          // 0 = Monday (1970-01-01 was a Thursday)
            var w = weekday < 5 ? 1.0 : (weekday == 5 ? 0.6 : 0.45)
            if Self.isPublicHoliday(month: m, day: d) { w *= 0.5 }
            starts.append(s)
            dw.append(w)
            weekend.append(weekday >= 5)
            day += 1
        }
        dayStarts = starts
        dayIsWeekend = weekend
        dayCum = Self.cumulative(dw)

        // Outside points: in the union's box grown by 5% (at most ~1 km), not in any mahalle.
        var union = BoundingBox.empty
        for a in areas { union.extend(a.bbox) }
        let margin = min(0.01, 0.05 * max(union.maxLon - union.minLon, union.maxLat - union.minLat))
        outside = (union.expanded(byDegrees: max(margin, 1e-4)), areas.map(\.bbox))
    }

    // MARK: - Making complaints

    /// All complaints, oldest first.
    public func generate() -> [NewComplaint] {
        var out: [NewComplaint] = []
        out.reserveCapacity(options.count)
        forEach { out.append($0) }
        return out
    }

    /// Makes the complaints one by one, oldest first, without holding them all.
    public func forEach(_ body: (NewComplaint) throws -> Void) rethrows {
        let times = creationTimes()
        for i in 0..<times.count { try body(complaint(i, createdAt: times[i])) }
    }

    /// Creation instants (UTC seconds) of all complaints, sorted: complaint `i` is the i-th oldest.
    func creationTimes() -> [Int64] {
        var rng = SplitMix64(seed: options.seed ^ 0x7153_7153)
        let hourCumWeekday = Self.cumulative(Self.hourWeightsWeekday)
        let hourCumWeekend = Self.cumulative(Self.hourWeightsWeekend)
        var times = [Int64](repeating: 0, count: options.count)
        for i in 0..<options.count {
            while true {
                let d = Self.pick(dayCum, rng.unit())
                let h = Self.pick(dayIsWeekend[d] ? hourCumWeekend : hourCumWeekday, rng.unit())
                let t = dayStarts[d] + Int64(h) * 3600 + Int64(rng.below(3600))
                if t >= periodStart && t < periodEnd { times[i] = t; break }
            }
        }
        times.sort()
        return times
    }

    /// Complaint number `i` (0-based), created at `t`.
    func complaint(_ i: Int, createdAt t: Int64) -> NewComplaint {
        // Its own stream, started at a hashed point of the cycle (not seed + i, whose streams would overlap).
        var rng = SplitMix64(seed: SplitMix64.mix(options.seed ^ SplitMix64.mix(UInt64(i) &+ 0x1234_5678)))
        let month0 = IstanbulTime.yearMonth(unix: t).month - 1
        let mi = Self.pick(mahalleCum, rng.unit())
        let location: LonLat
        if rng.unit() < options.outsideShare {
            location = outsidePoint(&rng)
        } else {
            location = point(in: mi, &rng)
        }
        let ci = Self.pick(catCum[mi * 12 + month0], rng.unit())
        let cat = categories[ci]

        let channel = Self.channels[Self.pick(Self.channelCum, rng.unit())]
        let u = rng.unit()
        let type: ComplaintType = u < 0.03 ? .oneri : (u < 0.03 + talepShare[ci] ? .talep : .sikayet)

        // Resolution: a lognormal duration by department; done if it ended before "now".
        let svc = service[ci]
        let hours = max(0.17, svc.medianHours * exp(svc.sigma * rng.normal()))
        let duration = Int64(hours * 3600)
        var status: ComplaintStatus
        var resolvedAt: Int64? = nil
        var updatedAt: Int64? = nil
        var satisfaction: Int? = nil
        let age = nowUnix - t
        let stuck = rng.unit() < 0.02            // forgotten: still open long after it should be done
        if rng.unit() < svc.rejectShare {
            let decided = t + Int64(3600 * (2 + 70 * rng.unit()))
            if decided <= nowUnix { status = .rejected; updatedAt = decided } else { status = .open }
        } else if !stuck && t + duration <= nowUnix {
            resolvedAt = t + duration
            let closeAfter = Int64(86_400 * (0.5 + 3 * rng.unit()))
            if rng.unit() < 0.85 && t + duration + closeAfter <= nowUnix {
                status = .closed; updatedAt = t + duration + closeAfter
            } else {
                status = .resolved; updatedAt = t + duration
            }
            if rng.unit() < options.satisfactionShare {
                // Faster than the department usually is: happier.
                let s = 4.2 - 0.7 * log(hours / svc.medianHours) + 0.9 * rng.normal()
                satisfaction = min(5, max(1, Int(s.rounded())))
            }
        } else {
            let progress = Double(age) / Double(max(1, duration))
            if age < 2 * 3600 || (progress < 0.1 && !stuck) { status = .open }
            else if progress < 0.45 && !stuck { status = .assigned }
            else { status = stuck && rng.unit() < 0.5 ? .assigned : .inProgress }
            if status != .open { updatedAt = t + Int64(Double(age) * (0.1 + 0.8 * rng.unit())) }
        }

        var c = NewComplaint(externalRef: Self.reference(year: options.year, i + 1), location: location,
                             category: cat.code, channel: channel, type: type, status: status,
                             createdAt: Date(timeIntervalSince1970: TimeInterval(t)))
        c.updatedAt = updatedAt.map { Date(timeIntervalSince1970: TimeInterval($0)) }
        c.resolvedAt = resolvedAt.map { Date(timeIntervalSince1970: TimeInterval($0)) }
        c.satisfaction = satisfaction
        let sentences = texts[ci]
        if rng.unit() < options.descriptionShare { c.description = sentences[rng.below(sentences.count)] }
        if rng.unit() < options.contactShare {
            let first = Self.firstNames[rng.below(Self.firstNames.count)]
            let last = Self.lastNames[rng.below(Self.lastNames.count)]
            c.contactName = first + " " + last
            c.contactPhone = Self.fakePhone(&rng)
            if rng.unit() < 0.33 {
                c.contactEmail = TurkishText.foldKey(first).replacingOccurrences(of: " ", with: "") + "."
                    + TurkishText.foldKey(last) + "@example.com"
            }
        }
        if channel == .mobile || channel == .whatsapp, rng.unit() < 0.4 {
            c.mediaURLs = ["https://example.com/media/\(c.externalRef ?? String(i + 1)).jpg"]
        }
        return c
    }

    func point(in mi: Int, _ rng: inout SplitMix64) -> LonLat {
        let a = areas[mi]
        if rng.unit() >= options.backgroundShare {
            let h = a.hotSpots[Self.pick(a.hotCum, rng.unit())]
            for _ in 0..<16 {
                let p = LonLat(lon: h.centre.lon + h.sigmaLon * rng.normal(), lat: h.centre.lat + h.sigmaLat * rng.normal())
                if a.bbox.contains(p) && a.geometry.contains(p) { return p }
            }
        }
        return Self.uniformPoint(in: a, &rng) ?? a.hotSpots[0].centre
    }

    func outsidePoint(_ rng: inout SplitMix64) -> LonLat {
        let b = outside.box
        for _ in 0..<10_000 {
            let p = LonLat(lon: b.minLon + (b.maxLon - b.minLon) * rng.unit(), lat: b.minLat + (b.maxLat - b.minLat) * rng.unit())
            var inside = false
            for (k, bb) in outside.unionBoxes.enumerated() where bb.contains(p) && areas[k].geometry.contains(p) {
                inside = true
                break
            }
            if !inside { return p }
        }
        return LonLat(lon: b.minLon, lat: b.minLat)   // a corner of the grown box is outside every mahalle
    }

    static func uniformPoint(in a: Area, _ rng: inout SplitMix64) -> LonLat? {
        let b = a.bbox
        guard !b.isEmpty else { return nil }
        for _ in 0..<1000 {
            let p = LonLat(lon: b.minLon + (b.maxLon - b.minLon) * rng.unit(), lat: b.minLat + (b.maxLat - b.minLat) * rng.unit())
            if a.geometry.contains(p) { return p }
        }
        return nil
    }

    // MARK: - Small helpers

    static func cumulative(_ w: [Double]) -> [Double] {
        let total = w.reduce(0, +)
        var acc = 0.0
        var out = w.map { x -> Double in acc += total > 0 ? x / total : 1 / Double(w.count); return acc }
        if !out.isEmpty { out[out.count - 1] = 1 }
        return out
    }

    /// Index of the first cumulative weight above `u` (binary search).
    @inline(__always)
    static func pick(_ cum: [Double], _ u: Double) -> Int {
        var lo = 0, hi = cum.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cum[mid] > u { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    static func areaDegrees(_ g: MultiPolygon) -> Double {
        var total = 0.0
        for poly in g.polygons {
            for (k, ring) in poly.rings.enumerated() where ring.count > 3 {
                var s = 0.0
                for j in 0..<(ring.count - 1) { s += ring[j].lon * ring[j + 1].lat - ring[j + 1].lon * ring[j].lat }
                total += k == 0 ? abs(s) / 2 : -abs(s) / 2
            }
        }
        return max(0, total)
    }

    static func reference(year: Int, _ n: Int) -> String {
        // "2024-0000123": 12 bytes, stays a small (inline) string.
        var digits = [UInt8](repeating: 48, count: 12)
        var y = year, k = n
        for j in stride(from: 3, through: 0, by: -1) { digits[j] = UInt8(48 + y % 10); y /= 10 }
        digits[4] = 45
        for j in stride(from: 11, through: 5, by: -1) { digits[j] = UInt8(48 + k % 10); k /= 10 }
        return String(decoding: digits, as: UTF8.self)
    }

    static func fakePhone(_ rng: inout SplitMix64) -> String {
        // "0555 0xx xx xx": a mobile-looking number in a block kept for fiction.
        var b: [UInt8] = Array("0555 0".utf8)
        for j in 0..<6 {
            if j == 2 || j == 4 { b.append(32) }
            b.append(UInt8(48 + rng.below(10)))
        }
        return String(decoding: b, as: UTF8.self)
    }

    static func isPublicHoliday(month: Int, day: Int) -> Bool {
        // Fixed-date national holidays (the religious bayrams move with the lunar calendar and are left out).
        switch (month, day) {
        case (1, 1), (4, 23), (5, 1), (5, 19), (7, 15), (8, 30), (10, 29): return true
        default: return false
        }
    }
}

// MARK: - The SplitMix64 generator

extension ComplaintGenerator {
    /// Steele, Lea and Flood's SplitMix64: tiny, fast, and the same on every platform.
    public struct SplitMix64: RandomNumberGenerator, Sendable {
        public var state: UInt64
        public init(seed: UInt64) { state = seed }

        @inline(__always)
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        /// The SplitMix64 output function: a good 64-bit hash, used to derive independent seeds.
        @inline(__always)
        public static func mix(_ x: UInt64) -> UInt64 {
            var z = x &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        /// Uniform in [0, 1).
        @inline(__always)
        public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

        /// Uniform in 0..<n (n > 0).
        @inline(__always)
        public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

        /// Standard normal (Box–Muller, one of the pair).
        @inline(__always)
        public mutating func normal() -> Double {
            let u1 = max(unit(), 0x1p-60), u2 = unit()
            return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        }
    }
}

// MARK: - What each category looks like

extension ComplaintGenerator {
    struct Profile {
        var base: Double          // share before tilts (per cent-ish)
        var urban: Double         // > 0: more in dense mahalle, < 0: more at the thin edges
        var season: [Double]      // multiplier per month, January first
        var talep: Double         // share of requests (talep) rather than complaints
    }

    static let flat = [Double](repeating: 1, count: 12)

    static func profile(for code: String) -> Profile {
        switch code {
        case "temizlik": return Profile(base: 12, urban: 0.8, season: flat, talep: 0.1)
        case "cop": return Profile(base: 11, urban: 0.9, season: [0.9, 0.9, 0.9, 1, 1, 1.1, 1.2, 1.2, 1.0, 0.9, 0.9, 0.9], talep: 0.1)
        case "yol": return Profile(base: 11, urban: -1.0, season: [1.5, 1.6, 1.4, 1.1, 0.9, 0.8, 0.8, 0.8, 0.9, 1.0, 1.1, 1.3], talep: 0.15)
        case "kaldirim": return Profile(base: 5, urban: 0.5, season: flat, talep: 0.2)
        case "aydinlatma": return Profile(base: 8, urban: -1.3, season: [1.3, 1.2, 1.0, 0.9, 0.8, 0.7, 0.7, 0.8, 0.9, 1.1, 1.3, 1.4], talep: 0.2)
        case "su": return Profile(base: 7, urban: -0.9, season: [0.8, 0.8, 0.8, 0.9, 1.1, 1.4, 1.7, 1.7, 1.2, 0.9, 0.8, 0.8], talep: 0.1)
        case "kanalizasyon": return Profile(base: 4, urban: -0.8, season: [1.3, 1.2, 1.2, 1.1, 0.9, 0.7, 0.6, 0.6, 0.8, 1.2, 1.4, 1.4], talep: 0.1)
        case "park": return Profile(base: 6, urban: 0.3, season: [0.4, 0.4, 0.7, 1.0, 1.4, 1.7, 1.8, 1.7, 1.3, 0.8, 0.5, 0.4], talep: 0.25)
        case "agac": return Profile(base: 3, urban: 0, season: [1.3, 1.4, 1.5, 1.2, 1.0, 0.8, 0.7, 0.7, 0.8, 0.9, 1.1, 1.2], talep: 0.5)
        case "zabita": return Profile(base: 7, urban: 1.4, season: [0.8, 0.8, 0.9, 1.0, 1.1, 1.2, 1.2, 1.2, 1.1, 1.0, 0.9, 0.9], talep: 0.05)
        case "gurultu": return Profile(base: 4, urban: 1.6, season: [0.6, 0.6, 0.8, 1.0, 1.3, 1.6, 1.8, 1.7, 1.1, 0.9, 0.7, 0.7], talep: 0.05)
        case "ulasim": return Profile(base: 4, urban: 0.6, season: [1.1, 1.1, 1.0, 1.0, 1.0, 0.9, 0.8, 0.8, 1.2, 1.1, 1.0, 1.1], talep: 0.2)
        case "hayvan": return Profile(base: 4, urban: -0.9, season: [0.6, 0.6, 0.8, 1.1, 1.3, 1.4, 1.4, 1.3, 1.1, 0.9, 0.7, 0.6], talep: 0.2)
        case "ilaclama": return Profile(base: 2, urban: -0.5, season: [0.1, 0.1, 0.3, 0.8, 1.8, 2.5, 2.8, 2.5, 1.5, 0.5, 0.1, 0.1], talep: 0.5)
        case "hava": return Profile(base: 1.5, urban: -0.4, season: [2.5, 2.2, 1.3, 0.4, 0.1, 0.05, 0.05, 0.05, 0.1, 0.6, 1.8, 2.5], talep: 0.05)
        case "kar": return Profile(base: 2.5, urban: -0.6, season: [5, 4, 1, 0.05, 0, 0, 0, 0, 0, 0.02, 0.5, 3.5], talep: 0.1)
        case "imar": return Profile(base: 2, urban: -0.7, season: [0.8, 0.8, 1.0, 1.1, 1.2, 1.2, 1.1, 1.1, 1.1, 1.0, 0.9, 0.8], talep: 0.1)
        case "sosyal": return Profile(base: 2, urban: 0, season: [1.3, 1.2, 1.1, 1.0, 0.9, 0.8, 0.8, 0.8, 1.0, 1.0, 1.1, 1.3], talep: 0.9)
        case "diger": return Profile(base: 4, urban: 0, season: flat, talep: 0.2)
        default: return Profile(base: 2, urban: 0, season: flat, talep: 0.15)
        }
    }

    /// Resolution time by the department responsible (matched on the Turkish-folded name), with a few
    /// category exceptions: snow is ploughed within hours even though Fen İşleri is slow otherwise.
    static func service(for c: Category) -> Service {
        switch c.code {
        case "kar": return Service(medianHours: 8, sigma: 0.8, rejectShare: 0.01)
        case "diger": return Service(medianHours: 72, sigma: 1.0, rejectShare: 0.15)
        default: break
        }
        let d = TurkishText.foldKey(c.department)
        if d.contains("temizlik") { return Service(medianHours: 10, sigma: 0.9, rejectShare: 0.02) }
        if d.contains("zabita") { return Service(medianHours: 6, sigma: 1.0, rejectShare: 0.06) }
        if d.contains("su ve kanal") || d.contains("aski") || d.hasPrefix("su ") {
            return Service(medianHours: 20, sigma: 1.0, rejectShare: 0.03)
        }
        if d.contains("fen") { return Service(medianHours: 144, sigma: 0.8, rejectShare: 0.04) }
        if d.contains("park") { return Service(medianHours: 96, sigma: 0.8, rejectShare: 0.04) }
        if d.contains("veteriner") { return Service(medianHours: 48, sigma: 0.9, rejectShare: 0.03) }
        if d.contains("cevre") { return Service(medianHours: 72, sigma: 0.9, rejectShare: 0.05) }
        if d.contains("imar") { return Service(medianHours: 480, sigma: 0.7, rejectShare: 0.12) }
        if d.contains("ulasim") { return Service(medianHours: 168, sigma: 0.9, rejectShare: 0.08) }
        if d.contains("sosyal") { return Service(medianHours: 240, sigma: 0.6, rejectShare: 0.10) }
        return Service(medianHours: 72, sigma: 1.0, rejectShare: 0.05)
    }

    static func sentences(for c: Category) -> [String] {
        switch c.code {
        case "yol": return ["Sokağımızdaki asfalt çöktü, büyük bir çukur oluştu.", "Yolda derin çukurlar var, araçlar zarar görüyor.",
                             "Kazı sonrası yol kapatılmadı.", "Yağmurdan sonra yol bozuldu, yama yapılmasını rica ediyoruz."]
        case "kaldirim": return ["Kaldırım taşları yerinden çıkmış.", "Kaldırıma park eden araçlar yüzünden yürünemiyor.",
                                  "Bordür taşı kırık, yaşlılar düşüyor."]
        case "temizlik": return ["Sokak günlerdir süpürülmedi.", "Pazar yerinden sonra çevre çok kirli kaldı.",
                                  "Parkın etrafı çöp ve cam kırığı dolu."]
        case "cop": return ["Çöp konteyneri taştı, etrafa çöp saçıldı.", "Çöpler üç gündür alınmadı.",
                             "Konteyner kırık, kapağı kapanmıyor.", "Konteynerin yerinin değiştirilmesini istiyoruz."]
        case "park": return ["Parktaki salıncak kırık, çocuklar için tehlikeli.", "Park çimleri sulanmıyor, kurudu.",
                              "Oturma bankları kırılmış.", "Parkta akşamları aydınlatma yok."]
        case "agac": return ["Ağaç dalları elektrik tellerine değiyor, budanması gerekiyor.", "Fırtınada devrilen ağaç yolu kapattı.",
                              "Sokağımıza ağaç dikilmesini talep ediyoruz."]
        case "su": return ["Mahallede iki gündür su yok.", "Su borusu patladı, yola su akıyor.", "Musluktan bulanık su geliyor.",
                            "Su sayacı arızalı."]
        case "kanalizasyon": return ["Kanalizasyon taştı, kötü koku var.", "Yağmur suyu ızgarası tıkalı, cadde su bastı.",
                                      "Rögar kapağı yerinde yok, çok tehlikeli."]
        case "aydinlatma": return ["Sokak lambası yanmıyor.", "Sokak lambaları gündüz de yanıyor.",
                                    "Parkın aydınlatması arızalı, akşam karanlık."]
        case "ulasim": return ["Otobüs seferleri çok seyrek.", "Durakta bekleme alanı yok, yağmurda ıslanıyoruz.",
                                "Otobüs durağa uğramadan geçiyor."]
        case "zabita": return ["Kaldırım işgali var, esnaf masaları kaldırıma taşmış.", "Seyyar satıcılar yolu kapatıyor.",
                                "Fırının hijyen koşulları kötü, denetlenmesini istiyoruz."]
        case "gurultu": return ["Gece geç saatlere kadar yüksek sesle müzik çalınıyor.", "İnşaat sabah 6'da başlıyor, gürültüden uyuyamıyoruz.",
                                 "Düğün salonundan gelen ses çok yüksek."]
        case "kar": return ["Sokağımızda kar temizlenmedi, araçlar çıkamıyor.", "Yol buz tuttu, tuzlama yapılmasını rica ediyoruz.",
                             "Kaldırımlar buz, yaşlılar düşüyor."]
        case "hava": return ["Komşunun sobasından yoğun duman geliyor.", "Akşamları hava çok kirli, kömür kokusu var.",
                              "Bacadan çıkan is evimize giriyor."]
        case "ilaclama": return ["Sivrisinekler çok fazla, ilaçlama yapılmasını istiyoruz.", "Bodrum katta haşere var.",
                                  "Dere kenarında karasinek arttı."]
        case "hayvan": return ["Sokak köpekleri çocuklara saldırıyor.", "Yaralı bir kedi var, veteriner yardımı gerekiyor.",
                                "Mahallede başıboş köpek sürüsü dolaşıyor."]
        case "imar": return ["Yan parselde kaçak kat çıkılıyor.", "İnşaat ruhsatsız devam ediyor.",
                              "Bina cephesine izinsiz tabela asıldı."]
        case "sosyal": return ["Yaşlı komşumuz yalnız yaşıyor, yardıma ihtiyacı var.", "Gıda yardımı başvurusu yapmak istiyorum.",
                                "Engelli yakınım için tekerlekli sandalye talep ediyorum."]
        case "diger": return ["Belediyeden bilgi almak istiyorum.", "Başvurumun sonucunu öğrenmek istiyorum.",
                               "Teşekkür ederim, ekipler çok hızlı geldi."]
        default: return ["\(c.nameTR) ile ilgili şikayetim var.", "\(c.nameTR) konusunda yardım istiyorum."]
        }
    }

    static let channels: [Channel] = [.phone, .whatsapp, .web, .mobile, .eDevlet, .cimer, .email, .social, .beyazMasa]
    static let channelCum = cumulative([45, 13, 10, 12, 5, 4, 2, 5, 4])

    // Local hour of day (0–23). Call centre peaks in working hours; evenings carry the web and the apps.
    static let hourWeightsWeekday: [Double] = [0.2, 0.1, 0.1, 0.1, 0.1, 0.15, 0.3, 0.8, 2.5, 4, 4.5, 4.2, 3, 3.8, 4, 3.8,
                                               3.3, 2.2, 1.5, 1.3, 1.2, 1.0, 0.7, 0.4]
    static let hourWeightsWeekend: [Double] = [0.3, 0.15, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.9, 1.5, 2.0, 2.2, 2.2, 2.1, 2.0, 2.0,
                                               1.9, 1.8, 1.7, 1.6, 1.5, 1.2, 0.9, 0.5]

    static let firstNames = ["Ahmet", "Mehmet", "Mustafa", "Ali", "Hüseyin", "Hasan", "İbrahim", "İsmail", "Osman", "Yusuf",
                             "Murat", "Ömer", "Emre", "Burak", "Fatma", "Ayşe", "Emine", "Hatice", "Zeynep", "Elif",
                             "Meryem", "Şerife", "Zehra", "Sultan", "Hülya", "Özlem", "Gülşen", "Büşra", "Çiğdem", "Ece"]
    static let lastNames = ["Yılmaz", "Kaya", "Demir", "Çelik", "Şahin", "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir",
                            "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan", "Şimşek",
                            "Polat", "Korkmaz", "Karataş", "Erdoğan", "Güneş", "Aksoy", "Bulut", "Keskin", "Ünal", "Tekin"]
}

// MARK: - CSV in the import format

extension ComplaintGenerator {
    /// The columns `taskmap import` reads.
    public static let csvHeader = "id,lon,lat,category,status,channel,type,created_at,resolved_at,satisfaction,description"

    /// Writes the complaints as CSV (header first) to `path`, making them as it goes, on all cores (each
    /// complaint has its own random stream, so the bytes do not depend on the thread count). Returns the row count.
    @discardableResult
    public func writeCSV(to path: String, jobs: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let fh = FileHandle(forWritingAtPath: path) else {
            throw ImportError(file: path, message: "cannot create the file")
        }
        defer { try? fh.close() }
        try fh.write(contentsOf: Array((Self.csvHeader + "\n").utf8))
        let times = creationTimes()
        let chunk = 32_768                      // rows per buffer (~4.5 MB)
        let jobs = max(1, jobs)
        var start = 0
        while start < times.count {
            let batch = min(jobs, (times.count - start + chunk - 1) / chunk)
            var buffers = [[UInt8]](repeating: [], count: batch)
            buffers.withUnsafeMutableBufferPointer { out in
                let out = out
                DispatchQueue.concurrentPerform(iterations: batch) { k in
                    let lo = start + k * chunk, hi = min(times.count, lo + chunk)
                    var buf: [UInt8] = []
                    buf.reserveCapacity((hi - lo) * 160)
                    for i in lo..<hi { Self.appendCSVRow(complaint(i, createdAt: times[i]), to: &buf) }
                    out[k] = buf
                }
            }
            for b in buffers { try fh.write(contentsOf: b) }
            start += batch * chunk
        }
        return times.count
    }

    /// Header and rows as CSV bytes (UTF-8, LF line ends, RFC 4180 quoting).
    public static func csv<S: Sequence>(_ complaints: S) -> [UInt8] where S.Element == NewComplaint {
        var buf: [UInt8] = Array(csvHeader.utf8)
        buf.append(10)
        for (i, c) in complaints.enumerated() { appendCSVRow(c, id: c.externalRef ?? String(i + 1), to: &buf) }
        return buf
    }

    /// One row: lon/lat with 6 decimals, times as ISO 8601 UTC with `Z`, empty fields for what is missing.
    public static func appendCSVRow(_ c: NewComplaint, id: String? = nil, to buf: inout [UInt8]) {
        appendField(id ?? c.externalRef ?? "", to: &buf)
        buf.append(44)
        appendFixed6(c.location.lon, to: &buf)
        buf.append(44)
        appendFixed6(c.location.lat, to: &buf)
        buf.append(44)
        appendField(c.category, to: &buf)
        buf.append(44)
        buf.append(contentsOf: c.status.rawValue.utf8)
        buf.append(44)
        buf.append(contentsOf: c.channel.rawValue.utf8)
        buf.append(44)
        buf.append(contentsOf: c.type.rawValue.utf8)
        buf.append(44)
        appendTime(c.createdAt, to: &buf)
        buf.append(44)
        if let r = c.resolvedAt { appendTime(r, to: &buf) }
        buf.append(44)
        if let s = c.satisfaction { appendInt(Int64(s), to: &buf) }
        buf.append(44)
        if let d = c.description { appendField(d, to: &buf) }
        buf.append(10)
    }

    /// RFC 4180: quote a field holding a comma, a quote or a line break, and double its quotes.
    static func appendField(_ s: String, to buf: inout [UInt8]) {
        var needsQuotes = false
        for b in s.utf8 where b == 44 || b == 34 || b == 10 || b == 13 { needsQuotes = true; break }
        if !needsQuotes { buf.append(contentsOf: s.utf8); return }
        buf.append(34)
        for b in s.utf8 {
            if b == 34 { buf.append(34) }
            buf.append(b)
        }
        buf.append(34)
    }

    @inline(__always)
    static func appendTime(_ d: Date, to buf: inout [UInt8]) {
        let t = Int64(d.timeIntervalSince1970.rounded(.down))
        let at = buf.count
        buf.append(contentsOf: repeatElement(0, count: 20))
        buf.withUnsafeMutableBufferPointer { Timestamp.format(unix: t, into: $0.baseAddress! + at) }
    }

    @inline(__always)
    static func appendInt(_ v: Int64, to buf: inout [UInt8]) {
        var v = v
        if v < 0 { buf.append(45); v = -v }
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &tmp) { raw in
            var n = 0
            repeat { raw[19 - n] = UInt8(48 + v % 10); v /= 10; n += 1 } while v > 0
            buf.append(contentsOf: raw[(20 - n)...])
        }
    }

    /// A degree value with exactly six decimals ("36.950000", "-0.000001"), without Foundation formatting.
    @inline(__always)
    static func appendFixed6(_ x: Double, to buf: inout [UInt8]) {
        let micro = Int64((x * 1_000_000).rounded())
        var a = micro
        if a < 0 { buf.append(45); a = -a }
        appendInt(a / 1_000_000, to: &buf)
        buf.append(46)
        var frac = a % 1_000_000
        var d: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (48, 48, 48, 48, 48, 48)
        withUnsafeMutableBytes(of: &d) { raw in
            for j in stride(from: 5, through: 0, by: -1) { raw[j] = UInt8(48 + frac % 10); frac /= 10 }
            buf.append(contentsOf: raw)
        }
    }
}
