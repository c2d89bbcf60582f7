import Foundation

/// How precisely an address was found.
public enum GeocodePrecision: String, Sendable, Codable, Comparable {
    case door, street, mahalle
    private var rank: Int { switch self { case .door: return 0; case .street: return 1; case .mahalle: return 2 } }
    public static func < (a: GeocodePrecision, b: GeocodePrecision) -> Bool { a.rank < b.rank }
}

/// One answer of the forward geocoder.
public struct GeocodeCandidate: Sendable, Hashable {
    public var precision: GeocodePrecision
    public var location: LonLat
    public var mahalleID: Int64?
    public var mahalle: String?
    public var district: String?
    public var street: String?
    public var door: String?
}

/// Address text → place, from the store's own parcels and mahalle (what an Alo 153 operator types for a call
/// without GPS): `street + door (+ mahalle)` → the parcel's point, a street alone → its middle, a mahalle alone →
/// a point inside it; each answer with its precision, and several candidates when the text is ambiguous (the same
/// street in two mahalle, the same mahalle name in two districts). Turkish case and the usual abbreviations are
/// folded: `Cad.`/`Cd.`/`Caddesi`, `Sok.`/`Sk.`/`Sokağı`, `Bulv.`/`Blv.`, `Mah.`/`Mh.`/`Mahallesi`, `No:12`,
/// `No 12/3`, `Kapı No 12`.
public struct ForwardGeocoder: Sendable {
    public struct Parcel: Sendable {
        public var street: String, door: String, mahalleID: Int64?, centre: LonLat
        public init(street: String, door: String, mahalleID: Int64?, centre: LonLat) {
            self.street = street; self.door = door; self.mahalleID = mahalleID; self.centre = centre
        }
    }
    public struct Area: Sendable {
        public var id: Int64, name: String, district: String, inside: LonLat
        public init(id: Int64, name: String, district: String, inside: LonLat) { self.id = id; self.name = name; self.district = district; self.inside = inside }
    }

    struct StreetKey: Hashable { var tokens: [String]; var mahalleID: Int64? }
    private let parcels: [Parcel]
    private let areas: [Int64: Area]
    /// Street names as tokens → parcel indices.
    private let streets: [[String]: [Int]]
    private let areaTokens: [(tokens: [String], id: Int64)]
    private let districtTokens: [(tokens: [String], name: String)]

