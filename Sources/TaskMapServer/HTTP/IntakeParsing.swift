import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird

/// Turns intake input (the JSON API and Open311 forms) into a `NewComplaint`, checking every field.
struct IntakeFields {
    var lon: Double?
    var lat: Double?
    /// An address typed by an operator (JSON `address`, Open311 `address_string`), geocoded when no lon/lat.
    var address: String?
    var category: String?
    var channel: String?
    var type: String?
    var createdAt: String?
    var externalRef: String?
    var description: String?
    var mediaURLs: [String] = []
    var contactName: String?
    var contactPhone: String?
    var contactEmail: String?
    var status: String?

    /// Field names as the caller used them, for error messages (Open311 says `service_code`, `long`).
    var names = Names()
    struct Names {
        var lon = "lon", lat = "lat", category = "category", mediaURLs = "media_urls", email = "contact_email", address = "address"
    }

    /// The one place an address names: 422 naming the field when it names none, or several (listed, so the
    /// operator can add the mahalle or district).
    static func place(_ address: String, service: TaskMapService, field: String) throws -> GeocodeCandidate {
        let found = try service.store.geocode(address: address)
        guard let first = found.first else {
            throw APIError(.unprocessableContent, "address '\(address)' matches no street, door or mahalle of this store", field: field)
        }
        guard found.count == 1 else {
            let list = found.prefix(8).map { c in
                [c.street.map { s in c.door.map { "\(s) No:\($0)" } ?? s }, c.mahalle, c.district].compactMap { $0 }.joined(separator: ", ")
            }
            throw APIError(.unprocessableContent, "address '\(address)' is ambiguous (\(found.count) places: \(list.joined(separator: "; "))): "
                           + "add the mahalle or district", field: field)
        }
        return first
    }

    func complaint(service: TaskMapService, now: Date = Date()) throws -> NewComplaint {
        var lon = lon, lat = lat
        if lon == nil && lat == nil, let address {
            let p = try Self.place(address, service: service, field: names.address)
            lon = p.location.lon; lat = p.location.lat
        }
        guard let lon else { throw APIError.badRequest("\(names.lon) is required", field: names.lon) }
        guard let lat else { throw APIError.badRequest("\(names.lat) is required", field: names.lat) }
        guard abs(lon) <= 180 else { throw APIError.badRequest("\(names.lon) must be in [-180, 180]", field: names.lon) }
        guard abs(lat) <= 90 else { throw APIError.badRequest("\(names.lat) must be in [-90, 90]", field: names.lat) }
        let location = LonLat(lon: lon, lat: lat)
        if let area = service.servedArea, !area.contains(location) {
            throw APIError.badRequest("location \(lon), \(lat) is outside the area this server covers", field: names.lon)
        }
        guard let code = category else { throw APIError.badRequest("\(names.category) is required", field: names.category) }
        guard service.category(code) != nil else {
            throw APIError.badRequest("unknown \(names.category) '\(code)' (see /open311/v2/services.json)", field: names.category)
        }
        var ch = Channel.web
        if let channel {
            guard let c = Channel(parsing: channel) else {
                throw APIError.badRequest("unknown channel '\(channel)': expected \(Channel.allCases.map(\.rawValue).joined(separator: "|"))", field: "channel")
            }
            ch = c
        }
        var ty = ComplaintType.sikayet
        if let type {
            guard let t = ComplaintType(parsing: type) else { throw APIError.badRequest("unknown type '\(type)': expected sikayet|talep|oneri", field: "type") }
            ty = t
        }
        if let status, ComplaintStatus(parsing: status) != .open {
            throw APIError.badRequest("new complaints are open; change the status with PATCH", field: "status")
        }
        var created = now
        if let createdAt {
            guard let t = Timestamp.parse(createdAt) else {
                throw APIError.badRequest("created_at must be an ISO 8601 date-time", field: "created_at")
            }
            guard Double(t) <= now.timeIntervalSince1970 + 600 else { throw APIError.badRequest("created_at is in the future", field: "created_at") }
            created = Date(timeIntervalSince1970: TimeInterval(t))
        }
        for url in mediaURLs {
            guard let u = URL(string: url), let scheme = u.scheme?.lowercased(), scheme == "http" || scheme == "https", u.host != nil else {
                throw APIError.badRequest("media URLs must be http(s) URLs", field: names.mediaURLs)
            }
        }
        if let email = contactEmail, !email.contains("@") {
            throw APIError.badRequest("\(names.email) is not an e-mail address", field: names.email)
        }
        return NewComplaint(externalRef: externalRef, location: location, category: code, channel: ch, type: ty, status: .open,
                            createdAt: created, description: description, mediaURLs: mediaURLs, contactName: contactName,
                            contactPhone: contactPhone, contactEmail: contactEmail)
    }

    /// The JSON API body.
    static func json(_ body: JSONBody) throws -> IntakeFields {
        try body.rejectUnknown(["lon", "lat", "address", "category", "channel", "type", "created_at", "external_ref", "description",
                                "media_urls", "contact_name", "contact_phone", "contact_email", "status"])
        var f = IntakeFields()
        f.address = try body.string("address", maxLength: 300)
        f.lon = try body.number("lon", required: f.address == nil)
        f.lat = try body.number("lat", required: f.address == nil)
        f.category = try body.string("category", maxLength: 64, required: true)
        f.channel = try body.string("channel", maxLength: 32)
        f.type = try body.string("type", maxLength: 32)
        f.createdAt = try body.string("created_at", maxLength: 40)
        f.externalRef = try body.string("external_ref", maxLength: 200)
        f.description = try body.string("description", maxLength: 4_000)
        f.mediaURLs = try body.stringArray("media_urls")
        f.contactName = try body.string("contact_name", maxLength: 200)
        f.contactPhone = try body.string("contact_phone", maxLength: 50)
        f.contactEmail = try body.string("contact_email", maxLength: 200)
        f.status = try body.string("status", maxLength: 32)
        return f
    }

    /// An Open311 POST form (`FormBody`): `service_code`, `lat`, `long`, optional `email`, `first_name`,
    /// `last_name`, `phone`, `description`, `media_url`, `device_id`. Texts are trimmed; empty counts as absent.
    static func open311(_ form: [String: String]) throws -> IntakeFields {
        func text(_ name: String, max: Int) throws -> String? {
            guard let v = form[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
            guard v.count <= max else { throw APIError.badRequest("\(name) is longer than \(max) characters", field: name) }
            return v
        }
        func number(_ name: String) throws -> Double? {
            guard let v = try text(name, max: 40) else { return nil }
            guard let d = Double(v), d.isFinite else { throw APIError.badRequest("\(name) must be a number", field: name) }
            return d
        }
        var f = IntakeFields()
        f.names = .init(lon: "long", lat: "lat", category: "service_code", mediaURLs: "media_url", email: "email", address: "address_string")
        f.lon = try number("long")
        f.lat = try number("lat")
        f.address = try text("address_string", max: 300)
        f.category = try text("service_code", max: 64)
        f.channel = try text("device_id", max: 200) != nil ? "mobile" : "web"
        f.description = try text("description", max: 4_000)
        f.mediaURLs = try text("media_url", max: 1_000).map { [$0] } ?? []
        let name = [try text("first_name", max: 100), try text("last_name", max: 100)].compactMap { $0 }.joined(separator: " ")
        f.contactName = name.isEmpty ? nil : name
        f.contactPhone = try text("phone", max: 50)
        f.contactEmail = try text("email", max: 200)
        return f
    }
}

extension HTTPField.Name {
    static let apiKey = HTTPField.Name("X-API-Key")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
