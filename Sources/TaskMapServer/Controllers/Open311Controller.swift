import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird

/// Open311 GeoReport v2 under `/open311/v2/`: services (categories), service definitions, requests (GET with
/// the spec's filters, 90-day / 1000-result defaults; POST form-encoded with `api_key`) and single requests, in
/// JSON and XML. Errors use the spec's format (see `ErrorMiddleware`). Personal fields (contact details and the
/// description) are accepted on POST but never returned: `description` is written as `null` (`<description/>`).
/// A complainant's free text names people, addresses and phone numbers; FixMyStreet publishes it only after a
/// moderator has read it, and taskmap has no moderation step, so the public sees the category, place and state.
struct Open311Controller<Context: RequestContext> {
    let service: TaskMapService
    /// Per-key write limit for POST (nil: not limited).
    var writeLimiter: RateLimiter?

    enum Format: String { case json, xml }

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("discovery.json") { request, _ in discovery(.json, request: request) }
        routes.get("discovery.xml") { request, _ in discovery(.xml, request: request) }
        for format in [Format.json, .xml] {
            routes.get("services.\(format.rawValue)") { _, _ in services(format) }
            routes.get("services/{code}.\(format.rawValue)") { _, context in try definition(format, context: context) }
            routes.get("requests.\(format.rawValue)") { request, _ in try requests(format, request: request) }
            routes.post("requests.\(format.rawValue)") { request, _ in try await create(format, request: request) }
            routes.get("requests/{id}.\(format.rawValue)") { _, context in try single(format, context: context) }
        }
        return routes
    }

    // MARK: - Services

    struct ServiceOutput: Encodable {
        var serviceCode: String
        var serviceName: String
        var description: String
        var metadata = false
        var type = "realtime"
        var keywords: String
        var group: String
        enum CodingKeys: String, CodingKey {
            case serviceCode = "service_code", serviceName = "service_name", description, metadata, type, keywords, group
        }
    }

    func serviceList() -> [ServiceOutput] {
        service.categories.map {
            ServiceOutput(serviceCode: $0.code, serviceName: $0.nameTR, description: "\($0.nameTR) (\($0.nameEN))",
                          keywords: [$0.code, $0.nameTR, $0.nameEN].joined(separator: ","), group: $0.department)
        }
    }

    func services(_ format: Format) -> Response {
        let list = serviceList()
        switch format {
        case .json: return JSONOutput.response(list)
        case .xml:
            var x = XMLWriter(root: "services")
            for s in list {
                x.open("service")
                x.element("service_code", s.serviceCode)
                x.element("service_name", s.serviceName)
                x.element("description", s.description)
                x.element("metadata", "false")
                x.element("type", s.type)
                x.element("keywords", s.keywords)
                x.element("group", s.group)
                x.close()
            }
            return JSONOutput.text(x.finish(), contentType: "text/xml; charset=utf-8")
        }
    }

    /// Every service has `metadata: false`, so its definition has no attributes.
    func definition(_ format: Format, context: Context) throws -> Response {
        let code = context.parameters.get("code") ?? ""
        guard service.category(code) != nil else { throw APIError.notFound("unknown service_code '\(code)'") }
        switch format {
        case .json:
            return JSONOutput.response(Open311Definition(service_code: code))
        case .xml:
            var x = XMLWriter(root: "service_definition")
            x.element("service_code", code)
            x.open("attributes")
            return JSONOutput.text(x.finish(), contentType: "text/xml; charset=utf-8")
        }
    }

    /// Discovery with the endpoint's absolute URL (clients such as `georeport` join paths to it): built from the
    /// request's Host, and `X-Forwarded-Proto`/`X-Forwarded-Host` when a proxy terminates TLS in front.
    func discovery(_ format: Format, request: Request) -> Response {
        let proto = request.headers[HTTPField.Name("X-Forwarded-Proto")!] ?? "http"
        let host = request.headers[HTTPField.Name("X-Forwarded-Host")!] ?? request.head.authority
            ?? "\(service.config.host):\(service.config.port)"
        var d = Open311Discovery()
        d.endpoints[0].url = "\(proto == "https" ? "https" : "http")://\(host)/open311/v2/"
        switch format {
        case .json: return JSONOutput.response(d)
        case .xml:
            var x = XMLWriter(root: "discovery")
            x.element("changeset", d.changeset)
            x.element("contact", d.contact)
            x.element("key_service", d.key_service)
            x.open("endpoints")
            for e in d.endpoints {
                x.open("endpoint")
                x.element("specification", e.specification)
                x.element("url", e.url)
                x.element("changeset", e.changeset)
                x.element("type", e.type)
                x.open("formats")
                for f in e.formats { x.element("format", f) }
                x.close()
                x.close()
            }
            x.close()
            return JSONOutput.text(x.finish(), contentType: "text/xml; charset=utf-8")
        }
    }

    // MARK: - Requests

    /// One service request as GeoReport v2 shows it. `description` is always null and there are no contact fields:
    /// they are personal (see the type's comment).
    struct RequestOutput: Encodable {
        var serviceRequestID: String
        var status: String
        var statusNotes: String?
        var serviceName: String?
        var serviceCode: String
        var agencyResponsible: String?
        var serviceNotice: String?
        var requestedDatetime: String
        var updatedDatetime: String?
        var expectedDatetime: String?
        var address: String?
        var addressID: String?
        var zipcode: String?
        var lat: Double
        var long: Double
        var mediaURL: String?

        enum CodingKeys: String, CodingKey {
            case serviceRequestID = "service_request_id", status, statusNotes = "status_notes", serviceName = "service_name",
                 serviceCode = "service_code", agencyResponsible = "agency_responsible", serviceNotice = "service_notice",
                 requestedDatetime = "requested_datetime", updatedDatetime = "updated_datetime",
                 expectedDatetime = "expected_datetime", address, addressID = "address_id", zipcode, lat, long,
                 mediaURL = "media_url", description
        }

        /// Every spec field is written, `null` when unknown — and `description` always `null` (personal).
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(serviceRequestID, forKey: .serviceRequestID)
            try c.encode(status, forKey: .status)
            try c.encode(statusNotes, forKey: .statusNotes)
            try c.encodeNil(forKey: .description)
            try c.encode(serviceName, forKey: .serviceName)
            try c.encode(serviceCode, forKey: .serviceCode)
            try c.encode(agencyResponsible, forKey: .agencyResponsible)
            try c.encode(serviceNotice, forKey: .serviceNotice)
            try c.encode(requestedDatetime, forKey: .requestedDatetime)
            try c.encode(updatedDatetime, forKey: .updatedDatetime)
            try c.encode(expectedDatetime, forKey: .expectedDatetime)
            try c.encode(address, forKey: .address)
            try c.encode(addressID, forKey: .addressID)
            try c.encode(zipcode, forKey: .zipcode)
            try c.encode(lat, forKey: .lat)
            try c.encode(long, forKey: .long)
            try c.encode(mediaURL, forKey: .mediaURL)
        }

        var xmlFields: [(String, String?)] {
            [("service_request_id", serviceRequestID), ("status", status), ("status_notes", statusNotes), ("description", nil),
             ("service_name", serviceName), ("service_code", serviceCode), ("agency_responsible", agencyResponsible),
             ("service_notice", serviceNotice), ("requested_datetime", requestedDatetime),
             ("updated_datetime", updatedDatetime), ("expected_datetime", expectedDatetime), ("address", address),
             ("address_id", addressID), ("zipcode", zipcode), ("lat", String(lat)), ("long", String(long)),
             ("media_url", mediaURL)]
        }
    }

    func output(_ p: PublicComplaint) -> RequestOutput {
        let isOpen = ComplaintStatus(rawValue: p.status)?.isOpen ?? true
        var address: [String] = []
        if let street = p.street { address.append(p.door.map { "\(street) No:\($0)" } ?? street) }
        if let m = p.mahalle { address.append(m.name) }
        if let d = p.district { address.append(d) }
        return RequestOutput(
            serviceRequestID: String(p.id), status: isOpen ? "open" : "closed", statusNotes: p.status,
            serviceName: p.categoryName, serviceCode: p.category, agencyResponsible: p.department, serviceNotice: nil,
            requestedDatetime: p.createdAt,
            // The latest change: an imported request's closing time counts even when no update time was recorded.
            updatedDatetime: [p.updatedAt, p.resolvedAt, p.createdAt].compactMap { $0 }.max(), expectedDatetime: nil,
            address: address.isEmpty ? nil : address.joined(separator: ", "), addressID: nil, zipcode: nil,
            lat: p.location.lat, long: p.location.lon, mediaURL: nil)  // photos: staff only (work screen)
    }

    func render(_ list: [RequestOutput], _ format: Format) -> Response {
        switch format {
        case .json: return JSONOutput.response(list)
        case .xml:
            var x = XMLWriter(root: "service_requests")
            for r in list {
                x.open("request")
                for (name, value) in r.xmlFields { x.element(name, value) }
                x.close()
            }
            return JSONOutput.text(x.finish(), contentType: "text/xml; charset=utf-8")
        }
    }

    func single(_ format: Format, context: Context) throws -> Response {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw APIError.badRequest("service_request_id must be a positive integer", field: "service_request_id")
        }
        guard let c = try service.store.complaint(id: id) else { throw APIError.notFound("service request \(id) not found") }
        return render([output(service.publicView(c))], format)
    }

    /// GET requests: `service_request_id` (comma list; other filters are then ignored, as the spec says),
    /// `service_code`, `start_date`, `end_date` (at most 90 days apart; default the last 90 days), `status`
    /// (open, closed). Newest first, at most 1000.
    func requests(_ format: Format, request: Request) throws -> Response {
        if let ids = request.query("service_request_id") {
            var out: [RequestOutput] = []
            for part in ids.split(separator: ",").prefix(service.config.open311MaxResults) {
                guard let id = Int64(part.trimmingCharacters(in: .whitespaces)), id > 0 else {
                    throw APIError.badRequest("service_request_id must be a comma list of ids", field: "service_request_id")
                }
                if let c = try service.store.complaint(id: id) { out.append(output(service.publicView(c))) }
            }
            return render(out, format)
        }
        var filter = ComplaintFilter()
        if let codes = request.query("service_code") {
            let list = codes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for code in list where service.category(code) == nil {
                throw APIError.badRequest("unknown service_code '\(code)'", field: "service_code")
            }
            filter.categories = Set(list)
        }
        if let statuses = request.query("status") {
            var set = Set<ComplaintStatus>()
            for s in statuses.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
                switch s {
                case "open": set.formUnion(ComplaintStatus.allCases.filter(\.isOpen))
                case "closed": set.formUnion(ComplaintStatus.allCases.filter { !$0.isOpen })
                default: throw APIError.badRequest("status must be open or closed", field: "status")
                }
            }
            filter.statuses = set
        }
        func date(_ name: String) throws -> Int64? {
            guard var text = request.query(name) else { return nil }
            // Python clients (the `georeport` package) send str(datetime): "2024-12-01 00:00:00", no zone — read
            // as UTC, as a W3C time without an offset would be.
            if text.count == 19, let sep = text.dropFirst(10).first, sep == " " || sep == "+" {  // "+": a form-encoded space
                text = String(text.prefix(10)) + "T" + String(text.dropFirst(11)) + "Z"
            }
            guard let t = Timestamp.parse(text) else { throw APIError.badRequest("\(name) must be a W3C date-time, e.g. 2024-03-05T08:15:00+03:00", field: name) }
            return t
        }
        let span = Int64(service.config.open311DefaultDays) * 86_400
        let start = try date("start_date")
        // A bare day as end_date means the whole of that day.
        let end = try date("end_date").map { request.query("end_date")?.count == 10 ? $0 + 86_399 : $0 }
        let now = Int64(Date().timeIntervalSince1970)
        let period: (Int64, Int64)
        switch (start, end) {
        case (nil, nil): period = (now - span, now + 1)
        case (let s?, nil): period = (s, min(s + span, now + 1))
        case (nil, let e?): period = (e - span, e + 1)
        case (let s?, let e?): period = (s, e + 1)
        }
        guard period.0 < period.1 else { throw APIError.badRequest("end_date is before start_date", field: "end_date") }
        guard period.1 - period.0 <= span + 1 else {
            throw APIError.badRequest("start_date and end_date may not be more than \(service.config.open311DefaultDays) days apart", field: "end_date")
        }
        filter.period = Period(start: period.0, end: period.1, label: "open311")
        let (snap, _) = service.live.current()
        var newest = NewestFirst(limit: service.config.open311MaxResults)
        snap.forEach(filter: service.live.compile(filter, for: snap)) { newest.add($0) }
        var out: [RequestOutput] = []
        for r in newest.records {
            if let c = try service.store.complaint(id: Int64(r.id)) { out.append(output(service.publicView(c))) }
        }
        return render(out, format)
    }

    /// POST requests (form-encoded): `api_key`, `service_code`, `lat`, `long`, optional `email`, `first_name`,
    /// `last_name`, `phone`, `description`, `media_url`, `device_id`; an `Idempotency-Key` header is honoured.
    func create(_ format: Format, request: Request) async throws -> Response {
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/x-www-form-urlencoded") {
            throw APIError(.unsupportedMediaType, "expected Content-Type: application/x-www-form-urlencoded")
        }
        let form = try FormBody.parse(await request.bodyBytes(max: service.config.maxBodyBytes))
        let key = try service.authenticate(form["api_key"])
        try writeLimiter?.admit(key, metrics: service.metrics)
        let f = try IntakeFields.open311(form)
        let complaint = try f.complaint(service: service)
        let answer = try service.intake(complaint, idempotencyKey: try ComplaintsController<Context>.idempotencyKey(request), key: key)
        let id = String(answer.result.complaint.id)
        switch format {
        case .json:
            return JSONOutput.response([Open311Created(service_request_id: id, service_notice: "", account_id: nil)],
                                       status: answer.result.created ? .created : .ok)
        case .xml:
            var x = XMLWriter(root: "service_requests")
            x.open("request")
            x.element("service_request_id", id)
            x.element("service_notice", "")
            x.element("account_id", nil)
            return JSONOutput.text(x.finish(), contentType: "text/xml; charset=utf-8", status: answer.result.created ? .created : .ok)
        }
    }
}

struct Open311Definition: Encodable {
    var service_code: String
    var attributes: [String] = []
}

struct Open311Discovery: Encodable {
    struct Endpoint: Encodable {
        var specification = "http://wiki.open311.org/GeoReport_v2"
        var url = "/open311/v2/"
        var changeset = "2024-01-01T00:00:00Z"
        var type = "production"
        var formats = ["application/json", "text/xml"]
    }
    var changeset = "2024-01-01T00:00:00Z"
    var contact = "Belediye çağrı merkezi"
    var key_service = "taskmap keys add --db FILE NAME"
    var endpoints = [Endpoint()]
}

/// POST answer; `account_id` is written as null.
struct Open311Created: Encodable {
    var service_request_id: String
    var service_notice: String
    var account_id: String?
    enum CodingKeys: String, CodingKey { case service_request_id, service_notice, account_id }
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(service_request_id, forKey: .service_request_id)
        try c.encode(service_notice, forKey: .service_notice)
        try c.encode(account_id, forKey: .account_id)
    }
}
