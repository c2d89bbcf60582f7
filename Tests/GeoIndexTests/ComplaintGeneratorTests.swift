import Foundation
import XCTest
@testable import GeoIndex

/// The synthetic complaint generator: determinism, places, seasons, statuses and its CSV. The mahalle are small
/// hand-made squares (no GeoJSON reader involved).
final class ComplaintGeneratorTests: XCTestCase {
    /// Six 0.02° squares in a 3 × 2 block (lon 36.90–36.96, lat 37.56–37.60), two districts; populations differ
    /// fourfold between the first and the second.
    static let mahalle: [Mahalle] = {
        func square(_ id: Int64, _ name: String, col: Int, row: Int, pop: Int, district: String) -> Mahalle {
            let x0 = 36.90 + 0.02 * Double(col), y0 = 37.56 + 0.02 * Double(row), d = 0.02
            let ring = [LonLat(lon: x0, lat: y0), LonLat(lon: x0 + d, lat: y0), LonLat(lon: x0 + d, lat: y0 + d),
                        LonLat(lon: x0, lat: y0 + d), LonLat(lon: x0, lat: y0)]
            return Mahalle(id: id, name: name, code: "T-\(id)", population: pop, districtID: district == "Kuzeykent" ? 1 : 2,
                           districtName: district, geometry: MultiPolygon(polygons: [Polygon(rings: [ring])]))
        }
        return [
            square(1, "Kaleboynu", col: 0, row: 0, pop: 40_000, district: "Kuzeykent"),
            square(2, "Çınarlı", col: 1, row: 0, pop: 10_000, district: "Kuzeykent"),
            square(3, "Şehitler", col: 2, row: 0, pop: 20_000, district: "Kuzeykent"),
            square(4, "İsmetpaşa", col: 0, row: 1, pop: 15_000, district: "Güneyyaka"),
            square(5, "Ulubahçe", col: 1, row: 1, pop: 25_000, district: "Güneyyaka"),
            square(6, "Ördekdede", col: 2, row: 1, pop: 2_500, district: "Güneyyaka"),
        ]
    }()

    /// The default categories plus one whose name needs CSV quoting (a comma and quotes).
    static let categories: [Category] = Category.defaults + [
        Category(code: "ozel", nameTR: "\"Özel\" istek, acil", nameEN: "Special", department: "Özel Kalem Müdürlüğü"),
        Category(code: "hava", nameTR: "Hava kirliliği", nameEN: "Air pollution", department: "Çevre Koruma ve Kontrol Müdürlüğü"),
    ]

    static func generator(count: Int = 20_000, seed: UInt64 = 7, now: Date? = nil) -> ComplaintGenerator {
        var o = ComplaintGenerator.Options()
        o.count = count
        o.seed = seed
        o.year = 2024
        o.now = now
        return ComplaintGenerator(mahalle: mahalle, categories: categories, options: o)
    }

    static let sample = generator().generate()

    func testSameSeedSameComplaintsOtherSeedOthers() {
        let a = ComplaintGenerator.csv(Self.generator(count: 3000, seed: 11).generate())
        let b = ComplaintGenerator.csv(Self.generator(count: 3000, seed: 11).generate())
        let c = ComplaintGenerator.csv(Self.generator(count: 3000, seed: 12).generate())
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertEqual(Self.generator(count: 3000, seed: 11).planted, Self.generator(count: 3000, seed: 11).planted)
    }

    func testPointsAreInsideMahalleExceptTheOutsideShare() {
        var outside = 0
        var perMahalle = [Int64: Int]()
        for c in Self.sample {
            let hits = Self.mahalle.filter { $0.geometry.contains(c.location) }
            XCTAssertLessThanOrEqual(hits.count, 1)
            if let m = hits.first { perMahalle[m.id, default: 0] += 1 } else { outside += 1 }
        }
        // 0.5% of 20,000 = 100 expected.
        XCTAssertGreaterThan(outside, 50)
        XCTAssertLessThan(outside, 170)
        // Roughly proportional to population: 40,000 vs 10,000 and 25,000 vs 2,500.
        let r1 = Double(perMahalle[1]!) / Double(perMahalle[2]!)
        XCTAssertGreaterThan(r1, 3.0); XCTAssertLessThan(r1, 5.3)
        let r2 = Double(perMahalle[5]!) / Double(perMahalle[6]!)
        XCTAssertGreaterThan(r2, 7); XCTAssertLessThan(r2, 14)
        // Outside points stay near the district (within the grown box).
        for c in Self.sample where !Self.mahalle.contains(where: { $0.geometry.contains(c.location) }) {
            XCTAssertTrue(c.location.isValid)
            XCTAssertTrue((36.88...36.98).contains(c.location.lon) && (37.54...37.62).contains(c.location.lat))
        }
    }

