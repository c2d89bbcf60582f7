import Foundation
import GeoIndex

/// The density that maps to the top of the ramp, and how densities in between are spread over it. One scale
/// serves every tile of a zoom level (for one filter and data version), so the same density has the same colour
/// in every tile: neighbouring tiles agree at their edges.
public struct HeatScale: Sendable, Hashable, Codable {
    /// Density (complaints under the kernel's centre) that gets the hottest colour; anything above saturates.
    public let maximum: Float
    public let scaling: HeatScaling

    public init(maximum: Float, scaling: HeatScaling) {
        self.maximum = max(maximum, 1)
        self.scaling = scaling
    }

    /// Position on the ramp, 0…1.
    @inline(__always)
    public func position(_ v: Float) -> Float {
        guard v > 0 else { return 0 }
        let t: Float
        switch scaling {
        case .linear: t = v / maximum
        case .sqrt: t = (v / maximum).squareRoot()
        case .log: t = log1p(v) / log1p(maximum)
        }
        return min(max(t, 0), 1)
    }

    /// The density at ramp position t (inverse of `position`), for legends.
    public func density(at t: Float) -> Float {
        switch scaling {
        case .linear: return t * maximum
        case .sqrt: return t * t * maximum
        case .log: return expm1(t * log1p(maximum))
        }
    }
}

public enum HeatScaleEstimator {
    /// Complaints in the densest aligned square cell of `cellPixels` (a power of two, at 256-px tiles) at `zoom`.
    /// The snapshot is in Morton order, so a cell's complaints are one contiguous run: one linear pass, no sort,
    /// no allocation per complaint (the unsorted tail goes through a small dictionary).
    public static func densestCell(_ snapshot: ComplaintSnapshot, filter: CompiledFilter, zoom: Int, cellPixels: Int,
                                   mahalleIndex: UInt16? = nil) -> Int {
        let k = max(0, Int(log2(Double(max(1, cellPixels))).rounded(.up)))
        let unitsLog2 = min(32, max(0, 24 - zoom + k))
        let shift = UInt64(2 * unitsLog2)
        let all = filter.isAll
        var tailCounts: [UInt64: Int] = [:]
        for r in snapshot.tail where (all || filter.matches(r)) && (mahalleIndex == nil || r.mahalle == mahalleIndex!) {
            tailCounts[shift >= 64 ? 0 : r.morton >> shift, default: 0] += 1
        }
        var best = 0
        let dead = snapshot.dead
        snapshot.sorted.withUnsafeBufferPointer { buf in
            var current: UInt64 = .max, run = 0
            for (i, r) in buf.enumerated() {
                if !all && !filter.matches(r) { continue }
                if !dead.isEmpty && dead.contains(i) { continue }
                if let m = mahalleIndex, r.mahalle != m { continue }
                let key = shift >= 64 ? 0 : r.morton >> shift
                if key != current {
                    if run > 0 { best = max(best, run + (tailCounts.removeValue(forKey: current) ?? 0)) }
                    current = key; run = 0
                }
                run += 1
            }
            if run > 0 { best = max(best, run + (tailCounts.removeValue(forKey: current) ?? 0)) }
        }
        for (_, n) in tailCounts { best = max(best, n) }
        return best
    }

    /// `densestCell` for every zoom 0…22: `filteredKeys` once, then one run count per zoom.
    public static func densestCellsAllZooms(_ snapshot: ComplaintSnapshot, filter: CompiledFilter, cellPixels: Int,
                                            mahalleIndex: UInt16? = nil) -> [Int] {
        densestCellsAllZooms(snapshot, filter: filter, cellPixels: cellPixels, mahalleIndex: mahalleIndex,
                             candidates: snapshot.candidates(for: filter))
    }

    /// The same, with the filter's `snapshot.candidates(for:)` already at hand (nil: the filter does not narrow).
    public static func densestCellsAllZooms(_ snapshot: ComplaintSnapshot, filter: CompiledFilter, cellPixels: Int,
                                            mahalleIndex: UInt16?, candidates: CandidatePositions?) -> [Int] {
        let keys = filteredKeys(snapshot, filter: filter, mahalleIndex: mahalleIndex, candidates: candidates)
        return (0...22).map { densestCell(keys: keys, zoom: $0, cellPixels: cellPixels) }
    }

