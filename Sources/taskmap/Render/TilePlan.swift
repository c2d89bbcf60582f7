import Foundation
import GeoIndex
import TaskMapServer

/// Which tiles a batch render writes: only tiles that hold data. For point layers, the tiles containing a
/// complaint that passes the filter, widened by the layer's buffer (a heat kernel near an edge also colours the
/// neighbour); for area layers (choropleth, boundaries), the tiles the mahalle's bounding boxes touch.
/// Tiles not planned are simply absent from the output: viewers draw a missing overlay tile as transparent.
enum TilePlan {
    static func tiles(layer: String, source: any TileSource, snapshot: ComplaintSnapshot, filter: CompiledFilter,
                      mahalle: [Mahalle], zooms: ClosedRange<Int>, bbox: BoundingBox?) -> [TileAddress] {
        var out: [TileAddress] = []
        let clip = bbox.map { b -> (UInt32, UInt32, UInt32, UInt32) in
            let nw = WebMercator.fixed(LonLat(lon: b.minLon, lat: b.maxLat)), se = WebMercator.fixed(LonLat(lon: b.maxLon, lat: b.minLat))
            return (nw.x, se.x, nw.y, se.y)
        }
        switch source.dependence(layer: layer) {
        case .nearbyPoints(let buffer):
            for z in zooms {
                var set = Set<UInt64>()
                let shift = UInt32(32 - z)
                let pad = z == 0 ? UInt32(0) : UInt32(min(Int64(UInt32.max), Int64(buffer) * (Int64(1) << Int64(32 - z)) / 256))
                let maxTile = UInt32((1 << z) - 1)
                func visit(_ r: CompactComplaint) {
                    if let c = clip, r.x < c.0 || r.x > c.1 || r.y < c.2 || r.y > c.3 { return }
                    if z == 0 { set.insert(0); return }
                    let tx0 = (r.x &- min(r.x, pad)) >> shift, tx1 = min(maxTile, UInt32(min(UInt64(r.x) + UInt64(pad), UInt64(UInt32.max))) >> shift)
                    let ty0 = (r.y &- min(r.y, pad)) >> shift, ty1 = min(maxTile, UInt32(min(UInt64(r.y) + UInt64(pad), UInt64(UInt32.max))) >> shift)
                    for ty in ty0...ty1 { for tx in tx0...tx1 { set.insert(UInt64(tx) << 32 | UInt64(ty)) } }
                }
                snapshot.forEach(filter: filter, visit)
                out += set.sorted().compactMap { TileAddress(z: z, x: Int($0 >> 32), y: Int($0 & 0xFFFF_FFFF)) }
            }
        default:
            for z in zooms {
                var set = Set<UInt64>()
                let n = Double(1 << z)
                for m in mahalle {
                    var b = m.geometry.bbox
                    if let bbox {
                        guard b.intersects(bbox) else { continue }
                        b = BoundingBox(minLon: max(b.minLon, bbox.minLon), minLat: max(b.minLat, bbox.minLat),
                                        maxLon: min(b.maxLon, bbox.maxLon), maxLat: min(b.maxLat, bbox.maxLat))
                    }
                    let nw = WebMercator.normalized(LonLat(lon: b.minLon, lat: b.maxLat))
                    let se = WebMercator.normalized(LonLat(lon: b.maxLon, lat: b.minLat))
                    let x0 = Int(nw.x * n), x1 = min(Int(n) - 1, Int(se.x * n)), y0 = Int(nw.y * n), y1 = min(Int(n) - 1, Int(se.y * n))
                    for y in y0...max(y0, y1) { for x in x0...max(x0, x1) { set.insert(UInt64(x) << 32 | UInt64(y)) } }
                }
                out += set.sorted().compactMap { TileAddress(z: z, x: Int($0 >> 32), y: Int($0 & 0xFFFF_FFFF)) }
            }
        }
        return out
    }
}