    func testPointsCluster() {
        // Hot spots: the busiest 10% of a 20 × 20 grid over Kaleboynu holds far more than 10% of its points.
        var grid = [Int](repeating: 0, count: 400)
        var n = 0
        for c in Self.sample where Self.mahalle[0].geometry.contains(c.location) {
            let gx = min(19, Int((c.location.lon - 36.90) / 0.001)), gy = min(19, Int((c.location.lat - 37.56) / 0.001))
            grid[gy * 20 + gx] += 1
            n += 1
        }
        let top = grid.sorted(by: >).prefix(40).reduce(0, +)
        XCTAssertGreaterThan(Double(top) / Double(n), 0.25)
    }

    func testWinterHasSnowAndSummerParks() {
        func month(_ c: NewComplaint) -> Int { IstanbulTime.yearMonth(unix: Int64(c.createdAt.timeIntervalSince1970)).month }
        let winter: Set<Int> = [12, 1, 2], summer: Set<Int> = [6, 7, 8]
        let karWinter = Self.sample.filter { $0.category == "kar" && winter.contains(month($0)) }.count
        let karSummer = Self.sample.filter { $0.category == "kar" && summer.contains(month($0)) }.count
        XCTAssertGreaterThan(karWinter, 200)
        XCTAssertEqual(karSummer, 0)
        let parkWinter = Self.sample.filter { $0.category == "park" && winter.contains(month($0)) }.count
        let parkSummer = Self.sample.filter { $0.category == "park" && summer.contains(month($0)) }.count
        XCTAssertGreaterThan(parkSummer, 2 * parkWinter)
        let havaWinter = Self.sample.filter { $0.category == "hava" && winter.contains(month($0)) }.count
        let havaSummer = Self.sample.filter { $0.category == "hava" && summer.contains(month($0)) }.count
        XCTAssertGreaterThan(havaWinter, 5 * max(1, havaSummer))
    }

    func testWeekdaysAndWorkingHoursAreBusier() {
        var weekday = 0, weekend = 0, working = 0
        for c in Self.sample {
            let local = Int64(c.createdAt.timeIntervalSince1970) + 10_800
            let dow = Int((local / 86_400 + 3) % 7)       // 0 = Monday
            if dow < 5 { weekday += 1 } else { weekend += 1 }
            let hour = Int(local % 86_400 / 3600)
            if (8..<18).contains(hour) { working += 1 }
        }
        XCTAssertGreaterThan(Double(weekday) / 5, 1.5 * Double(weekend) / 2)
        XCTAssertGreaterThan(Double(working) / Double(Self.sample.count), 0.6)
    }

