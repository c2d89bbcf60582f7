import Foundation

/// SpatiaLite's internal geometry BLOB (little-endian, XY), written and read directly so that bulk import and
/// snapshot loading avoid a SQL function call per row. Layout: 0x00, 0x01 (little-endian), SRID int32,
/// MBR (minX, minY, maxX, maxY doubles), 0x7C, class int32, geometry, 0xFE.
enum SpatiaLiteBlob {
    static let srid: Int32 = 4326
    static let pointClass: Int32 = 1
    static let polygonClass: Int32 = 3
    static let multiPolygonClass: Int32 = 6

    /// A 60-byte POINT blob.
    static func point(_ p: LonLat, into buf: inout [UInt8]) {
        buf.removeAll(keepingCapacity: true)
        header(into: &buf, minX: p.lon, minY: p.lat, maxX: p.lon, maxY: p.lat, cls: pointClass)
        put(p.lon, &buf); put(p.lat, &buf)
        buf.append(0xFE)
    }

    static func point(_ p: LonLat) -> [UInt8] {
        var b: [UInt8] = []
        b.reserveCapacity(60)
        point(p, into: &b)
        return b
    }

    static func multiPolygon(_ mp: MultiPolygon) -> [UInt8] {
        let bb = mp.bbox
        var buf: [UInt8] = []
        header(into: &buf, minX: bb.minLon, minY: bb.minLat, maxX: bb.maxLon, maxY: bb.maxLat, cls: multiPolygonClass)
        put(Int32(mp.polygons.count), &buf)
        for poly in mp.polygons {
            buf.append(0x69)
            put(polygonClass, &buf)
            put(Int32(poly.rings.count), &buf)
            for ring in poly.rings {
                put(Int32(ring.count), &buf)
                for p in ring { put(p.lon, &buf); put(p.lat, &buf) }
            }
        }
        buf.append(0xFE)
        return buf
    }

    private static func header(into buf: inout [UInt8], minX: Double, minY: Double, maxX: Double, maxY: Double, cls: Int32) {
        buf.append(0x00); buf.append(0x01)
        put(srid, &buf)
        put(minX, &buf); put(minY, &buf); put(maxX, &buf); put(maxY, &buf)
        buf.append(0x7C)
        put(cls, &buf)
    }

    @inline(__always) private static func put(_ v: Int32, _ buf: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { buf.append(contentsOf: $0) }
    }
    @inline(__always) private static func put(_ v: Double, _ buf: inout [UInt8]) {
        withUnsafeBytes(of: v.bitPattern.littleEndian) { buf.append(contentsOf: $0) }
    }

    /// The point of a POINT blob (or the MBR centre of anything else); nil if not a SpatiaLite blob.
    static func readPoint(_ b: UnsafeRawBufferPointer) -> LonLat? {
        guard b.count >= 60, b[0] == 0x00, b[38] == 0x7C else { return nil }
        let little = b[1] == 0x01
        let cls = readInt32(b, 39, little)
        if cls == pointClass { return LonLat(lon: readDouble(b, 43, little), lat: readDouble(b, 51, little)) }
        return LonLat(lon: (readDouble(b, 6, little) + readDouble(b, 22, little)) / 2,
                      lat: (readDouble(b, 14, little) + readDouble(b, 30, little)) / 2)
    }

    /// A POLYGON or MULTIPOLYGON blob as a MultiPolygon.
    static func readMultiPolygon(_ b: UnsafeRawBufferPointer) -> MultiPolygon? {
        guard b.count >= 44, b[0] == 0x00, b[38] == 0x7C else { return nil }
        let little = b[1] == 0x01
        var off = 39
        let cls = readInt32(b, off, little); off += 4
        func ring() -> [LonLat]? {
            guard off + 4 <= b.count else { return nil }
            let n = Int(readInt32(b, off, little)); off += 4
            guard n >= 0, off + n * 16 <= b.count else { return nil }
            var r: [LonLat] = []
            r.reserveCapacity(n)
            for _ in 0..<n {
                r.append(LonLat(lon: readDouble(b, off, little), lat: readDouble(b, off + 8, little))); off += 16
            }
            return r
        }
        func polygon() -> Polygon? {
            guard off + 4 <= b.count else { return nil }
            let nr = Int(readInt32(b, off, little)); off += 4
            var rings: [[LonLat]] = []
            for _ in 0..<max(nr, 0) { guard let r = ring() else { return nil }; rings.append(r) }
            return Polygon(rings: rings)
        }
        if cls == polygonClass { return polygon().map { MultiPolygon(polygons: [$0]) } }
        guard cls == multiPolygonClass, off + 4 <= b.count else { return nil }
        let np = Int(readInt32(b, off, little)); off += 4
        var polys: [Polygon] = []
        for _ in 0..<max(np, 0) {
            guard off + 5 <= b.count, b[off] == 0x69 else { return nil }
            off += 5 // entity marker + class
            guard let p = polygon() else { return nil }
            polys.append(p)
        }
        return MultiPolygon(polygons: polys)
    }

    @inline(__always) static func readInt32(_ b: UnsafeRawBufferPointer, _ o: Int, _ little: Bool) -> Int32 {
        let v = b.loadUnaligned(fromByteOffset: o, as: Int32.self)
        return little ? Int32(littleEndian: v) : Int32(bigEndian: v)
    }
    @inline(__always) static func readDouble(_ b: UnsafeRawBufferPointer, _ o: Int, _ little: Bool) -> Double {
        let v = b.loadUnaligned(fromByteOffset: o, as: UInt64.self)
        return Double(bitPattern: little ? UInt64(littleEndian: v) : UInt64(bigEndian: v))
    }
}
