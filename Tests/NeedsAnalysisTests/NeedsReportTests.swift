import Foundation
import XCTest
import GeoIndex
@testable import NeedsAnalysis

/// A hand-computed town:
///
///   mahalle   population   yol  cop  park   (March 2024)
///   Akçay         10,000    30   10     0
///   Bağlar        20,000    20   20    10
///   Çamlık             0     5    0     0   (zero population)
///   Dere (Öteki)  50,000     9    9     9   (another district, out of scope)
///   + 4 unassigned yol complaints with district Merkez, 2 with none.
///
/// District Merkez: populated mahalle have 30 000 people and yol 50, cop 30, park 10 (90);
/// all mahalle yol 55 → C = 95.
final class NeedsReportTests: XCTestCase {
    let march = Period.month("2024-03")!

    func town() -> Town {
        var t = Town()
        t.addSquare("Bağlar", id: 2, population: 20_000, column: 1)
        t.addSquare("Akçay", id: 1, population: 10_000, column: 0)
        t.addSquare("Çamlık", id: 3, population: 0, column: 2)
        t.addSquare("Dere", id: 4, population: 50_000, column: 3, district: "Öteki")
        let d = istanbul(2024, 3, 10)
        t.add(30, mahalle: 1, category: "yol", created: d)
        t.add(10, mahalle: 1, category: "cop", created: d)
        t.add(20, mahalle: 2, category: "yol", created: d)
        t.add(20, mahalle: 2, category: "cop", created: d)
        t.add(10, mahalle: 2, category: "park", created: d)
        t.add(5, mahalle: 3, category: "yol", created: d)
        for c in ["yol", "cop", "park"] { t.add(9, mahalle: 4, category: c, created: d, district: "Öteki") }
        t.add(4, mahalle: 0, category: "yol", created: d, district: "Merkez", at: LonLat(lon: 36.5, lat: 37.0))
        t.add(2, mahalle: 0, category: "yol", created: d, district: nil, at: LonLat(lon: 36.5, lat: 37.0))
        // February: Akçay yol 5 (so March's 30 is a significant rise), Bağlar cop 19 (no real change).
        let feb = istanbul(2024, 2, 10)
        t.add(5, mahalle: 1, category: "yol", created: feb)
        t.add(19, mahalle: 2, category: "cop", created: feb)
        return t
    }

    func report(_ t: Town, district: String? = "merkez", options: NeedsOptions = NeedsOptions()) -> NeedsReport {
        var o = options
        if o.asOf == nil { o.asOf = istanbul(2024, 6, 1) }
        return NeedsReport.compute(snapshot: t.snapshot(), mahalle: t.mahalle, categories: t.categories, period: march,
                                   district: district, options: o)
    }

    func row(_ r: NeedsReport, _ mahalle: String, _ category: String) -> NeedsReport.Row {
        r.rows.first { $0.mahalle == mahalle && $0.category == category }!
    }