    func testStatusesAndTimesAreConsistent() {
        let start = IstanbulTime.startOfDay(year: 2024, month: 1, day: 1)
        let end = IstanbulTime.startOfDay(year: 2025, month: 1, day: 1)
        var counts = [ComplaintStatus: Int]()
        var channels = [Channel: Int]()
        var types = [ComplaintType: Int]()
        var previous: Date?
        for c in Self.sample {
            counts[c.status, default: 0] += 1
            channels[c.channel, default: 0] += 1
            types[c.type, default: 0] += 1
            let t = Int64(c.createdAt.timeIntervalSince1970)
            XCTAssertTrue(t >= start && t < end)
            if let p = previous { XCTAssertLessThanOrEqual(p, c.createdAt, "oldest first") }
            previous = c.createdAt
            if let r = c.resolvedAt {
                XCTAssertGreaterThanOrEqual(r, c.createdAt)
                XCTAssertLessThanOrEqual(Int64(r.timeIntervalSince1970), end)
                XCTAssertTrue(c.status == .resolved || c.status == .closed)
            } else {
                XCTAssertFalse(c.status == .resolved || c.status == .closed)
            }
            if let u = c.updatedAt { XCTAssertGreaterThanOrEqual(u, c.createdAt) }
            if let s = c.satisfaction {
                XCTAssertTrue((1...5).contains(s))
                XCTAssertTrue(c.status == .resolved || c.status == .closed)
            }
            XCTAssertTrue(Self.categories.contains { $0.code == c.category })
        }
        let n = Double(Self.sample.count)
        let done = Double(counts[.resolved, default: 0] + counts[.closed, default: 0])
        XCTAssertGreaterThan(done / n, 0.75)
        XCTAssertGreaterThan(counts[.rejected, default: 0], 0)
        XCTAssertGreaterThan(counts[.open, default: 0] + counts[.assigned, default: 0] + counts[.inProgress, default: 0], 0)
        let phone = Double(channels[.phone, default: 0]) / n
        XCTAssertTrue((0.40...0.50).contains(phone), "phone share \(phone)")
        XCTAssertEqual(channels.count, Channel.allCases.filter { $0 != .other }.count)  // 'other' is for imports
        XCTAssertGreaterThan(types[.sikayet, default: 0], types[.talep, default: 0])
        XCTAssertGreaterThan(types[.talep, default: 0], types[.oneri, default: 0])
        XCTAssertGreaterThan(types[.oneri, default: 0], 0)
        XCTAssertGreaterThan(Self.sample.filter { $0.satisfaction != nil }.count, 1000)
        XCTAssertGreaterThan(Self.sample.filter { $0.contactName != nil }.count, 1000)
    }

    func testRecentComplaintsAreOpenAndNoneAfterNow() {
        let now = Date(timeIntervalSince1970: TimeInterval(IstanbulTime.startOfDay(year: 2024, month: 7, day: 1)))
        let list = Self.generator(count: 10_000, now: now).generate()
        XCTAssertTrue(list.allSatisfy { $0.createdAt < now })
        XCTAssertTrue(list.allSatisfy { ($0.resolvedAt ?? now) <= now && ($0.updatedAt ?? now) <= now })
        let lastWeek = list.filter { now.timeIntervalSince($0.createdAt) < 7 * 86_400 }
        let old = list.filter { now.timeIntervalSince($0.createdAt) > 90 * 86_400 }
        let openShare = { (cs: [NewComplaint]) in Double(cs.filter { $0.status.isOpen }.count) / Double(max(1, cs.count)) }
        XCTAssertGreaterThan(openShare(lastWeek), 0.3)
        XCTAssertLessThan(openShare(old), 0.06)
    }

    func testResolutionTimeDependsOnDepartment() {
        func medianHours(_ code: String) -> Double {
            let h = Self.sample.filter { $0.category == code }.compactMap { c in
                c.resolvedAt.map { $0.timeIntervalSince(c.createdAt) / 3600 }
            }.sorted()
            return h[h.count / 2]
        }
        let cleaning = medianHours("temizlik"), roads = medianHours("yol")
        XCTAssertLessThan(cleaning, 48)
        XCTAssertGreaterThan(roads, 72)
        XCTAssertGreaterThan(roads, 4 * cleaning)
    }

    func testPlantedMahalleAreOverRepresented() {
        let g = Self.generator()
        XCTAssertEqual(g.planted.count, 3)
        XCTAssertEqual(Set(g.planted.map(\.mahalleID)).count, 3)
        for p in g.planted {
            let m = Self.mahalle.first { $0.id == p.mahalleID }!
            let inM = Self.sample.filter { m.geometry.contains($0.location) }
            let rest = Self.sample.filter { !m.geometry.contains($0.location) }
            let share = Double(inM.filter { $0.category == p.category }.count) / Double(inM.count)
            let elsewhere = Double(rest.filter { $0.category == p.category }.count) / Double(rest.count)
            XCTAssertGreaterThan(share, 1.8 * elsewhere, "\(p.mahalleName) \(p.category)")
        }
    }

