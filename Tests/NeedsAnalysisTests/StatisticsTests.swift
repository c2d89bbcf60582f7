import Foundation
import XCTest
@testable import NeedsAnalysis

/// Special functions, the exact Poisson interval, the binomial test, BH and quantiles against scipy 1.17
/// (Fixtures/scipy-fixtures.json, from scripts/scipy-fixtures.py).
final class StatisticsTests: XCTestCase {
    var fixtures: [String: Any] = [:]

    override func setUpWithError() throws { fixtures = try FixtureFile.json("scipy-fixtures.json") }

    func cases(_ key: String) -> [[String: Double]] {
        (fixtures[key] as? [[String: Any]] ?? []).map { $0.compactMapValues { ($0 as? NSNumber)?.doubleValue } }
    }

    func assertRelative(_ a: Double, _ b: Double, _ tol: Double, _ msg: String, file: StaticString = #filePath, line: UInt = #line) {
        let scale = max(abs(b), 1e-300)
        XCTAssert(abs(a - b) <= tol * scale || abs(a - b) < 1e-300, "\(msg): \(a) vs scipy \(b)", file: file, line: line)
    }

    func testRegularizedGamma() {
        let all = cases("gammainc")
        XCTAssertEqual(all.count, 130)
        for c in all {
            let a = c["a"]!, x = c["x"]!
            XCTAssertEqual(SpecialFunctions.regularizedGammaP(a, x), c["P"]!, accuracy: 1e-13, "P(\(a), \(x))")
            XCTAssertEqual(SpecialFunctions.regularizedGammaQ(a, x), c["Q"]!, accuracy: 1e-13, "Q(\(a), \(x))")
            if c["Q"]! > 1e-250 && c["Q"]! < 0.5 { assertRelative(SpecialFunctions.regularizedGammaQ(a, x), c["Q"]!, 1e-10, "Q tail (\(a), \(x))") }
        }
    }

    func testGammaQuantileMatchesGammaincinv() {
        for c in cases("gammaincinv") {
            assertRelative(SpecialFunctions.gammaQuantile(c["p"]!, shape: c["a"]!), c["x"]!, 1e-10, "gammaincinv(\(c["a"]!), \(c["p"]!))")
        }
    }

    func testChiSquareQuantile() {
        for c in cases("chi2ppf") {
            assertRelative(SpecialFunctions.chiSquareQuantile(c["p"]!, degreesOfFreedom: c["df"]!), c["x"]!, 1e-10, "chi2.ppf(\(c["p"]!), \(c["df"]!))")
        }
    }

    /// The exact interval equals ½χ²(α/2; 2k) … ½χ²(1−α/2; 2k+2) from scipy for k = 0…30 and up to 100,000.
    func testExactPoissonInterval() {
        let all = cases("poissonInterval")
        XCTAssertGreaterThan(all.count, 40)
        for c in all {
            let k = Int(c["k"]!)
            let i = PoissonInterval(count: k, confidence: c["confidence"]!)
            if k == 0 { XCTAssertEqual(i.lower, 0) } else { assertRelative(i.lower, c["lower"]!, 1e-10, "lower k=\(k)") }
            assertRelative(i.upper, c["upper"]!, 1e-10, "upper k=\(k)")
        }
        // Textbook values: k = 0 → [0, 3.689], k = 10 → [4.795, 18.39].
        XCTAssertEqual(PoissonInterval(count: 0).upper, 3.6888794541139363, accuracy: 1e-12)
        XCTAssertEqual(PoissonInterval(count: 10).lower, 4.795389, accuracy: 1e-6)
        XCTAssertNil(PoissonInterval(count: 3).ratio(toExpected: 0))
    }

    func testBinomialTestMatchesScipy() {
        for c in cases("binomtest") {
            let k = Int(c["k"]!), n = Int(c["n"]!), p = c["p"]!
            let mine = BinomialTest.twoSided(k: k, n: n, p: p)
            XCTAssertEqual(mine, c["pvalue"]!, accuracy: max(1e-12, 1e-9 * c["pvalue"]!), "binomtest(\(k), \(n), \(p))")
        }
    }

