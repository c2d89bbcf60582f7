import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird

/// `/api/complaints`: intake (POST), work flow (PATCH), one complaint (GET), bbox queries as GeoJSON (GET).
struct ComplaintsController<Context: RequestContext> {
    let service: TaskMapService
    /// Per-key write limit (nil: writes are not limited).
    var writeLimiter: RateLimiter?

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.post(use: create)
        routes.get(use: list)
        routes.get("{id}", use: show)
        routes.patch("{id}", use: update)
        return routes
    }

    /// POST: 201 with the stored complaint (id, mahalle, street, door) and `possible_duplicates`;
    /// 200 with the earlier complaint when `external_ref` or `Idempotency-Key` was seen before.
    @Sendable func create(request: Request, context: Context) async throws -> Response {
        let key = try service.authenticate(request.headers[.apiKey])
        try writeLimiter?.admit(key, metrics: service.metrics)
        try requireJSON(request)
        let idempotencyKey = try Self.idempotencyKey(request)
        let body = try JSONBody(await request.bodyBytes(max: service.config.maxBodyBytes))
        let complaint = try IntakeFields.json(body).complaint(service: service)
        let answer = try service.intake(complaint, idempotencyKey: idempotencyKey, key: key)
        let output = IntakeOutput(complaint: answer.publicComplaint, possibleDuplicates: answer.duplicates.map(DuplicateOutput.init),
                                  created: answer.result.created)
        return JSONOutput.response(output, status: answer.result.created ? .created : .ok,
                                   headers: [.location: "/api/complaints/\(answer.result.complaint.id)"])
    }

    /// GET one complaint: public fields and its status history.
    @Sendable func show(request: Request, context: Context) async throws -> Response {
        let id = try Self.id(context)
        guard let c = try service.publicComplaint(id: id) else { throw APIError.notFound("complaint \(id) not found") }
        return JSONOutput.response(c, headers: [.cacheControl: "no-cache"])
    }

    /// PATCH: `{"status", "department", "team", "note"}`; invalid transitions → 409.
    @Sendable func update(request: Request, context: Context) async throws -> Response {
        let key = try service.authenticate(request.headers[.apiKey])
        try writeLimiter?.admit(key, metrics: service.metrics)
        let id = try Self.id(context)
        try requireJSON(request)
        let body = try JSONBody(await request.bodyBytes(max: service.config.maxBodyBytes))
        try body.rejectUnknown(["status", "department", "team", "note"])
        var change = WorkflowChange(actor: key.name)
        if let s = try body.string("status", maxLength: 32) {
            guard let status = ComplaintStatus(parsing: s) else {
                throw APIError.badRequest("unknown status '\(s)': expected \(ComplaintStatus.allCases.map(\.rawValue).joined(separator: "|"))", field: "status")
            }
            change.status = status
        }
        change.department = try body.string("department", maxLength: 200)
        change.team = try body.string("team", maxLength: 200)
        change.note = try body.string("note", maxLength: 2_000)
        guard !change.isEmpty else { throw APIError.badRequest("nothing to change: give status, department, team or note") }
        let state = try service.applyWorkflow(id: id, change, key: key)
        return JSONOutput.response(service.publicView(state))
    }

    /// GET with `bbox`, the filters and `limit` → GeoJSON FeatureCollection of pins (newest first), from the
    /// in-memory snapshot (the same data the tiles show).
    /// CPU-heavy (passes over the snapshot): computed on the work pool, see `WorkPool`.
    @Sendable func list(request: Request, context: Context) async throws -> Response {
        let filter = try request.complaintFilter()
        let bbox = try request.query("bbox").map { try BBoxParser.parse($0) }
        let limit = try request.limit(default: service.config.queryDefaultLimit, max: service.config.queryMaxLimit)
        let (snap, version) = service.live.current()
        let etag = "\"q\(version)-\(FNV1a.hex(request.uri.query ?? ""))\""
        if request.headers[values: .ifNoneMatch].contains(etag) {
            return Response(status: .notModified, headers: [.eTag: etag, .cacheControl: "no-cache"])
        }
        return try await service.work.run("complaints") {
            listResponse(filter: filter, bbox: bbox, limit: limit, snap: snap, version: version, etag: etag)
        }
    }

    private func listResponse(filter: ComplaintFilter, bbox: BoundingBox?, limit: Int, snap: ComplaintSnapshot, version: UInt64,
                              etag: String) -> Response {
        let compiled = service.live.compile(filter, for: snap)
        var newest = NewestFirst(limit: limit)
        if let bbox {
            let (x0, y0) = WebMercator.fixed(LonLat(lon: bbox.minLon, lat: bbox.maxLat))
            let (x1, y1) = WebMercator.fixed(LonLat(lon: bbox.maxLon, lat: bbox.minLat))
            snap.forEach(inBoxX: x0, x1, y: y0, y1, filter: compiled) { newest.add($0) }
        } else {
            snap.forEach(filter: compiled) { newest.add($0) }
        }
        let features = newest.records.map { GeoJSONPin($0, tables: snap.tables, service: service) }
        let collection = PinCollection(features: features, numberMatched: newest.seen, numberReturned: features.count,
                                       dataVersion: version)
        return JSONOutput.response(collection, contentType: "application/geo+json",
                                   headers: [.eTag: etag, .cacheControl: "no-cache"])
    }

    private func requireJSON(_ request: Request) throws {
        if let type = request.headers[.contentType], !type.lowercased().contains("json") {
            throw APIError(.unsupportedMediaType, "expected Content-Type: application/json", field: "Content-Type")
        }
    }

    static func id(_ context: Context) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw APIError.badRequest("complaint id must be a positive integer", field: "id")
        }
        return id
    }

    static func idempotencyKey(_ request: Request) throws -> String? {
        guard let k = request.headers[.idempotencyKey] else { return nil }
        guard !k.isEmpty, k.count <= 200 else {
            throw APIError.badRequest("Idempotency-Key must be 1 to 200 characters", field: "Idempotency-Key")
        }
        return k
    }
}

