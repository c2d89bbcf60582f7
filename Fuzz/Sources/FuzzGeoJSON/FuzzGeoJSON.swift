import Foundation
import FuzzSupport
@testable import GeoIndex

// GeoJSON reader: the bytes of one file go through every reader `taskmap` has for GeoJSON — the
// FeatureCollection check (`GeoJSONReader.features`), mahalle boundaries (`mahalle(path:)`), address parcels
// (`parcels(path:)`) and point complaints (`ComplaintImporter.parseGeoJSONPoints`, which reuses the CSV row
// parser), followed by the importer's duplicate-id pass. The importer's store (needed only to construct it) is an
// empty SpatiaLite file made once per process; nothing is written to it.

private let path = scratchPath("input.geojson")
private let importer = scratchImporter()

private func checkGeometry(_ g: MultiPolygon, _ what: String) {
    require(!g.polygons.isEmpty, "\(what): empty MultiPolygon accepted")
    for p in g.polygons {
        require(!p.rings.isEmpty, "\(what): polygon without rings accepted")
        for r in p.rings {
            require(r.count >= 4 && r.first == r.last, "\(what): ring of \(r.count) positions / not closed accepted")
            require(r.allSatisfy(\.isValid), "\(what): invalid position accepted")
        }
    }
}

/// Runs `body`; an `ImportError` must name the file, anything else thrown is a bug.
private func expectImportError(_ what: String, _ body: () throws -> Void) {
    do { try body() } catch let e as ImportError {
        require(e.file == path, "\(what): error names another file: \(e)")
        require(!e.message.isEmpty, "\(what): empty error message")
    } catch {
        require(false, "\(what) threw a non-ImportError: \(error)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGeoJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = input(data, size)
    overwrite(path, bytes)

    var isCollection = false
    expectImportError("features") {
        let feats = try GeoJSONReader.features(data: Data(bytes), file: path)
        isCollection = true
        for (i, f) in feats.enumerated() {
            expectImportError("multiPolygon") {
                checkGeometry(try GeoJSONReader.multiPolygon(f["geometry"], file: path, location: "feature \(i + 1)"), "feature \(i + 1)")
            }
        }
    }
    guard isCollection else { return 0 }  // the three readers below all start with `features`: nothing new to reach
    expectImportError("mahalle") {
        let rows = try GeoJSONReader.mahalle(path: path)
        require(!rows.isEmpty, "mahalle: no rows and no error")
        var keys = Set<String>()
        for r in rows {
            require(!r.name.isEmpty && !r.district.isEmpty, "mahalle: empty name or district accepted")
            require(r.population >= 0, "mahalle: negative population \(r.population)")
            require(keys.insert(TurkishText.foldKey(r.district) + "\u{1}" + TurkishText.foldKey(r.name)).inserted, "mahalle: duplicate accepted")
            checkGeometry(r.geometry, "mahalle \(r.location)")
        }
    }
    expectImportError("parcels") {
        for r in try GeoJSONReader.parcels(path: path) {
            require(!r.street.isEmpty && !r.door.isEmpty, "parcel: empty street or door accepted")
            checkGeometry(r.geometry, "parcel \(r.location)")
        }
    }
    expectImportError("points") {
        var parsed = try importer.parseGeoJSONPoints(path)
        let n = parsed.rows.count
        require(parsed.errors.count == n && parsed.lines.count == n, "row arrays differ in length")
        for i in 0..<n {
            require((parsed.rows[i] == nil) != (parsed.errors[i] == nil), "feature \(i + 1): needs exactly one of row or error")
            _ = parsed.raw(i)
            if let r = parsed.rows[i] { checkAccepted(r, "feature \(i + 1)") }
        }
        ComplaintImporter.markDuplicateRefs(&parsed)
    }
    return 0
}

/// The program's entry point: SwiftPM links `main` to `FuzzGeoJSON_main` (see FuzzSupport.runFuzzer).
@_cdecl("FuzzGeoJSON_main")
public func fuzzGeoJSONMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(fuzzGeoJSON)
}