    /// The Morton keys of the complaints a filter keeps (and in one mahalle, if given), ascending, tail merged in.
    /// A filter's heat scales at every zoom are run counts over this one list: the server keeps it per filter and
    /// counts a zoom only when a tile of that zoom is asked for. For a category/month filter only its buckets'
    /// records are read (`candidates`).
    public static func filteredKeys(_ snapshot: ComplaintSnapshot, filter: CompiledFilter, mahalleIndex: UInt16?,
                                    candidates: CandidatePositions?) -> [UInt64] {
        let all = filter.isAll
        var keys: [UInt64] = []
        let dead = snapshot.dead
        snapshot.sorted.withUnsafeBufferPointer { buf in
            if let candidates {
                keys.reserveCapacity(candidates.count)
                for i in candidates.positions {
                    let r = buf[Int(i)]
                    if !filter.matches(r) { continue }
                    if let m = mahalleIndex, r.mahalle != m { continue }
                    if !dead.isEmpty && dead.contains(Int(i)) { continue }
                    keys.append(r.morton)
                }
                return
            }
            if all && mahalleIndex == nil { keys.reserveCapacity(buf.count) }
            for (i, r) in buf.enumerated() {
                if !all && !filter.matches(r) { continue }
                if let m = mahalleIndex, r.mahalle != m { continue }
                if !dead.isEmpty && dead.contains(i) { continue }
                keys.append(r.morton)
            }
        }
        var tail = snapshot.tail.filter { (all || filter.matches($0)) && (mahalleIndex == nil || $0.mahalle == mahalleIndex!) }.map(\.morton)
        if !tail.isEmpty {
            tail.sort()
            var merged: [UInt64] = []
            merged.reserveCapacity(keys.count + tail.count)
            var i = 0, j = 0
            while i < keys.count && j < tail.count { if keys[i] <= tail[j] { merged.append(keys[i]); i += 1 } else { merged.append(tail[j]); j += 1 } }
            merged.append(contentsOf: keys[i...]); merged.append(contentsOf: tail[j...])
            keys = merged
        }
        return keys
    }

    /// Complaints in the densest aligned cell of `cellPixels` at `zoom`, from `filteredKeys` (one pass, no allocation).
    public static func densestCell(keys: [UInt64], zoom: Int, cellPixels: Int) -> Int {
        let k = max(0, Int(log2(Double(max(1, cellPixels))).rounded(.up)))
        let unitsLog2 = min(32, max(0, 24 - zoom + k))
        let shift = UInt64(2 * unitsLog2)
        if shift >= 64 { return keys.count }
        var best = 0, run = 0
        var current: UInt64 = .max
        keys.withUnsafeBufferPointer { buf in
            for key in buf {
                let c = key >> shift
                if c != current { best = max(best, run); current = c; run = 0 }
                run += 1
            }
        }
        return max(best, run)
    }

    /// The cell size (pixels, a power of two ≥ the kernel radius) whose densest count sets the scale.
    public static func cellPixels(_ options: HeatOptions) -> Int {
        1 << Int(log2(Double(max(1, options.radiusPixels))).rounded(.up))
    }

    /// The scale for a zoom from a filter's `filteredKeys`.
    public static func scale(keys: [UInt64], zoom: Int, options: HeatOptions) -> HeatScale {
        let n = densestCell(keys: keys, zoom: zoom, cellPixels: cellPixels(options))
        return HeatScale(maximum: quantize(Float(n), stepsPerOctave: options.scaleStepsPerOctave), scaling: options.scaling)
    }

    /// The scales of every zoom 0…22 for one filter (see `densestCellsAllZooms`; `taskmap bench scales` compares
    /// with it).
    public static func scalesAllZooms(_ snapshot: ComplaintSnapshot, filter: CompiledFilter, options: HeatOptions,
                                      mahalleIndex: UInt16?, candidates: CandidatePositions?) -> [HeatScale] {
        let keys = filteredKeys(snapshot, filter: filter, mahalleIndex: mahalleIndex, candidates: candidates)
        return (0...22).map { scale(keys: keys, zoom: $0, options: options) }
    }

    /// The scale for a zoom: the densest cell about the kernel's size (power of two ≥ radius), rounded up to a
    /// step of 2^(1/stepsPerOctave) so that small changes in the data rarely move it.
    public static func scale(_ snapshot: ComplaintSnapshot, filter: CompiledFilter, zoom: Int, options: HeatOptions,
                             mahalleIndex: UInt16? = nil) -> HeatScale {
        let n = densestCell(snapshot, filter: filter, zoom: zoom, cellPixels: cellPixels(options), mahalleIndex: mahalleIndex)
        return HeatScale(maximum: quantize(Float(n), stepsPerOctave: options.scaleStepsPerOctave), scaling: options.scaling)
    }

    /// Rounds up to the next 2^(i / steps).
    public static func quantize(_ v: Float, stepsPerOctave: Double) -> Float {
        guard v > 1, stepsPerOctave > 0 else { return 1 }
        let e = (log2(Double(v)) * stepsPerOctave - 1e-9).rounded(.up) / stepsPerOctave
        return Float(pow(2, e))
    }
}