    func testPoissonComparison() {
        // 40 vs 12 complaints in a 31-day vs a 30-day month: p from scipy binomtest(40, 52, 31/61).
        let c = PoissonComparison(count: 40, exposure: 31, baseline: 12, baselineExposure: 30)
        let scipy = cases("binomtest").first { $0["k"] == 40 && $0["n"] == 52 }!["pvalue"]!
        XCTAssertEqual(c.p, scipy, accuracy: 1e-12)
        XCTAssertEqual(c.rateRatio!, (40.0 / 31) / (12.0 / 30), accuracy: 1e-12)
        XCTAssertEqual(c.direction, 1)
        XCTAssertNil(PoissonComparison(count: 3, exposure: 1, baseline: 0, baselineExposure: 1).rateRatio)
        XCTAssertEqual(PoissonComparison(count: 0, exposure: 1, baseline: 0, baselineExposure: 1).p, 1)
    }

    func testBenjaminiHochberg() throws {
        let bh = try XCTUnwrap(fixtures["benjaminiHochberg"] as? [String: [Double]])
        let q = BenjaminiHochberg.adjust(bh["p"]!)
        for (a, b) in zip(q, bh["q"]!) { XCTAssertEqual(a, b, accuracy: 1e-15) }
        XCTAssertEqual(BenjaminiHochberg.adjust([]), [])
    }

    func testNormal() {
        for c in cases("normal") {
            assertRelative(SpecialFunctions.normalQuantile(c["p"]!), c["quantile"]!, 1e-12, "norm.ppf(\(c["p"]!))")
            assertRelative(SpecialFunctions.normalSF(c["z"]!), c["sf"]!, 1e-13, "norm.sf(\(c["z"]!))")
        }
    }

    func testQuantilesAreNumpyLinear() throws {
        let q = try XCTUnwrap(fixtures["percentile"] as? [String: [Double]])
        let x = q["x"]!.map { UInt32($0) }.sorted()
        for (p, v) in zip(q["q"]!, q["value"]!) { XCTAssertEqual(Quantiles.sorted(x, p)!, v, accuracy: 1e-12) }
        XCTAssertNil(Quantiles.sorted([UInt32](), 0.5))
        XCTAssertEqual(Quantiles.sorted([UInt32(1), 2, 3, 4], 0.5), 2.5)
    }

    func testPlainNumbersNeverUseExponents() {
        XCTAssertEqual(PlainNumber.significant(1.234567e-12), "0.00000000000123457")
        XCTAssertEqual(PlainNumber.fixed(2.5, decimals: 4), "2.5")
        XCTAssertEqual(PlainNumber.fixed(-0.00001, decimals: 4), "0")
        XCTAssertEqual(PlainNumber.fixed(1e20, decimals: 2), "100000000000000000000")
        XCTAssertEqual(PlainNumber.significant(0), "0")
        XCTAssertEqual(PlainNumber.fixed(.nan, decimals: 2), "")
    }
}

final class PlainNumberTests: XCTestCase {
    /// The integer fast path agrees with printf's %.Nf (then trimmed) on ordinary report numbers.
    func testFastPathAgreesWithPrintf() {
        var s: UInt64 = 12345
        for _ in 0..<20_000 {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            let x = (Double(s >> 11) / Double(1 << 53) - 0.3) * pow(10, Double(Int(s % 9)) - 3)
            for d in [0, 2, 4, 6] {
                var ref = String(format: "%.\(d)f", x)
                if ref.contains(".") { while ref.hasSuffix("0") { ref.removeLast() }; if ref.hasSuffix(".") { ref.removeLast() } }
                if ref == "-0" { ref = "0" }
                let mine = PlainNumber.fixed(x, decimals: d)
                // Exact ties may round differently (printf rounds the exact binary value half to even).
                if mine != ref { XCTAssertEqual(abs(Double(mine)! - Double(ref)!), pow(10, -Double(d)), accuracy: 1e-9 * max(1, abs(x)), "\(x) d=\(d)") }
            }
        }
        XCTAssertEqual(PlainNumber.fixed(-1.5, decimals: 0), "-2")
        XCTAssertEqual(PlainNumber.fixed(0.1 + 0.2, decimals: 4), "0.3")
        XCTAssertEqual(PlainNumber.fixed(1234.5678, decimals: 2), "1234.57")
        XCTAssertEqual(PlainNumber.fixed(0.00012, decimals: 4), "0.0001")
    }
}
