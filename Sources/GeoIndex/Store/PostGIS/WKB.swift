import Foundation

/// Well-known binary (OGC Simple Features, little-endian) for mahalle and parcel multipolygons: PostGIS reads and
/// writes it (`ST_GeomFromWKB`, `ST_AsBinary`); the SpatiaLite file keeps its own blob format (`SpatiaLiteBlob`).
/// Points cross as EWKB in binary COPY (`CopyBinary.point4326`) and as ST_X/ST_Y.
enum WKB {
    static func multiPolygon(_ mp: MultiPolygon) -> [UInt8] {
        var b: [UInt8] = [1]
        put(UInt32(6), &b)
        put(UInt32(mp.polygons.count), &b)
        for poly in mp.polygons {
            b.append(1)
            put(UInt32(3), &b)
            put(UInt32(poly.rings.count), &b)
            for ring in poly.rings {
                put(UInt32(ring.count), &b)
                for p in ring { put(p.lon, &b); put(p.lat, &b) }
            }
        }
        return b
    }

    /// A Polygon or MultiPolygon (either byte order) as a MultiPolygon; nil for anything else or bad bytes.
    static func readMultiPolygon(_ bytes: [UInt8]) -> MultiPolygon? {
        var r = Reader(bytes: bytes)
        guard let (type, little) = r.header() else { return nil }
        switch type {
        case 3: return r.polygon(little).map { MultiPolygon(polygons: [$0]) }
        case 6:
            guard let n = r.u32(little) else { return nil }
            var polys: [Polygon] = []
            for _ in 0..<n {
                guard let (t, l) = r.header(), t == 3, let p = r.polygon(l) else { return nil }
                polys.append(p)
            }
            return MultiPolygon(polygons: polys)
        default: return nil
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0, count: bytes.count * 2)
        for (i, b) in bytes.enumerated() { out[2 * i] = digits[Int(b >> 4)]; out[2 * i + 1] = digits[Int(b & 15)] }
        return String(decoding: out, as: UTF8.self)
    }

    private static func put(_ v: UInt32, _ b: inout [UInt8]) { withUnsafeBytes(of: v.littleEndian) { b.append(contentsOf: $0) } }
    private static func put(_ v: Double, _ b: inout [UInt8]) { withUnsafeBytes(of: v.bitPattern.littleEndian) { b.append(contentsOf: $0) } }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0
        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func header() -> (UInt32, Bool)? {
            guard at < bytes.count else { return nil }
            let little = bytes[at] == 1
            at += 1
            guard let t = u32(little) else { return nil }
            return (t & 0x0FFF_FFFF, little)  // EWKB flag bits (SRID, Z, M) masked; taskmap writes XY only
        }

        mutating func u32(_ little: Bool) -> UInt32? {
            guard at + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for k in 0..<4 { v |= UInt32(bytes[at + k]) << (little ? 8 * k : 8 * (3 - k)) }
            at += 4
            return v
        }

        mutating func f64(_ little: Bool) -> Double? {
            guard at + 8 <= bytes.count else { return nil }
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(bytes[at + k]) << (little ? 8 * k : 8 * (7 - k)) }
            at += 8
            return Double(bitPattern: v)
        }

        mutating func polygon(_ little: Bool) -> Polygon? {
            guard let nRings = u32(little), nRings < 1_000_000 else { return nil }
            var rings: [[LonLat]] = []
            for _ in 0..<nRings {
                guard let n = u32(little), Int(n) * 16 <= bytes.count - at else { return nil }
                var ring: [LonLat] = []
                ring.reserveCapacity(Int(n))
                for _ in 0..<n {
                    guard let x = f64(little), let y = f64(little) else { return nil }
                    ring.append(LonLat(lon: x, lat: y))
                }
                rings.append(ring)
            }
            return Polygon(rings: rings)
        }
    }
}
