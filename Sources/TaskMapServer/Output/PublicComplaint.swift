import Foundation
import GeoIndex

/// The public view of a complaint — the only shape in which complaints leave the server (API, GeoJSON, SSE,
/// Open311 is built from it too). It has no field for the contact name, phone, e-mail, the description or the
/// photos (they show people, doors and number plates: staff see them on the work screen), so they cannot leak by
/// accident; staff notes and the actor of a change are left out too.
struct PublicComplaint: Encodable, Sendable {
    struct Location: Encodable, Sendable { var lon: Double; var lat: Double }
    struct MahalleRef: Encodable, Sendable { var id: Int64; var name: String }
    struct HistoryEntry: Encodable, Sendable {
        var at: String
        var from: String?
        var to: String
        var department: String?
        var team: String?
    }

    var id: Int64
    var category: String
    var categoryName: String?
    var status: String
    var channel: String
    var type: String
    var createdAt: String
    var updatedAt: String?
    var resolvedAt: String?
    var location: Location
    var mahalle: MahalleRef?
    var district: String?
    var street: String?
    var door: String?
    var department: String?
    var team: String?
    var history: [HistoryEntry]?

    enum CodingKeys: String, CodingKey {
        case id, category, categoryName = "category_name", status, channel, type, createdAt = "created_at",
             updatedAt = "updated_at", resolvedAt = "resolved_at", location, mahalle, district, street, door,
             department, team, history
    }

    init(_ c: Complaint, categoryName: String?, team: String? = nil, history: [StatusChange]? = nil) {
        id = c.id
        category = c.fields.category
        self.categoryName = categoryName
        status = c.fields.status.rawValue
        channel = c.fields.channel.rawValue
        type = c.fields.type.rawValue
        createdAt = Timestamp.format(c.fields.createdAt)
        updatedAt = c.fields.updatedAt.map(Timestamp.format)
        resolvedAt = c.fields.resolvedAt.map(Timestamp.format)
        location = Location(lon: c.fields.location.lon, lat: c.fields.location.lat)
        if let mid = c.address.mahalleID { mahalle = MahalleRef(id: mid, name: c.address.mahalleName ?? "") }
        district = c.address.districtName
        street = c.address.street
        door = c.address.doorNumber
        department = c.department
        self.team = team
        self.history = history?.map {
            HistoryEntry(at: Timestamp.format($0.at), from: $0.from?.rawValue, to: $0.to.rawValue, department: $0.department, team: $0.team)
        }
    }
}

/// A possible duplicate in the intake answer.
struct DuplicateOutput: Encodable, Sendable {
    var id: Int64
    var distanceMetres: Double
    var createdAt: String
    var status: String
    enum CodingKeys: String, CodingKey { case id, distanceMetres = "distance_m", createdAt = "created_at", status }

    init(_ d: DuplicateCandidate) {
        id = d.id
        distanceMetres = (d.distanceMetres * 10).rounded() / 10
        createdAt = Timestamp.format(d.createdAt)
        status = d.status.rawValue
    }
}

/// `POST /api/complaints` answer: the public complaint plus `possible_duplicates`.
struct IntakeOutput: Encodable, Sendable {
    var complaint: PublicComplaint
    var possibleDuplicates: [DuplicateOutput]
    var created: Bool
    enum CodingKeys: String, CodingKey { case possibleDuplicates = "possible_duplicates", created }

    func encode(to encoder: Encoder) throws {
        try complaint.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(possibleDuplicates, forKey: .possibleDuplicates)
        try c.encode(created, forKey: .created)
    }
}