    func testCSVParsesBack() throws {
        let list = Array(Self.sample.prefix(5000))
        let bytes = ComplaintGenerator.csv(list)
        XCTAssertNotNil(String(validating: bytes, as: UTF8.self))
        let rows = Self.parseRFC4180(bytes)
        XCTAssertEqual(rows.first, ComplaintGenerator.csvHeader.split(separator: ",").map(String.init))
        XCTAssertEqual(rows.count, list.count + 1)
        var quoted = 0
        for (c, row) in zip(list, rows.dropFirst()) {
            XCTAssertEqual(row.count, 11)
            guard row.count == 11 else { continue }
            XCTAssertEqual(row[0], c.externalRef)
            for (text, value) in [(row[1], c.location.lon), (row[2], c.location.lat)] {
                XCTAssertEqual(text.split(separator: ".").last?.count, 6)
                XCTAssertEqual(Double(text)!, value, accuracy: 0.000_000_51)
            }
            XCTAssertEqual(row[3], c.category)
            XCTAssertEqual(ComplaintStatus(rawValue: row[4]), c.status)
            XCTAssertEqual(Channel(rawValue: row[5]), c.channel)
            XCTAssertEqual(ComplaintType(rawValue: row[6]), c.type)
            XCTAssertEqual(row[7], Timestamp.format(c.createdAt))
            XCTAssertTrue(row[7].hasSuffix("Z") && row[7].count == 20)
            XCTAssertEqual(row[8], c.resolvedAt.map(Timestamp.format) ?? "")
            XCTAssertEqual(row[9], c.satisfaction.map(String.init) ?? "")
            XCTAssertEqual(row[10], c.description ?? "")
            if let d = c.description, d.contains(",") || d.contains("\"") { quoted += 1 }
        }
        XCTAssertGreaterThan(quoted, 0, "some descriptions exercise the quoting")
        // The importer's CSV reader sees the same records.
        let table = try CSVTable(data: Data(bytes), file: "generated.csv")
        XCTAssertEqual(table.records.count, list.count)
        XCTAssertEqual(table.header.count, 11)
    }

    func testFieldQuotingAndNumberFormat() {
        var buf: [UInt8] = []
        ComplaintGenerator.appendField("a \"b\", c", to: &buf)
        XCTAssertEqual(String(decoding: buf, as: UTF8.self), "\"a \"\"b\"\", c\"")
        buf = []
        ComplaintGenerator.appendField("İğne ışık, çöp\nşu", to: &buf)
        XCTAssertEqual(String(decoding: buf, as: UTF8.self), "\"İğne ışık, çöp\nşu\"")
        for (x, s) in [(36.95, "36.950000"), (-0.0000004, "0.000000"), (-0.000001, "-0.000001"), (-122.4194155, "-122.419416"),
                       (179.9999999, "180.000000"), (0, "0.000000"), (37.123456, "37.123456")] {
            buf = []
            ComplaintGenerator.appendFixed6(x, to: &buf)
            XCTAssertEqual(String(decoding: buf, as: UTF8.self), s)
        }
    }

    func testWriteCSVStreamsTheSameBytes() throws {
        let g = Self.generator(count: 4000, seed: 3)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("taskmap-gen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("complaints.csv").path
        let expected = ComplaintGenerator.csv(g.generate())
        for jobs in [1, 3] {
            XCTAssertEqual(try g.writeCSV(to: path, jobs: jobs), 4000)
            XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: path))), expected, "jobs \(jobs)")
        }
        // Across buffer boundaries (32,768 rows each) too.
        let big = Self.generator(count: 40_000, seed: 5)
        XCTAssertEqual(try big.writeCSV(to: path, jobs: 2), 40_000)
        let one = dir.appendingPathComponent("one.csv").path
        XCTAssertEqual(try big.writeCSV(to: one, jobs: 1), 40_000)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), try Data(contentsOf: URL(fileURLWithPath: one)))
    }

    /// A small RFC 4180 reader (quotes, doubled quotes, line breaks inside quotes), independent of the importer's.
    static func parseRFC4180(_ bytes: [UInt8]) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field: [UInt8] = []
        var i = 0, inQuotes = false
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == 34 {
                    if i + 1 < bytes.count && bytes[i + 1] == 34 { field.append(34); i += 1 } else { inQuotes = false }
                } else { field.append(b) }
            } else if b == 34 { inQuotes = true }
            else if b == 44 { row.append(String(decoding: field, as: UTF8.self)); field = [] }
            else if b == 10 { row.append(String(decoding: field, as: UTF8.self)); field = []; rows.append(row); row = [] }
            else { field.append(b) }
            i += 1
        }
        if !field.isEmpty || !row.isEmpty { row.append(String(decoding: field, as: UTF8.self)); rows.append(row) }
        return rows
    }
}
