import CProj
import Foundation

/// A PROJ transformation from an input CRS (e.g. "EPSG:5254", ITRF96 / 3° TM 30) to WGS 84 lon/lat.
/// Owns its PROJ context and PJ; frees both in `deinit`. One instance per thread.
public final class CoordinateTransform {
    public let source: String
    private var ctx: OpaquePointer?
    private var pj: OpaquePointer?
    /// True when the source is already WGS 84 lon/lat (no PROJ call at all).
    public let isIdentity: Bool

    /// CRS codes commonly met in Turkish municipal data, for help texts and error messages.
    public static let turkishCRS: [(String, String)] = [
        ("EPSG:4326", "WGS 84 lon/lat"),
        ("EPSG:3857", "Web Mercator"),
        ("EPSG:5253–5259", "ITRF96 / TM 3° zones 27–45 (TUREF)"),
        ("EPSG:23035–23038", "ED50 / UTM zones 35–38"),
        ("EPSG:32635–32638", "WGS 84 / UTM zones 35N–38N"),
    ]

    /// `srs`: "EPSG:N" (or anything PROJ accepts). Throws `CRSError.unknown` when PROJ does not know it.
    public init(from srs: String) throws {
        let s = srs.trimmingCharacters(in: .whitespaces)
        source = s
        let upper = s.uppercased()
        isIdentity = upper == "EPSG:4326" || upper == "WGS84" || upper == "OGC:CRS84"
        if isIdentity { return }
        ctx = proj_context_create()
        proj_log_level(ctx, PJ_LOG_NONE)
        guard let raw = proj_create_crs_to_crs(ctx, s, "EPSG:4326", nil) else {
            let msg = String(cString: proj_context_errno_string(ctx, proj_context_errno(ctx)))
            proj_context_destroy(ctx)
            ctx = nil
            throw CRSError.unknown(srs: srs, reason: msg)
        }
        // Always x = lon, y = lat, whatever the CRS's axis order says.
        let norm = proj_normalize_for_visualization(ctx, raw)
        proj_destroy(raw)
        guard let norm else {
            proj_context_destroy(ctx)
            ctx = nil
            throw CRSError.unknown(srs: srs, reason: "cannot normalise axis order")
        }
        pj = norm
    }

    deinit {
        if let pj { proj_destroy(pj) }
        if let ctx { proj_context_destroy(ctx) }
    }

    /// Transforms in place: `xs`/`ys` in the source CRS become lon/lat degrees. Points PROJ cannot transform
    /// become NaN (callers report them as invalid coordinates).
    public func transform(xs: inout [Double], ys: inout [Double]) {
        guard !isIdentity, let pj, !xs.isEmpty else { return }
        let n = xs.count
        xs.withUnsafeMutableBufferPointer { xb in
            ys.withUnsafeMutableBufferPointer { yb in
                _ = proj_trans_generic(pj, PJ_FWD, xb.baseAddress, MemoryLayout<Double>.stride, n,
                                       yb.baseAddress, MemoryLayout<Double>.stride, n, nil, 0, 0, nil, 0, 0)
            }
        }
        for i in 0..<n where !xs[i].isFinite || !ys[i].isFinite || xs[i] == .infinity || abs(xs[i]) > 1e30 {
            xs[i] = .nan; ys[i] = .nan
        }
    }

    public func transform(_ x: Double, _ y: Double) -> LonLat {
        var xs = [x], ys = [y]
        transform(xs: &xs, ys: &ys)
        return LonLat(lon: xs[0], lat: ys[0])
    }
}

public enum CRSError: Error, CustomStringConvertible, Sendable {
    case unknown(srs: String, reason: String)
    public var description: String {
        switch self {
        case .unknown(let s, let r):
            return "unknown CRS '\(s)' (\(r)); use e.g. EPSG:4326, EPSG:3857, EPSG:5253–5259 (ITRF96 TM), EPSG:23035–23038 (ED50 UTM) or EPSG:32635–32638 (WGS 84 UTM)"
        }
    }
}
