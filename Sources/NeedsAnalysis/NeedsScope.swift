import Foundation
import GeoIndex

/// Which mahalle, categories and complaints an analysis covers, resolved once against a snapshot's tables into
/// flat lookup arrays for the counting pass.
///
/// - Mahalle: all of `mahalle` whose district matches `district` (Turkish-folded), or all when `district` is nil
///   (a metropolitan pool is then treated as one district). Ordered by district, then name, the Turkish way.
/// - Categories: `categories` in their given order, then any code the snapshot knows but the list does not
///   (intake may have created one), with an empty department.
/// - Complaints: those whose mahalle is in scope. Unassigned complaints (outside every mahalle: mahalle index 0)
///   are not part of any rate — their population is unknown — and are reported as a separate count, restricted
///   to the district when one is given (by the district the geocoder recorded, usually none for such points).
public struct NeedsScope: Sendable {
    public let district: String?
    public let mahalle: [Mahalle]
    public let categories: [Category]
    /// Snapshot mahalle index → position in `mahalle`, −1 outside the scope.
    let slotOfMahalleIndex: [Int32]
    /// Snapshot category index → position in `categories`, −1 for the placeholder.
    let categoryOfIndex: [Int32]
    /// Snapshot district index → whether unassigned complaints with that district count.
    let districtCounts: [Bool]

    public init(snapshot: ComplaintSnapshot, mahalle all: [Mahalle], categories given: [Category], district: String?) {
        let t = snapshot.tables
        let wanted = district.map(TurkishText.foldKey)
        var chosen = all.filter { wanted == nil || TurkishText.foldKey($0.districtName) == wanted }
        chosen.sort { a, b in
            a.districtName != b.districtName ? TurkishText.compare(a.districtName, b.districtName)
                : (a.name != b.name ? TurkishText.compare(a.name, b.name) : a.id < b.id)
        }
        self.district = district.map { d in chosen.first?.districtName ?? d }
        mahalle = chosen

        var cats = given
        var known = Set(given.map(\.code))
        for code in t.categories.dropFirst() where !known.contains(code) {
            cats.append(Category(code: code, nameTR: code, nameEN: code, department: ""))
            known.insert(code)
        }
        categories = cats

        var slot = [Int32](repeating: -1, count: max(t.mahalle.count, 1))
        for (i, m) in chosen.enumerated() {
            if let idx = t.mahalleIndex[m.id] { slot[Int(idx)] = Int32(i) }
        }
        slotOfMahalleIndex = slot

        let position = Dictionary(uniqueKeysWithValues: cats.enumerated().map { ($1.code, Int32($0)) })
        categoryOfIndex = t.categories.enumerated().map { i, code in i == 0 ? -1 : position[code] ?? -1 }

        districtCounts = t.districts.enumerated().map { i, name in
            guard let wanted else { return true }
            return i > 0 && TurkishText.foldKey(name) == wanted
        }
    }

    /// District names present in `mahalle`, Turkish-sorted: for validating a `--district` at the edge.
    public static func districtNames(in mahalle: [Mahalle]) -> [String] {
        TurkishText.sorted(Array(Set(mahalle.map(\.districtName))))
    }

    /// The bounding box of the scope's polygons.
    public var bbox: BoundingBox {
        var b = BoundingBox.empty
        for m in mahalle { b.extend(m.geometry.bbox) }
        return b
    }
}
