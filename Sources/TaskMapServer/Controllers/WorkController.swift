import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird

/// `/api/work`: the work screen's data, for staff keys only (`X-API-Key` header; a key in the URL is refused,
/// since URLs end up in logs and browser history). Answers carry personal fields (description, contact, media)
/// and are never cached.
///
/// - `GET /api/work?view=open|approval&sort=newest|oldest|nearest|overdue&lat=&lon=&limit=`: the key's
///   departments' and districts' work — open, assigned or in progress (`open`), or resolved and awaiting a
///   supervisor's approval (`approval`) — with counts of each view and of overdue work (older than the category's
///   resolution target).
/// - `GET /api/work/{id}`: one complaint with every field and its full history (notes and who made each change).
struct WorkController<Context: RequestContext> {
    let service: TaskMapService

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get(use: list)
        routes.get("events", use: events)
        routes.get("{id}", use: show)
        return routes
    }

    struct Contact: Encodable { var name: String?; var phone: String?; var email: String? }
    struct Item: Encodable {
        var id: Int64
        var category: String
        var categoryName: String?
        var status: String
        var createdAt: String
        var ageHours: Double
        var slaHours: Double
        var overdue: Bool
        var location: PublicComplaint.Location
        var mahalle: String?
        var district: String?
        var street: String?
        var door: String?
        var department: String?
        var team: String?
        var description: String?
        var contact: Contact
        var mediaURLs: [String]
        var channel: String
        var distanceMetres: Double?
        enum CodingKeys: String, CodingKey {
            case id, category, categoryName = "category_name", status, createdAt = "created_at", ageHours = "age_hours",
                 slaHours = "sla_hours", overdue, location, mahalle, district, street, door, department, team, description,
                 contact, mediaURLs = "media_urls", channel, distanceMetres = "distance_m"
        }
    }
    /// What sorting and counting need of a row.
    struct Light { var i: Int; var resolved: Bool; var created: Double; var id: Int64; var overdue: Bool; var late: Double; var distance: Double }
    struct Counts: Encodable { var open: Int; var approval: Int; var overdue: Int }
    struct ListOutput: Encodable {
        var key: String
        var role: String
        var scope: String
        var view: String
        var counts: Counts
        var items: [Item]
    }

    /// The staff key behind the request: header only, staff or above.
    func staffKey(_ request: Request) throws -> APIKey {
        if request.uri.queryParameters["api_key"] != nil || request.uri.queryParameters["key"] != nil {
            throw APIError.badRequest("send the key in the X-API-Key header, never in a URL (URLs are logged)", field: "api_key")
        }
        let key = try service.authenticate(request.headers[.apiKey])
        guard key.role.changesWork else {
            throw APIError(.forbidden, "key '\(key.name)' is an intake key: the work screen needs a staff key", field: "api_key")
        }
        return key
    }

    func item(_ c: Complaint, team: String?, now: Date, near: LonLat?) -> Item {
        let sla = service.config.slaHours[c.fields.category] ?? service.config.defaultSLAHours
        let age = now.timeIntervalSince(c.fields.createdAt) / 3600
        return Item(id: c.id, category: c.fields.category, categoryName: service.category(c.fields.category)?.nameTR,
                    status: c.fields.status.rawValue, createdAt: Timestamp.format(c.fields.createdAt), ageHours: (age * 10).rounded() / 10,
                    slaHours: sla, overdue: c.fields.status != .resolved && age > sla,
                    location: .init(lon: c.fields.location.lon, lat: c.fields.location.lat), mahalle: c.address.mahalleName,
                    district: c.address.districtName, street: c.address.street, door: c.address.doorNumber, department: c.department,
                    team: team, description: c.fields.description,
                    contact: Contact(name: c.fields.contactName, phone: c.fields.contactPhone, email: c.fields.contactEmail),
                    mediaURLs: c.fields.mediaURLs, channel: c.fields.channel.rawValue,
                    distanceMetres: near.map { (SpatiaLiteStore.haversineMetres($0, c.fields.location)).rounded() })
    }

    @Sendable func list(request: Request, context: Context) async throws -> Response {
        let key = try staffKey(request)
        let view = request.query("view") ?? "open"
        guard ["open", "approval"].contains(view) else { throw APIError.badRequest("view: expected open|approval", field: "view") }
        let sort = request.query("sort") ?? (view == "approval" ? "oldest" : "newest")
        guard ["newest", "oldest", "nearest", "overdue"].contains(sort) else {
            throw APIError.badRequest("sort: expected newest|oldest|nearest|overdue", field: "sort")
        }
        var near: LonLat? = nil
        if let lat = request.query("lat"), let lon = request.query("lon") {
            guard let la = Double(lat), let lo = Double(lon), LonLat(lon: lo, lat: la).isValid else {
                throw APIError.badRequest("lat/lon: not a position", field: "lat")
            }
            near = LonLat(lon: lo, lat: la)
        }
        if sort == "nearest" && near == nil { throw APIError.badRequest("sort=nearest needs lat and lon", field: "lat") }
        let here = near
        let limit = try request.limit(default: 200, max: 5_000)
        // Answers for the same key and query are made once per data version ("nearest" depends on where the
        // phone is: never shared). The ages in them are as of when they were made.
        let cacheKey = sort == "nearest" ? nil : "\(key.id)|\(view)|\(sort)|\(limit)"
        if let cacheKey, let body = service.cachedWorkAnswer(cacheKey) {
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                            body: ResponseBody(byteBuffer: body))
        }
        let version = service.live.current().1
        return try await service.work.run("work") {
            let now = Date()
            // The scope's departments in the store's spelling, so SQL can narrow before the rows are read.
            var departments: [String]? = nil
            if key.role != .admin, let wanted = key.scope.departments {
                let known = Set(service.categories.map(\.department))
                departments = known.filter { k in wanted.contains { TurkishText.foldKey($0) == TurkishText.foldKey(k) } }.sorted()
            }
            let rows = try service.openWork(departments: departments)
            let inScope = key.scope.matcher()
            // Light rows first (what sorting and counting need); full items only for the page that is sent.
            var light: [Light] = []
            light.reserveCapacity(rows.count)
            let t = now.timeIntervalSince1970
            for (i, r) in rows.enumerated() where key.role == .admin || inScope(r.complaint.department, r.complaint.address.districtName) {
                let c = r.complaint
                let sla = service.config.slaHours[c.fields.category] ?? service.config.defaultSLAHours
                let age = (t - c.fields.createdAt.timeIntervalSince1970) / 3600
                let resolved = c.fields.status == .resolved
                light.append(Light(i: i, resolved: resolved, created: c.fields.createdAt.timeIntervalSince1970, id: c.id,
                                   overdue: !resolved && age > sla, late: age - sla,
                                   distance: here.map { SpatiaLiteStore.haversineMetres($0, c.fields.location) } ?? 0))
            }
            let counts = Counts(open: light.filter { !$0.resolved }.count, approval: light.filter(\.resolved).count,
                                overdue: light.filter(\.overdue).count)
            light = light.filter { view == "approval" ? $0.resolved : !$0.resolved }
            switch sort {
            case "oldest": light.sort { ($0.created, $0.id) < ($1.created, $1.id) }
            case "nearest": light.sort { ($0.distance, $0.id) < ($1.distance, $1.id) }
            case "overdue": light.sort { a, b in a.overdue != b.overdue ? a.overdue : (a.late, a.id) > (b.late, b.id) }
            default: light.sort { ($0.created, $0.id) > ($1.created, $1.id) }
            }
            let items = light.prefix(limit).map { item(rows[$0.i].complaint, team: rows[$0.i].team, now: now, near: here) }
            let out = ListOutput(key: key.name, role: key.role.rawValue, scope: key.scope.description, view: view, counts: counts,
                                 items: items)
            let body = ByteBuffer(bytes: JSONOutput.data(out))
            if let cacheKey { service.keepWorkAnswer(cacheKey, body, version: version) }
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                            body: ResponseBody(byteBuffer: body))
        }
    }

    /// `GET /api/work/events`: the event stream for a staff key's departments (the key in the header: the page
    /// reads it with fetch, since EventSource cannot send one). Public fields only, like `/api/events`: it says
    /// that work changed; the page re-reads its list.
    @Sendable func events(request: Request, context: Context) async throws -> Response {
        let key = try staffKey(request)
        let departments = key.role == .admin ? nil : key.scope.departments.map { Set($0.map(TurkishText.foldKey)) }
        let stream = service.events.subscribe(departmentKey: nil, lastEventID: nil)
        let maxEvents = request.query("limit").flatMap(Int.init)
        return EventsController<Context>.sse(stream, heartbeat: service.config.eventHeartbeatSeconds, maxEvents: maxEvents) { e in
            departments.map { d in e.departmentKey.map(d.contains) ?? false } ?? true
        }
    }

    struct Detail: Encodable {
        struct Entry: Encodable {
            var at: String; var from: String?; var to: String; var department: String?; var team: String?; var note: String?; var actor: String?
        }
        var complaint: Item
        var history: [Entry]
    }

    @Sendable func show(request: Request, context: Context) async throws -> Response {
        let key = try staffKey(request)
        guard let id = context.parameters.get("id", as: Int64.self) else { throw APIError.badRequest("id: not a number", field: "id") }
        guard let state = try service.store.workflowState(id: id) else { throw APIError.notFound("complaint \(id) not found") }
        try service.authorizeWork(key, on: state.complaint, action: "see")
        let detail = Detail(complaint: item(state.complaint, team: state.team, now: Date(), near: nil),
                            history: state.history.map { .init(at: Timestamp.format($0.at), from: $0.from?.rawValue, to: $0.to.rawValue,
                                                                 department: $0.department, team: $0.team, note: $0.note, actor: $0.actor) })
        return JSONOutput.response(detail, headers: [.cacheControl: "no-store"])
    }
}