/// A pin as GeoJSON: public fields only.
struct GeoJSONPin: Encodable {
    struct Geometry: Encodable { var type = "Point"; var coordinates: [Double] }
    struct Properties: Encodable {
        var id: Int64
        var category: String
        var categoryName: String?
        var status: String
        var channel: String
        var type: String
        var createdAt: String
        var resolvedAt: String?
        var mahalleID: Int64?
        var mahalle: String?
        var district: String?
        enum CodingKeys: String, CodingKey {
            case id, category, categoryName = "category_name", status, channel, type, createdAt = "created_at",
                 resolvedAt = "resolved_at", mahalleID = "mahalle_id", mahalle, district
        }
    }
    var type = "Feature"
    var id: Int64
    var geometry: Geometry
    var properties: Properties

    init(_ r: CompactComplaint, tables: ComplaintSnapshot.Tables, service: TaskMapService) {
        let p = LiveSnapshot.lonLat(r)
        let round6 = { (v: Double) in (v * 1e6).rounded() / 1e6 }
        id = Int64(r.id)
        geometry = Geometry(coordinates: [round6(p.lon), round6(p.lat)])
        let code = tables.categories[Int(r.category)]
        let mahalleID: Int64? = r.mahalle == 0 ? nil : tables.mahalle[Int(r.mahalle)]
        let m = mahalleID.flatMap { service.live.mahalle(id: $0) }
        properties = Properties(
            id: Int64(r.id), category: code, categoryName: service.category(code)?.nameTR,
            status: CompiledFilter.status(code: r.status).rawValue, channel: CompiledFilter.channel(code: r.channel).rawValue,
            type: CompiledFilter.type(code: r.type).rawValue, createdAt: Timestamp.format(unix: r.createdUnix),
            resolvedAt: r.resolvedUnix.map { Timestamp.format(unix: $0) }, mahalleID: mahalleID, mahalle: m?.name,
            district: r.district == 0 ? nil : tables.districts[Int(r.district)])
    }
}

struct PinCollection: Encodable {
    var type = "FeatureCollection"
    var features: [GeoJSONPin]
    var numberMatched: Int
    var numberReturned: Int
    var dataVersion: UInt64
    enum CodingKeys: String, CodingKey {
        case type, features, numberMatched, numberReturned, dataVersion = "data_version"
    }
}

/// FNV-1a 64: a fast, stable hash for ETags and cache keys (not for security).
enum FNV1a {
    static func hash<S: Sequence>(_ bytes: S, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 where S.Element == UInt8 {
        var h = seed
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    static func hex(_ text: String) -> String { String(hash(text.utf8), radix: 16) }
}