    func testCountsRatesAndExpectedByHand() throws {
        let r = report(town())
        XCTAssertEqual(r.district, "Merkez")
        // Mahalle in Turkish order: Akçay, Bağlar, Çamlık (ç after c); "*" first, then yol, cop, park.
        XCTAssertEqual(r.rows.map(\.mahalle), Array(repeating: "Akçay", count: 4) + Array(repeating: "Bağlar", count: 4)
                       + Array(repeating: "Çamlık", count: 4))
        XCTAssertEqual(r.rows.prefix(4).map(\.category), ["*", "yol", "cop", "park"])
        XCTAssertEqual(r.totals.complaints, 95)
        XCTAssertEqual(r.totals.unassigned, 4, "only the unassigned complaints recorded in Merkez")
        XCTAssertEqual(r.totals.population, 30_000)
        XCTAssertEqual(r.totals.mahalleWithoutPopulation, 1)
        XCTAssertEqual(r.totals.per1000!, 1000.0 * 90 / 30_000, accuracy: 1e-12)

        let ay = row(r, "Akçay", "yol")
        XCTAssertEqual(ay.count, 30)
        XCTAssertEqual(ay.per1000!, 3.0, accuracy: 1e-12)
        XCTAssertEqual(ay.share!, 0.75, accuracy: 1e-12)
        XCTAssertEqual(ay.lq!, 0.75 / (55.0 / 95.0), accuracy: 1e-12)
        XCTAssertEqual(ay.expected!, 10_000 * 50.0 / 30_000, accuracy: 1e-12)  // 16.67
        XCTAssertEqual(ay.oe!, 30 / (50.0 / 3), accuracy: 1e-12)
        let ci = PoissonInterval(count: 30)
        XCTAssertEqual(ay.oeLow!, ci.lower / (50.0 / 3), accuracy: 1e-12)
        XCTAssertEqual(ay.oeHigh!, ci.upper / (50.0 / 3), accuracy: 1e-12)
        XCTAssertEqual(ay.oeLow!, 20.240874021420915 / (50.0 / 3), accuracy: 1e-12)  // scipy chi2.ppf(0.025, 60)/2
        XCTAssertEqual(ay.oeHigh!, 42.82686539480766 / (50.0 / 3), accuracy: 1e-12)   // scipy chi2.ppf(0.975, 62)/2
        XCTAssertTrue(ay.need)
        XCTAssertEqual(ay.excess!, 30 - 50.0 / 3, accuracy: 1e-12)

        let bp = row(r, "Bağlar", "park")
        XCTAssertEqual(bp.expected!, 20_000 * 10.0 / 30_000, accuracy: 1e-12)
        XCTAssertFalse(bp.need, "10 vs 6.67 is within chance")

        let ap = row(r, "Akçay", "park")
        XCTAssertEqual(ap.count, 0)
        XCTAssertEqual(ap.oe, 0)
        XCTAssertEqual(ap.oeLow, 0)
        XCTAssertEqual(ap.oeHigh!, 3.6888794541139363 / (10_000 * 10.0 / 30_000), accuracy: 1e-12)

        let all = row(r, "Bağlar", "*")
        XCTAssertEqual(all.count, 50)
        XCTAssertEqual(all.expected!, 20_000 * 90.0 / 30_000, accuracy: 1e-12)
        XCTAssertEqual(all.share, 1)

        // Zero population: counts and mix, but no rate, expected or O/E (null, not NaN).
        let cy = row(r, "Çamlık", "yol")
        XCTAssertEqual(cy.count, 5)
        XCTAssertNil(cy.per1000); XCTAssertNil(cy.expected); XCTAssertNil(cy.oe); XCTAssertNil(cy.oeLow)
        XCTAssertEqual(cy.lq!, 1 / (55.0 / 95.0), accuracy: 1e-12)
        XCTAssertFalse(cy.need)
        let cc = row(r, "Çamlık", "cop")
        XCTAssertNil(cc.share.map { $0 == 0 ? nil : $0 } ?? nil)

        // Sum of expected over populated mahalle equals their observed total, per category.
        for cat in ["yol", "cop", "park"] {
            let rows = r.rows.filter { $0.category == cat && $0.population > 0 }
            XCTAssertEqual(rows.map { $0.expected! }.reduce(0, +), Double(rows.map(\.count).reduce(0, +)), accuracy: 1e-9)
        }
    }

    func testRankingListsNeedsByExcess() throws {
        let r = report(town())
        XCTAssertEqual(r.ranking.first?.mahalle, "Akçay")
        let akcay = r.ranking[0]
        XCTAssertEqual(akcay.needs.map(\.category), ["yol"])
        XCTAssertEqual(akcay.totalExcess, 30 - 50.0 / 3, accuracy: 1e-9)
        XCTAssertEqual(r.ranking.count, 3)
        XCTAssertEqual(r.ranking.last?.totalExcess, 0)
    }

