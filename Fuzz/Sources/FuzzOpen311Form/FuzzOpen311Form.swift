import Foundation
import FuzzSupport
import Hummingbird
@testable import GeoIndex
@testable import TaskMapServer

// Open311 form parser: one input is the body of `POST /open311/v2/requests.json`
// (application/x-www-form-urlencoded). It goes through `FormBody.parse`, the Open311 field extraction
// (`IntakeFields.open311`) and the intake checks (`IntakeFields.complaint(service:)`) against a service over a
// scratch store holding the sample district's mahalle and the default categories (made once per process; the
// complaint is not written). Invariants: a parsed form written back (strictly percent-encoded) parses to the same
// fields; extracted texts are trimmed, non-empty and within their limits; an accepted complaint is open, in range,
// inside the served area and has a known category.

private let service: TaskMapService = {
    let (store, path) = scratchStore()
    do {
        let mahalle = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../data/sample-parcels/mahalle.geojson").standardized.path
        _ = try store.addBoundaries(BoundaryInput(source: mahalle, mahalle: try GeoJSONReader.mahalle(path: mahalle),
                                                  parcels: [], categories: Category.defaults))
        return try TaskMapService(store: store, config: ServerConfiguration(databasePath: path))
    } catch { fatalError("cannot create the scratch service: \(error)") }
}()

/// Unreserved characters only: everything else is percent-encoded when a parsed value is written back.
private let unreserved: CharacterSet = {
    var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    allowed.insert(charactersIn: "-._~")
    return allowed
}()

private func encode(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: unreserved)! }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOpen311Form(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let form: [String: String]
    do { form = try FormBody.parse(ByteBuffer(bytes: input(data, size))) } catch let e as APIError {
        require(e.status == .badRequest, "form error \(e)")
        return 0
    } catch {
        require(false, "FormBody.parse threw \(error)"); return 0
    }
    let again = form.sorted { $0.key < $1.key }.map { encode($0.key) + "=" + encode($0.value) }.joined(separator: "&")
    do {
        let form2 = try FormBody.parse(ByteBuffer(string: again))
        require(form2 == form, "form \(form) written back as '\(again)' parses to \(form2)")
    } catch { require(false, "form \(form) written back as '\(again)' fails: \(error)") }

    let fields: IntakeFields
    do { fields = try IntakeFields.open311(form) } catch let e as APIError {
        require(e.status == .badRequest && e.field != nil, "field error without a field: \(e)")
        return 0
    } catch {
        require(false, "IntakeFields.open311 threw \(error)"); return 0
    }
    for (name, value, limit) in [("service_code", fields.category, 64), ("description", fields.description, 4_000),
                                 ("phone", fields.contactPhone, 50), ("email", fields.contactEmail, 200)] {
        if let v = value {
            require(!v.isEmpty && v.count <= limit && v == v.trimmingCharacters(in: .whitespacesAndNewlines), "\(name) '\(v)' kept")
        }
    }
    require([fields.lon, fields.lat].allSatisfy { $0?.isFinite ?? true }, "non-finite lat/long kept")
    require(fields.channel == "web" || fields.channel == "mobile", "channel \(String(describing: fields.channel))")

    let now = Date()
    do {
        let c = try fields.complaint(service: service, now: now)
        require(c.location.isValid, "location \(c.location) accepted")
        require(service.servedArea.map { $0.contains(c.location) } ?? true, "location \(c.location) outside the served area accepted")
        require(service.category(c.category) != nil, "unknown category \(c.category) accepted")
        require(c.status == .open && (c.channel == .web || c.channel == .mobile), "status \(c.status) / channel \(c.channel)")
        require(c.createdAt == now, "created_at \(c.createdAt) ≠ now for an Open311 POST")
        require(c.mediaURLs.count <= 1, "more than one media_url")
        if let e = c.contactEmail { require(e.contains("@"), "email '\(e)' accepted") }
    } catch let e as APIError {
        require(e.status == .badRequest && e.field != nil, "intake error without a field: \(e)")
    } catch {
        require(false, "IntakeFields.complaint threw \(error)")
    }
    return 0
}

/// The program's entry point: SwiftPM links `main` to `FuzzOpen311Form_main` (see FuzzSupport.runFuzzer).
@_cdecl("FuzzOpen311Form_main")
public func fuzzOpen311FormMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(fuzzOpen311Form)
}