    public init(parcels: [Parcel], areas: [Area]) {
        self.parcels = parcels
        self.areas = Dictionary(areas.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var streets: [[String]: [Int]] = [:]
        for (i, p) in parcels.enumerated() { streets[Self.tokens(p.street), default: []].append(i) }
        self.streets = streets
        areaTokens = areas.map { (Self.tokens($0.name).filter { $0 != "mah" }, $0.id) }.filter { !$0.0.isEmpty }
        districtTokens = Array(Set(areas.map(\.district))).map { (Self.tokens($0), $0) }
    }

    public var isEmpty: Bool { parcels.isEmpty && areas.isEmpty }

    /// Folded tokens with the street-type and mahalle abbreviations made one word each.
    static func tokens(_ text: String) -> [String] {
        let folded = TurkishText.foldKey(text)
        var words: [String] = []
        var current = ""
        for ch in folded {
            if ch.isLetter || ch.isNumber { current.append(ch) } else if !current.isEmpty { words.append(current); current = "" }
        }
        if !current.isEmpty { words.append(current) }
        return words.map { w in
            switch w {
            case "cad", "cd", "cadde", "caddesi", "cadessi": return "cad"
            case "sok", "sk", "sokak", "sokagi", "skk": return "sok"
            case "bulv", "blv", "bul", "bulvar", "bulvari": return "bulv"
            case "mah", "mh", "mahalle", "mahallesi", "mahallesı": return "mah"
            case "kume", "kumeevler": return "kume"
            default: return w
            }
        }
    }

    /// Where `query`'s tokens contain `needle` as a run; nil if nowhere.
    private static func find(_ needle: [String], in hay: [String]) -> Int? {
        guard !needle.isEmpty, needle.count <= hay.count else { return nil }
        for i in 0...(hay.count - needle.count) where Array(hay[i..<(i + needle.count)]) == needle { return i }
        return nil
    }

    /// Candidates, most precise first (several when the text is ambiguous; none when nothing matched).
    public func geocode(_ query: String) -> [GeocodeCandidate] {
        let q = Self.tokens(query)
        guard !q.isEmpty else { return [] }
        // Mahalle: the longest name found in the text (a name followed by "mah" preferred), all of that length.
        let foundAreas = areaTokens.compactMap { a -> (Int64, Int, Bool)? in
            guard let at = Self.find(a.tokens, in: q) else { return nil }
            let marked = at + a.tokens.count < q.count && q[at + a.tokens.count] == "mah"
            return (a.id, a.tokens.count, marked)
        }
        var mahalleIDs = Set<Int64>()
        if let best = foundAreas.max(by: { ($0.2 ? 1 : 0, $0.1) < ($1.2 ? 1 : 0, $1.1) }) {
            mahalleIDs = Set(foundAreas.filter { $0.1 == best.1 && $0.2 == best.2 }.map(\.0))
        }
        // A district named in the text narrows the mahalle (the same name in two districts).
        let districts = Set(districtTokens.filter { Self.find($0.tokens, in: q) != nil }.map(\.name))
        if !districts.isEmpty {
            let narrowed = mahalleIDs.filter { areas[$0].map { districts.contains($0.district) } ?? false }
            if !narrowed.isEmpty { mahalleIDs = narrowed }
        }
        // Street: the longest known street name in the text.
        var street: [String]? = nil
        for s in streets.keys where Self.find(s, in: q) != nil && s.count > (street?.count ?? 0) { street = s }
        // Door: the number after "no" (or "kapi no"), else a number right after the street name; with a letter
        // right after it ("12/A", "12 A") that is part of the door number.
        var doorAt: Int? = nil
        if let i = q.firstIndex(of: "no"), i + 1 < q.count, q[i + 1].first?.isNumber == true { doorAt = i + 1 }
        if doorAt == nil, let s = street, let at = Self.find(s, in: q), at + s.count < q.count, q[at + s.count].first?.isNumber == true {
            doorAt = at + s.count
        }
        var doorTokens: [String] = []
        if let d = doorAt {
            doorTokens = [q[d]]
            if d + 1 < q.count, q[d + 1].count == 1, q[d + 1].first?.isLetter == true { doorTokens.append(q[d + 1]) }
        }
        let door = doorTokens.first

        func candidate(_ p: GeocodePrecision, _ loc: LonLat, _ mid: Int64?, street: String? = nil, door: String? = nil) -> GeocodeCandidate {
            let a = mid.flatMap { areas[$0] }
            return GeocodeCandidate(precision: p, location: loc, mahalleID: mid, mahalle: a?.name, district: a?.district, street: street, door: door)
        }
        if let s = street, var idx = streets[s] {
            if !mahalleIDs.isEmpty {
                let inArea = idx.filter { parcels[$0].mahalleID.map(mahalleIDs.contains) ?? false }
                if !inArea.isEmpty { idx = inArea }
            }
            if let door {
                // The door as written ("12/A"), else the plain number ("12/3" is door 12, flat 3), else any "12…".
                var hits = idx.filter { Self.tokens(parcels[$0].door) == doorTokens }
                if hits.isEmpty { hits = idx.filter { Self.tokens(parcels[$0].door) == [door] } }
                if hits.isEmpty { hits = idx.filter { Self.tokens(parcels[$0].door).first == door } }
                if !hits.isEmpty {
                    return hits.map { i in
                        let p = parcels[i]
                        return candidate(.door, p.centre, p.mahalleID, street: p.street, door: p.door)
                    }
                }
            }
            // The street's middle in each mahalle it runs through: the parcel nearest the mean of its parcels.
            var byArea: [Int64?: [Int]] = [:]
            for i in idx { byArea[parcels[i].mahalleID, default: []].append(i) }
            return byArea.map { mid, group -> GeocodeCandidate in
                let lon = group.reduce(0.0) { $0 + parcels[$1].centre.lon } / Double(group.count)
                let lat = group.reduce(0.0) { $0 + parcels[$1].centre.lat } / Double(group.count)
                let middle = group.min { a, b in
                    let pa = parcels[a].centre, pb = parcels[b].centre
                    return (pa.lon - lon) * (pa.lon - lon) + (pa.lat - lat) * (pa.lat - lat) < (pb.lon - lon) * (pb.lon - lon) + (pb.lat - lat) * (pb.lat - lat)
                }!
                return candidate(.street, parcels[middle].centre, mid, street: parcels[middle].street)
            }.sorted { ($0.mahalle ?? "", $0.district ?? "") < ($1.mahalle ?? "", $1.district ?? "") }
        }
        return mahalleIDs.compactMap { id in areas[id].map { candidate(.mahalle, $0.inside, id) } }
            .sorted { ($0.district ?? "", $0.mahalle ?? "") < ($1.district ?? "", $1.mahalle ?? "") }
    }
}