    func testChangeFlagsOnlyWhenSignificant() throws {
        let r = report(town())
        XCTAssertEqual(r.period.previous, "2024-02")
        let ay = row(r, "Akçay", "yol")
        let prev = try XCTUnwrap(ay.previous)
        XCTAssertEqual(prev.count, 5)
        // Exposures: March 2024 has 31 days, February 29.
        let expectedP = BinomialTest.twoSided(k: 30, n: 35, p: 31.0 / 60.0)
        XCTAssertEqual(prev.p, expectedP, accuracy: 1e-15)
        XCTAssertEqual(prev.flag, "up")
        XCTAssertEqual(prev.rateRatio!, (30.0 / 31) / (5.0 / 29), accuracy: 1e-12)
        let bc = try XCTUnwrap(row(r, "Bağlar", "cop").previous)
        XCTAssertEqual(bc.count, 19)
        XCTAssertNil(bc.flag, "20 vs 19 is no change")
        // Bağlar yol went from 0 to 20: flagged up (after BH), rate ratio undefined.
        let by = try XCTUnwrap(row(r, "Bağlar", "yol").previous)
        XCTAssertNil(by.rateRatio)
        XCTAssertEqual(by.flag, "up")
        XCTAssertLessThanOrEqual(by.p, by.q)
        // March 2023 had no complaints at all: no year-on-year comparison (missing data, not zero).
        XCTAssertNil(ay.yearEarlier)
        XCTAssertTrue(r.notes.contains { $0.contains("2023-03") })
    }

    func testMonthWithNoData() throws {
        var o = NeedsOptions(); o.asOf = istanbul(2024, 6, 1)
        let t = town()
        let r = NeedsReport.compute(snapshot: t.snapshot(), mahalle: t.mahalle, categories: t.categories,
                                    period: Period.month("2024-05")!, district: "Merkez", options: o)
        XCTAssertEqual(r.totals.complaints, 0)
        XCTAssertTrue(r.rows.allSatisfy { $0.count == 0 && $0.oe == nil && !$0.need })
        XCTAssertTrue(r.rows.filter { $0.population > 0 }.allSatisfy { $0.expected == 0 })
        XCTAssertTrue(r.rows.allSatisfy { $0.previous == nil }, "April had no complaints either")
        XCTAssertTrue(r.ranking.allSatisfy { $0.needs.isEmpty })
        let json = String(decoding: try r.jsonData(), as: UTF8.self)
        XCTAssertFalse(json.contains("NaN") || json.contains("Infinity") || json.contains("inf"))
    }

    func testUnknownDistrictGivesEmptyReportWithNote() {
        let r = report(town(), district: "Yok")
        XCTAssertEqual(r.rows.count, 0)
        XCTAssertTrue(r.notes.contains { $0.contains("No mahalle") })
        XCTAssertEqual(NeedsScope.districtNames(in: town().mahalle), ["Merkez", "Öteki"])
    }

    func testAllDistrictsPoolsEveryMahalle() {
        let r = report(town(), district: nil)
        XCTAssertNil(r.district)
        XCTAssertEqual(r.totals.complaints, 95 + 27)
        XCTAssertEqual(r.totals.unassigned, 6)
        XCTAssertEqual(r.totals.population, 80_000)
    }

    func testFilterRestrictsCategories() {
        var o = NeedsOptions(); o.filter = ComplaintFilter(categories: ["cop"])
        let r = report(town(), options: o)
        XCTAssertEqual(r.totals.complaints, 30)
        XCTAssertEqual(row(r, "Akçay", "yol").count, 0)
    }

