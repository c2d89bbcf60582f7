import Foundation

/// One complaint in the in-memory index: 32 bytes, no strings. Coordinates are fixed-point normalised Web
/// Mercator (see `WebMercator`); small integers index the snapshot's tables of categories, mahalle and districts.
public struct CompactComplaint: Sendable, Equatable {
    public var x: UInt32
    public var y: UInt32
    /// Store row id.
    public var id: UInt32
    /// Seconds since 2000-01-01T00:00:00Z (UTC).
    public var created: UInt32
    /// Seconds since 2000-01-01T00:00:00Z when resolved; 0 = not resolved.
    public var resolved: UInt32
    /// Index into `ComplaintSnapshot.Tables.mahalle`; 0 = unassigned.
    public var mahalle: UInt16
    public var category: UInt8
    public var status: UInt8
    public var channel: UInt8
    public var type: UInt8
    /// Index into `Tables.districts`; 0 = none.
    public var district: UInt8
    /// 1–5, 0 = not given.
    public var satisfaction: UInt8
    /// Local (Istanbul) month, months since 2000-01 — precomputed because analytics groups by it.
    public var month: UInt16
    /// Marks (in what was padding, so a record stays 32 bytes): `stackExcluded`.
    public var flags: UInt8

    /// On a stack of default geocodes the user chose to keep out of heat maps and hot spots (`--exclude-stacks`).
    public static let stackExcluded: UInt8 = 1

    public static let epoch2000: Int64 = 946_684_800

    public init(x: UInt32, y: UInt32, id: UInt32, created: UInt32, resolved: UInt32, mahalle: UInt16, category: UInt8,
                status: UInt8, channel: UInt8, type: UInt8, district: UInt8, satisfaction: UInt8, month: UInt16, flags: UInt8 = 0) {
        self.x = x; self.y = y; self.id = id; self.created = created; self.resolved = resolved; self.mahalle = mahalle
        self.category = category; self.status = status; self.channel = channel; self.type = type
        self.district = district; self.satisfaction = satisfaction; self.month = month; self.flags = flags
    }

    @inline(__always) public var createdUnix: Int64 { Int64(created) + Self.epoch2000 }
    @inline(__always) public var resolvedUnix: Int64? { resolved == 0 ? nil : Int64(resolved) + Self.epoch2000 }

    @inline(__always)
    public static func seconds2000(unix t: Int64) -> UInt32 {
        UInt32(clamping: max(t - epoch2000, 0))
    }

    /// Months since 2000-01 of a "YYYY-MM" period start.
    @inline(__always)
    public static func month2000(year: Int, month: Int) -> UInt16 {
        UInt16(clamping: max((year - 2000) * 12 + month - 1, 0))
    }

    /// Z-order (Morton) key of the position: tiles of every zoom are contiguous ranges of this key.
    @inlinable
    public var morton: UInt64 { Morton.interleave(x, y) }
}

public enum Morton {
    @inlinable
    static func spread(_ v: UInt32) -> UInt64 {
        var x = UInt64(v)
        x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF
        x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF
        x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F
        x = (x | (x << 2)) & 0x3333_3333_3333_3333
        x = (x | (x << 1)) & 0x5555_5555_5555_5555
        return x
    }

    /// x in the even bits, y in the odd bits.
    @inlinable
    public static func interleave(_ x: UInt32, _ y: UInt32) -> UInt64 { spread(x) | (spread(y) << 1) }

    /// The even bits of `v`, packed (the inverse of `spread`).
    @inlinable
    static func compact(_ v: UInt64) -> UInt32 {
        var x = v & 0x5555_5555_5555_5555
        x = (x | (x >> 1)) & 0x3333_3333_3333_3333
        x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F
        x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF
        x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF
        x = (x | (x >> 16)) & 0x0000_0000_FFFF_FFFF
        return UInt32(truncatingIfNeeded: x)
    }

    /// The position a key was made from: `deinterleave(interleave(x, y)) == (x, y)`.
    @inlinable
    public static func deinterleave(_ key: UInt64) -> (x: UInt32, y: UInt32) { (compact(key), compact(key >> 1)) }

    /// The key range [lo, hi] of all points in tile (z, tx, ty), z ≤ 32.
    @inline(__always)
    public static func tileRange(z: Int, x: UInt32, y: UInt32) -> ClosedRange<UInt64> {
        let shift = 32 - z
        let lo = interleave(z == 0 ? 0 : x << shift, z == 0 ? 0 : y << shift)
        let span: UInt64 = z == 0 ? UInt64.max : (UInt64(1) << UInt64(2 * shift)) - 1
        return lo...(lo | span)
    }
}
