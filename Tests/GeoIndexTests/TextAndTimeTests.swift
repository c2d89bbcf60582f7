import Foundation
import XCTest
@testable import GeoIndex

final class TextAndTimeTests: XCTestCase {
    func testTurkishCaseFolding() {
        XCTAssertEqual(TurkishText.lowercased("İSTANBUL IĞDIR"), "istanbul ığdır")
        XCTAssertEqual(TurkishText.uppercased("istanbul ığdır"), "İSTANBUL IĞDIR")
        XCTAssertEqual(TurkishText.foldKey(" ŞİKAYET "), "sikayet")
        XCTAssertEqual(TurkishText.foldKey("Öneri"), "oneri")
    }

    func testTurkishSortOrder() {
        let names = ["Zafer", "Çınarlı", "Cumhuriyet", "İnönü", "Ilıca", "Şehitler", "Sakarya", "Ördekdede", "Ocak", "Ülkü", "Uğur", "Gazi", "Ğ", "ırmak", "ismet"]
        XCTAssertEqual(TurkishText.sorted(names),
                       ["Cumhuriyet", "Çınarlı", "Gazi", "Ğ", "Ilıca", "ırmak", "İnönü", "ismet", "Ocak", "Ördekdede", "Sakarya", "Şehitler", "Uğur", "Ülkü", "Zafer"])
        XCTAssertEqual(TurkishText.sorted(["Mahalle 10", "Mahalle 2", "Mahalle 1"]), ["Mahalle 1", "Mahalle 10", "Mahalle 2"])
    }

    func testTimestampParseCases() {
        let cases: [(String, Int64?)] = [
            ("2024-03-05T11:30:00Z", 1_709_638_200),
            ("2024-03-05T14:30:00+03:00", 1_709_638_200),
            ("2024-03-05T14:30:00+0300", 1_709_638_200),
            ("2024-03-05 14:30", 1_709_638_200),            // Istanbul local
            ("2024-03-05T14:30:00.123", 1_709_638_200),
            ("2024-03-05", 1_709_586_000),                  // local midnight = 21:00Z the day before
            ("2015-07-01T12:00:00", 1_435_741_200),          // summer time then (UTC+3 as EEST)
            ("2015-01-01T12:00:00", 1_420_106_400),          // winter time then (UTC+2)
            ("2024-02-30", nil), ("2024-13-01", nil), ("05.03.2024", nil), ("2024-03-05T25:00", nil), ("", nil),
            ("2024-03-05Tnoon", nil), ("2024-03-05T10:00:00+03:00x", nil),
        ]
        for (text, expect) in cases { XCTAssertEqual(Timestamp.parse(text), expect, text) }
    }

    func testTimestampFormatRoundTrip() {
        for t: Int64 in [0, 946_684_800, 1_709_638_200, 1_735_689_599, 4_102_444_800] {
            XCTAssertEqual(Timestamp.parse(Timestamp.format(unix: t)), t)
        }
        XCTAssertEqual(Timestamp.format(unix: 1_709_638_200), "2024-03-05T11:30:00Z")
    }

    func testMonthPeriodsInIstanbul() throws {
        let p = try XCTUnwrap(Period.month("2024-03"))
        XCTAssertEqual(p.start, 1_709_240_400) // 2024-02-29T21:00:00Z
        XCTAssertEqual(p.end, 1_711_918_800)   // 2024-03-31T21:00:00Z
        XCTAssertEqual(p.shiftedMonths(-1)?.label, "2024-02")
        XCTAssertEqual(p.shiftedMonths(-12)?.label, "2023-03")
        XCTAssertEqual(Period.month("2024-12")?.shiftedMonths(1)?.label, "2025-01")
        XCTAssertNil(Period.month("2024-3"))
        XCTAssertNil(Period.month("2024-00"))
        let days = try XCTUnwrap(Period.days(from: "2024-03-01", to: "2024-03-31"))
        XCTAssertEqual(days.start, p.start)
        XCTAssertEqual(days.end, p.end)
        XCTAssertNil(Period.days(from: "2024-03-02", to: "2024-03-01"))
    }

    func testEnumParsingAcceptsTurkishAndAliases() {
        XCTAssertEqual(Channel(parsing: "Alo 153"), .phone)
        XCTAssertEqual(Channel(parsing: "153"), .phone)
        XCTAssertEqual(Channel(parsing: "E-Devlet"), .eDevlet)
        XCTAssertEqual(Channel(parsing: "Beyaz Masa"), .beyazMasa)
        XCTAssertNil(Channel(parsing: "güvercin"))
        XCTAssertEqual(ComplaintType(parsing: "Şikayet"), .sikayet)
        XCTAssertEqual(ComplaintType(parsing: "ÖNERİ"), .oneri)
        XCTAssertEqual(ComplaintStatus(parsing: "in-progress"), .inProgress)
        XCTAssertEqual(ComplaintStatus(parsing: "Çözüldü"), .resolved)
        XCTAssertTrue(ComplaintStatus.open.canTransition(to: .assigned))
        XCTAssertFalse(ComplaintStatus.closed.canTransition(to: .open))
    }

    func testFilterParsingNamesTheField() {
        XCTAssertThrowsError(try ComplaintFilter.parse(status: "open,done?")) { e in
            XCTAssertTrue("\(e)".contains("invalid status 'done?'"), "\(e)")
        }
        XCTAssertThrowsError(try ComplaintFilter.parse(month: "2024-13")) { e in XCTAssertTrue("\(e)".contains("month")) }
        XCTAssertThrowsError(try ComplaintFilter.parse(from: "2024-01-01", month: "2024-01"))
        XCTAssertThrowsError(try ComplaintFilter.parse(from: "2024-02-01", to: "2024-01-01"))
        let f = try? ComplaintFilter.parse(category: "Yol,KAR", status: "open", channel: "153", month: "2024-01")
        XCTAssertEqual(f?.categories, ["yol", "kar"])
        XCTAssertEqual(f?.channels, [.phone])
    }

    /// The filter parser's own trim and label padding agree with Foundation's (they replace it on the tile path).
    func testTrimAndPaddingAgreeWithFoundation() {
        let samples = ["", " ", "\t", "yol", " yol ", "\tyol\t", "\u{00A0}park\u{3000}", " kar dere ", "\nsu\n", "\u{2003}",
                       "çöp ", " ğ ı ş ", "a\u{0301} ", "\u{200B}x\u{200B}", "\r\n"]
        for s in samples {
            XCTAssertEqual(trimmingSpaces(Substring(s)), s.trimmingCharacters(in: .whitespaces), s.debugDescription)
        }
        for v in UInt32(0)...0xFFFF {
            guard let u = Unicode.Scalar(v) else { continue }
            let s = "a" + String(u) + "b", padded = String(u) + "ab" + String(u)
            XCTAssertEqual(trimmingSpaces(Substring(padded)), padded.trimmingCharacters(in: .whitespaces), "U+\(String(v, radix: 16))")
            XCTAssertEqual(trimmingSpaces(Substring(s)), s)
        }
        for (n, w) in [(0, 2), (7, 2), (12, 2), (2024, 4), (999, 4), (12345, 4), (-3, 4)] {
            XCTAssertEqual(Period.zeroPadded(n, w), String(format: "%0\(w)d", n))
        }
        XCTAssertEqual(Period.month("2024-03")?.label, "2024-03")
    }
}