    /// Service figures on a known set (Merkez, March 2024, asOf 2024-04-01 00:00 Istanbul):
    /// yol resolutions 2, 4, 6, 8, 100 h (SLA 72 h → 4 met, 1 missed); 3 open yol created 2024-03-30 12:00
    /// (pending: 1.5 days old at asOf); cop: 1 open from 2024-03-01 12:00 (missed: 30.5 days old), resolutions 10 h, 30 h.
    func testServiceFiguresByHand() throws {
        var t = Town()
        t.addSquare("Akçay", id: 1, population: 10_000, column: 0)
        let d = istanbul(2024, 3, 10)
        for (h, s) in [(2.0, 5), (4.0, 4), (6.0, 0), (8.0, 3), (100.0, 1)] as [(Double, UInt8)] {
            t.add(1, mahalle: 1, category: "yol", created: d, resolvedAfterHours: h, channel: .whatsapp, satisfaction: s)
        }
        t.add(3, mahalle: 1, category: "yol", created: istanbul(2024, 3, 30), channel: .web)
        t.add(1, mahalle: 1, category: "cop", created: istanbul(2024, 3, 1), status: .inProgress)
        t.add(1, mahalle: 1, category: "cop", created: d, resolvedAfterHours: 10)
        t.add(1, mahalle: 1, category: "cop", created: d, resolvedAfterHours: 30)
        // Rejected without a resolution time: neither backlog nor SLA.
        t.add(1, mahalle: 1, category: "cop", created: d, status: .rejected)
        // Created in February, resolved in March after 20 days: in March's resolution times, not its SLA cohort.
        t.add(1, mahalle: 1, category: "park", created: istanbul(2024, 2, 20), resolvedAfterHours: 480)
        // Created in February, still open: backlog.
        t.add(1, mahalle: 1, category: "park", created: istanbul(2024, 2, 1, 0), status: .open)
        var o = NeedsOptions()
        o.asOf = IstanbulTime.startOfDay(year: 2024, month: 4, day: 1)
        o.slaHours = ["cop": 24]
        let r = NeedsReport.compute(snapshot: t.snapshot(), mahalle: t.mahalle, categories: t.categories, period: march,
                                    district: "Merkez", options: o)
        let s = r.service
        let yol = s.categories.first { $0.category == "yol" }!
        XCTAssertEqual(yol.created, 8)
        XCTAssertEqual(yol.resolved, 5)
        XCTAssertEqual(yol.medianResolutionHours!, 6, accuracy: 1e-9)
        XCTAssertEqual(yol.p90ResolutionHours!, 8 + 0.6 * 92, accuracy: 1e-6)   // h = 3.6 → 8 + 0.6·(100 − 8)
        XCTAssertEqual(yol.slaHours, 72)
        XCTAssertEqual([yol.slaMet, yol.slaMissed, yol.slaPending], [4, 1, 3])
        XCTAssertEqual(yol.slaShare!, 0.8, accuracy: 1e-12)
        XCTAssertEqual(yol.backlog, 3)
        XCTAssertEqual(yol.backlogMedianAgeDays!, 1.5, accuracy: 1e-9)
        XCTAssertEqual(yol.satisfactionMean!, 13.0 / 4, accuracy: 1e-12)
        XCTAssertEqual(yol.satisfactionCount, 4)

        let cop = s.categories.first { $0.category == "cop" }!
        XCTAssertEqual(cop.slaHours, 24)
        XCTAssertEqual([cop.slaMet, cop.slaMissed, cop.slaPending], [1, 2, 0])
        XCTAssertEqual(cop.backlog, 1)
        XCTAssertEqual(cop.backlogMedianAgeDays!, 30.5, accuracy: 1e-9)
        XCTAssertEqual(cop.medianResolutionHours!, 20, accuracy: 1e-9)

        let park = s.categories.first { $0.category == "park" }!
        XCTAssertEqual(park.created, 0)
        XCTAssertEqual(park.resolved, 1)
        XCTAssertEqual(park.medianResolutionHours!, 480, accuracy: 1e-9)
        XCTAssertEqual(park.backlog, 1)
        XCTAssertNil(park.slaShare)

        XCTAssertEqual(s.backlog, 5)
        XCTAssertEqual(s.backlogMedianAgeDays!, 1.5, accuracy: 1e-9)  // ages 1.5, 1.5, 1.5, 30.5, 60 days
        XCTAssertEqual(s.resolved, 8)
        XCTAssertEqual(s.slaMet, 5)
        XCTAssertEqual(s.slaMissed, 3)
        XCTAssertEqual(r.ranking[0].backlog, 5)
        XCTAssertEqual(s.channels.first { $0.channel == "whatsapp" }?.count, 5)
        XCTAssertEqual(s.channels.first { $0.channel == "web" }?.count, 3)
        XCTAssertEqual(s.channels.first { $0.channel == "phone" }?.count, 4)
        let fen = s.departments.first { $0.department == "Fen İşleri" }!
        XCTAssertEqual(fen.categories, ["yol"])
        XCTAssertEqual(fen.resolved, 5)

        // The backlog of a period that has ended is taken at its end, not at asOf.
        o.asOf = istanbul(2024, 9, 1)
        let later = NeedsReport.compute(snapshot: t.snapshot(), mahalle: t.mahalle, categories: t.categories, period: march,
                                        district: "Merkez", options: o)
        XCTAssertEqual(later.period.backlogAt, "2024-03-31T21:00:00Z")
        XCTAssertEqual(later.service.backlog, 5)
        XCTAssertEqual(later.service.categories.first { $0.category == "yol" }!.slaMissed, 4, "3 open yol now 5 months old")
    }

