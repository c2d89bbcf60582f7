import Foundation

/// An ilçe (district). A metropolitan store pools several.
public struct District: Hashable, Sendable, Codable {
    public var id: Int64
    public var name: String
    public init(id: Int64, name: String) { self.id = id; self.name = name }
}

/// A mahalle (neighbourhood) with its boundary.
public struct Mahalle: Hashable, Sendable {
    public var id: Int64
    public var name: String
    public var code: String?
    public var population: Int
    public var districtID: Int64
    public var districtName: String
    public var geometry: MultiPolygon

    public init(id: Int64, name: String, code: String?, population: Int, districtID: Int64, districtName: String,
                geometry: MultiPolygon) {
        self.id = id; self.name = name; self.code = code; self.population = population
        self.districtID = districtID; self.districtName = districtName; self.geometry = geometry
    }
}

/// An address parcel (ada/parsel) with the street and door number (kapı no) it carries.
public struct Parcel: Hashable, Sendable {
    public var id: Int64
    public var ada: String?
    public var parsel: String?
    public var street: String
    public var doorNumber: String
    public var mahalleID: Int64?
    public var geometry: MultiPolygon
    public init(id: Int64, ada: String?, parsel: String?, street: String, doorNumber: String, mahalleID: Int64?,
                geometry: MultiPolygon) {
        self.id = id; self.ada = ada; self.parsel = parsel; self.street = street; self.doorNumber = doorNumber
        self.mahalleID = mahalleID; self.geometry = geometry
    }
}

/// A complaint category and the department (müdürlük) responsible for it.
public struct Category: Hashable, Sendable, Codable {
    public var code: String
    public var nameTR: String
    public var nameEN: String
    public var department: String
    public init(code: String, nameTR: String, nameEN: String, department: String) {
        self.code = code; self.nameTR = nameTR; self.nameEN = nameEN; self.department = department
    }
}

/// Where reverse geocoding put a point.
public struct AddressMatch: Hashable, Sendable {
    public var mahalleID: Int64?
    public var mahalleName: String?
    public var districtID: Int64?
    public var districtName: String?
    public var street: String?
    public var doorNumber: String?
    /// 0 when the point is inside the parcel; otherwise the distance to the nearest parcel (≤ 50 m).
    public var parcelDistanceMetres: Double?
    public var isAssigned: Bool { mahalleID != nil }
    public init(mahalleID: Int64? = nil, mahalleName: String? = nil, districtID: Int64? = nil, districtName: String? = nil,
                street: String? = nil, doorNumber: String? = nil, parcelDistanceMetres: Double? = nil) {
        self.mahalleID = mahalleID; self.mahalleName = mahalleName; self.districtID = districtID
        self.districtName = districtName; self.street = street; self.doorNumber = doorNumber
        self.parcelDistanceMetres = parcelDistanceMetres
    }
}

/// A complaint as intake sees it, before it has an id. Personal fields (`contact*`, `description`) are kept
/// in the store for staff but never leave through public endpoints or tiles.
public struct NewComplaint: Sendable {
    public var externalRef: String?
    public var location: LonLat
    public var category: String
    public var channel: Channel
    public var type: ComplaintType
    public var status: ComplaintStatus
    public var createdAt: Date
    public var updatedAt: Date?
    public var resolvedAt: Date?
    public var satisfaction: Int?
    public var description: String?
    public var mediaURLs: [String]
    public var contactName: String?
    public var contactPhone: String?
    public var contactEmail: String?
    /// The source's own channel / type text when it had no taskmap code (stored as `other`).
    public var channelText: String?
    public var typeText: String?
    /// What the import had to correct in this row (kept in the store for `taskmap info --quality`).
    public var dataIssues: DataIssues = []

    public init(externalRef: String? = nil, location: LonLat, category: String, channel: Channel = .phone,
                type: ComplaintType = .sikayet, status: ComplaintStatus = .open, createdAt: Date,
                updatedAt: Date? = nil, resolvedAt: Date? = nil, satisfaction: Int? = nil, description: String? = nil,
                mediaURLs: [String] = [], contactName: String? = nil, contactPhone: String? = nil,
                contactEmail: String? = nil) {
        self.externalRef = externalRef; self.location = location; self.category = category; self.channel = channel
        self.type = type; self.status = status; self.createdAt = createdAt; self.updatedAt = updatedAt
        self.resolvedAt = resolvedAt; self.satisfaction = satisfaction; self.description = description
        self.mediaURLs = mediaURLs; self.contactName = contactName; self.contactPhone = contactPhone
        self.contactEmail = contactEmail
    }
}

/// A stored complaint with its resolved address.
public struct Complaint: Sendable {
    public var id: Int64
    public var fields: NewComplaint
    public var address: AddressMatch
    public var department: String?
    public init(id: Int64, fields: NewComplaint, address: AddressMatch, department: String?) {
        self.id = id; self.fields = fields; self.address = address; self.department = department
    }
}

/// Corrections an import made to a row, and marks the quality report sets (a bit set, stored as `quality`).
public struct DataIssues: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// `resolved_at` was before `created_at` and was dropped.
    public static let resolvedAtDropped = DataIssues(rawValue: 1)
    /// `updated_at` was before `created_at` and was dropped.
    public static let updatedAtDropped = DataIssues(rawValue: 2)
    /// On a stack (a default geocode holding an unusual share of the rows), kept out of heat maps and hot spots.
    public static let stackExcluded = DataIssues(rawValue: 4)
}
