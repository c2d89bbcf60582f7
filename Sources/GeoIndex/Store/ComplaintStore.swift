import Foundation

/// What the rest of taskmap knows about storage. SQL lives behind this protocol (SpatiaLite today; a PostGIS
/// backend for a metropolitan pool of districts can implement the same protocol later).
public protocol ComplaintStore: AnyObject {
    /// Districts (ilçe), in Turkish alphabetical order.
    func districts() throws -> [District]
    /// All mahalle with their boundaries.
    func mahalleList() throws -> [Mahalle]
    /// All categories, by code.
    func categories() throws -> [Category]
    /// Number of stored complaints.
    func complaintCount() throws -> Int
    /// The compact in-memory index of every complaint (for tiles and analytics).
    func loadSnapshot() throws -> ComplaintSnapshot
    /// Reverse-geocodes and stores one complaint, creating its category if new. Returns it with its id and address.
    func insert(_ complaint: NewComplaint) throws -> Complaint
    /// One complaint by id (personal fields included: callers decide what to expose).
    func complaint(id: Int64) throws -> Complaint?
    /// Point → mahalle, street and door number.
    func geocode(_ p: LonLat) throws -> AddressMatch
}