    func testJSONHasNoNaNAndExplicitNulls() throws {
        let r = report(town())
        let data = try r.jsonData()
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertFalse(text.contains("NaN") || text.contains("Infinity"))
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let rows = try XCTUnwrap(obj["rows"] as? [[String: Any]])
        let camlik = try XCTUnwrap(rows.first { $0["mahalle"] as? String == "Çamlık" && $0["category"] as? String == "yol" })
        XCTAssertTrue(camlik["per1000"] is NSNull, "zero population: per1000 is null")
        XCTAssertTrue(camlik["expected"] is NSNull)
        XCTAssertTrue(camlik["oeLow"] is NSNull)
        XCTAssertEqual(Set(rows.map { Set($0.keys) }).count, 1, "every row has the same keys")
        // Round trip.
        let back = try JSONDecoder().decode(NeedsReport.self, from: data)
        XCTAssertEqual(back.rows.count, r.rows.count)
        XCTAssertNil(back.rows.first { $0.mahalle == "Çamlık" }!.per1000)
    }

    func testCSVContract() throws {
        let r = report(town())
        let csv = r.csv()
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines[0], "district,mahalle,category,count,population,per1000,expected,oe,oe_low,oe_high,mahalle_id,mahalle_code,share,lq,excess,need,prev_count,prev_rate_ratio,prev_p,prev_q,prev_flag,yoy_count,yoy_rate_ratio,yoy_p,yoy_q,yoy_flag")
        XCTAssertEqual(lines.count, 1 + 12 + 1, "header, 3 mahalle × (3 categories + *), final newline")
        XCTAssertEqual(lines.last, "")
        XCTAssertTrue(lines[1].hasPrefix("Merkez,Akçay,*,40,10000,4,30,1.3333,0.9526,1.8156,"), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("Merkez,Akçay,yol,30,10000,3,16.6667,1.8,1.2145,2.5696,1,M1,0.75,1.2955,13.3333,1,5,5.6129,"), lines[2])
        let camlik = lines.first { $0.hasPrefix("Merkez,Çamlık,yol,") }!
        XCTAssertTrue(camlik.hasPrefix("Merkez,Çamlık,yol,5,0,,,,,,3,M3,1,1.7273,,0,"), camlik)
        XCTAssertFalse(csv.contains("e-") || csv.contains("e+") || csv.lowercased().contains("nan"))
        for l in lines.dropLast() { XCTAssertEqual(l.split(separator: ",", omittingEmptySubsequences: false).count, 26, l) }
    }

    func testTableIsReadable() {
        let text = report(town()).table()
        XCTAssertTrue(text.contains("Needs — Merkez, 2024-03"))
        XCTAssertTrue(text.contains("Akçay"))
        let mahalleSection = text.components(separatedBy: "\nMahalle\n")[1]
        let a = mahalleSection.range(of: "Akçay")!.lowerBound, b = mahalleSection.range(of: "Bağlar")!.lowerBound
        let c = mahalleSection.range(of: "Çamlık")!.lowerBound
        XCTAssertTrue(a < b && b < c, "Turkish order: A, B, Ç")
        XCTAssertTrue(text.contains("yol +13"))
    }

    func testIncompletePeriodUsesElapsedExposure() {
        var o = NeedsOptions(); o.asOf = istanbul(2024, 3, 16, 0)
        let r = report(town(), options: o)
        XCTAssertTrue(r.period.incomplete)
        XCTAssertTrue(r.notes.contains { $0.contains("had not ended") })
        let prev = row(r, "Bağlar", "cop").previous!
        let elapsed = Double(o.asOf! - march.start), feb = Double(Period.month("2024-02")!.end - Period.month("2024-02")!.start)
        XCTAssertEqual(prev.rateRatio!, (20 / elapsed) / (19 / feb), accuracy: 1e-12)
    }

    func testReportPeriodsForDayRanges() {
        let p = Period.days(from: "2024-03-01", to: "2024-03-10")!
        let rp = ReportPeriods(p)
        XCTAssertEqual(rp.previous?.label, "2024-02-20..2024-02-29")
        XCTAssertEqual(rp.yearEarlier?.label, "2023-03-01..2023-03-10")
        let leap = ReportPeriods(Period.days(from: "2024-02-29", to: "2024-02-29")!)
        XCTAssertEqual(leap.yearEarlier?.label, "2023-02-28..2023-02-28")
        XCTAssertNil(ReportPeriods(Period.days(from: "2024-02-29", to: nil)!).previous)
        let m = ReportPeriods(Period.month("2024-01")!)
        XCTAssertEqual(m.previous?.label, "2023-12")
        XCTAssertEqual(m.yearEarlier?.label, "2023-01")
    }

    /// Work-flow changes leave the old version of a complaint as a dead position in the snapshot and the new one in
    /// its tail: needs and hot spots must count each complaint once, with its new status (equal to a snapshot
    /// built from scratch with the same complaints).
    func testWorkflowChangesAreCountedOnce() throws {
        let t = town()
        var snap = t.snapshot()
        let opened = snap.sorted.indices.filter { snap.sorted[$0].status == CompiledFilter.statusCode(.open) }.prefix(12)
        XCTAssertEqual(opened.count, 12)
        for i in opened {
            var r = snap.sorted[i]
            r.status = CompiledFilter.statusCode(.resolved)
            r.resolved = r.created + 5 * 3600
            snap = snap.inserting(r)
        }
        XCTAssertEqual(snap.dead.count, 12)
        let clean = ComplaintSnapshot(tables: snap.tables, records: snap.mergedRecords())
        var o = NeedsOptions()
        o.asOf = istanbul(2024, 6, 1)
        func needs(_ s: ComplaintSnapshot) throws -> String {
            String(decoding: try NeedsReport.compute(snapshot: s, mahalle: t.mahalle, categories: t.categories, period: march,
                                                     district: "merkez", options: o).jsonData(pretty: true), as: UTF8.self)
        }
        XCTAssertEqual(try needs(snap), try needs(clean))
        XCTAssertNotEqual(try needs(snap), try needs(t.snapshot()), "the changes must show (fewer open, more resolved)")
        func hot(_ s: ComplaintSnapshot) throws -> String {
            String(decoding: try HotspotAnalysis.mahalle(snapshot: s, mahalle: t.mahalle, categories: t.categories, period: march)
                .jsonData(pretty: true), as: UTF8.self)
        }
        XCTAssertEqual(try hot(snap), try hot(clean))
    }
}
