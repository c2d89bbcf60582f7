import Foundation
import MapText

/// The `labels` layer: mahalle names placed once per zoom for the whole district, then cut into tiles.
///
/// Placing per tile would cut a name at a tile edge or draw it twice (once in each tile); instead the first
/// request for a zoom places every name over the district's world pixels with the poster's engine
/// (`LabelPlacer`: pole of inaccessibility, priority by population then area, no overlaps) and indexes the placed
/// names by the tiles their boxes touch. A name is a candidate only from the zoom where it fits its mahalle.
/// Names are rasterised once per (mahalle, 1× or @2x) — text over a halo — and a tile is a copy of the pieces
/// of the sprites that fall on it, so neighbouring tiles join seamlessly. Nothing here depends on complaints.
final class LabelTiles: @unchecked Sendable {
    let areas: ProjectedAreas
    let options: LabelOptions

    /// A placed name at one zoom: its mahalle and its centre in 1× world pixels.
    struct Placed { var area: Int; var x: Double; var y: Double; var box: LabelPlacer.Box }
    struct Zoom {
        var placed: [Placed]
        /// Tile (x << 32 | y) → indices into `placed`.
        var byTile: [Int64: [Int]]
        /// Names that were candidates at this zoom (fit their mahalle), placed or not.
        var candidates: Int
    }
    /// A name rasterised: straight-alpha RGBA, its centre at (width / 2, height / 2).
    struct Sprite { var image: RGBAImage }

    /// The name's size at 1× (halo and padding included), from both the 1× and the @2x rasterisations, so a
    /// box reserved at 1× holds the @2x sprite too.
    private struct Size { var width: Double; var height: Double }
    /// Pole of inaccessibility in normalised mercator and its distance to the boundary.
    private struct Pole { var x: Double; var y: Double; var distance: Double }

    /// Guards everything below, and the FreeType face (not thread-safe). Placement of a zoom happens under it,
    /// so a zoom is placed once even when many tiles of it are asked for at the same time.
    private let lock = NSLock()
    private var text: TextRenderer?
    private var poles: [Pole?]?
    private var sizes: [Int: Size] = [:]
    private var zooms: [Int: Zoom] = [:]
    private var sprites: [Int64: Sprite] = [:]

    init(areas: ProjectedAreas, options: LabelOptions) {
        self.areas = areas
        self.options = options
    }

    /// The names placed at `zoom` (placing them if this is the zoom's first request).
    func zoom(_ z: Int) throws -> Zoom {
        try lock.withLock { try placedLocked(z) }
    }

    /// The tile's pixels: the pieces of every name placed on it, or nil when none is.
    func image(tile: TileCoord, retina: Bool) throws -> RGBAImage? {
        let scale = retina ? 2 : 1
        let size = 256 * scale
        let (pieces, zoom): ([Sprite], Zoom) = try lock.withLock {
            let zoom = try placedLocked(tile.z)
            let here = zoom.byTile[Int64(tile.x) << 32 | Int64(tile.y)] ?? []
            return (try here.map { try spriteLocked(area: zoom.placed[$0].area, retina: retina) }, zoom)
        }
        guard !pieces.isEmpty else { return nil }
        let here = zoom.byTile[Int64(tile.x) << 32 | Int64(tile.y)]!
        var out = RGBAImage(width: size, height: size)
        let ox = tile.x * size, oy = tile.y * size
        for (k, i) in here.enumerated() {
            let p = zoom.placed[i], s = pieces[k].image
            let left = Int((p.x * Double(scale)).rounded()) - s.width / 2 - ox
            let top = Int((p.y * Double(scale)).rounded()) - s.height / 2 - oy
            // Placed boxes never overlap, so a copy of the sprite's painted pixels is the composite. (The tile
            // index has a pixel of slack: a sprite may miss the tile altogether.)
            let sy0 = max(0, -top), sy1 = min(s.height, size - top), sx0 = max(0, -left), sx1 = min(s.width, size - left)
            guard sy0 < sy1, sx0 < sx1 else { continue }
            for sy in sy0..<sy1 {
                let ty = top + sy
                for sx in sx0..<sx1 {
                    let si = 4 * (sy * s.width + sx)
                    if s.pixels[si + 3] == 0 { continue }
                    let di = 4 * (ty * size + left + sx)
                    out.pixels[di] = s.pixels[si]; out.pixels[di + 1] = s.pixels[si + 1]
                    out.pixels[di + 2] = s.pixels[si + 2]; out.pixels[di + 3] = s.pixels[si + 3]
                }
            }
        }
        return out
    }

    // MARK: - Placement

    private func renderer() throws -> TextRenderer {
        if let text { return text }
        do {
            let t = try TextRenderer(fontPath: options.fontPath)
            text = t
            return t
        } catch {
            throw TileRenderError.font("\(error)")
        }
    }

    private func polesLocked() -> [Pole?] {
        if let poles { return poles }
        let p = areas.areas.map { a -> Pole? in
            let precision = min(a.maxX - a.minX, a.maxY - a.minY) / 200
            guard precision > 0, let c = LabelPlacer.poleOfInaccessibility(a.polygons, precision: precision) else { return nil }
            return Pole(x: c.x, y: c.y, distance: LabelPlacer.signedDistance(a.polygons, c.x, c.y))
        }
        poles = p
        return p
    }

    private func sizeLocked(_ area: Int) throws -> Size {
        if let s = sizes[area] { return s }
        let t = try renderer()
        let name = areas.areas[area].name
        let one = try t.measure(name, pixels: options.fontPixels)
        let two = try t.measure(name, pixels: 2 * options.fontPixels)
        let w = max(Double(one.width), Double(two.width) / 2), h = max(Double(one.ascent + one.descent), Double(two.ascent + two.descent) / 2)
        let s = Size(width: w + 2 * Double(options.haloPixels), height: h + 2 * Double(options.haloPixels))
        sizes[area] = s
        return s
    }

    private func placedLocked(_ z: Int) throws -> Zoom {
        if let zoom = zooms[z] { return zoom }
        let world = 256 * pow(2, Double(z))
        let poles = polesLocked()
        let present = areas.areas.indices.filter { poles[$0] != nil }
        guard !present.isEmpty else { return Zoom(placed: [], byTile: [:], candidates: 0) }
        // The frame: the district's box in world pixels with room around it (names may reach past the edge).
        let pad = 1024.0
        let x0 = present.map { areas.areas[$0].minX }.min()! * world - pad
        let y0 = present.map { areas.areas[$0].minY }.min()! * world - pad
        let x1 = present.map { areas.areas[$0].maxX }.max()! * world + pad
        let y1 = present.map { areas.areas[$0].maxY }.max()! * world + pad

        var candidates: [LabelPlacer.Candidate] = []
        var candidateArea: [Int] = []
        let padding = options.paddingPixels
        for i in present {
            let a = areas.areas[i], pole = poles[i]!
            let size = try sizeLocked(i)
            // Fits: the mahalle is about as wide as its name, and the name's half height fits around the pole.
            guard (a.maxX - a.minX) * world >= options.fitWidthFraction * size.width,
                  pole.distance * world >= size.height / 2 else { continue }
            let polys = a.polygons.map { $0.map { $0.map { (x: $0.x * world - x0, y: $0.y * world - y0) } } }
            candidates.append(LabelPlacer.Candidate(name: a.name, population: a.population,
                                                    area: (a.maxX - a.minX) * (a.maxY - a.minY),
                                                    polygons: polys, width: size.width + 2 * padding, height: size.height + 2 * padding,
                                                    pole: (pole.x * world - x0, pole.y * world - y0)))
            candidateArea.append(i)
        }
        let placed = LabelPlacer.placeIndexed(candidates, frameWidth: x1 - x0, frameHeight: y1 - y0, reserved: [])
        var out: [Placed] = []
        var byTile: [Int64: [Int]] = [:]
        for (c, p) in placed {
            let box = LabelPlacer.Box(x0: p.box.x0 + x0 + padding, y0: p.box.y0 + y0 + padding,
                                      x1: p.box.x1 + x0 - padding, y1: p.box.y1 + y0 - padding)
            let label = Placed(area: candidateArea[c], x: p.x + x0, y: p.y + y0, box: box)
            // Tiles the sprite can reach (one pixel of slack for rounding at @2x).
            let tx0 = Int(floor((box.x0 - 1) / 256)), tx1 = Int(floor((box.x1 + 1) / 256))
            let ty0 = Int(floor((box.y0 - 1) / 256)), ty1 = Int(floor((box.y1 + 1) / 256))
            for tx in tx0...tx1 { for ty in ty0...ty1 { byTile[Int64(tx) << 32 | Int64(ty), default: []].append(out.count) } }
            out.append(label)
        }
        let zoom = Zoom(placed: out, byTile: byTile, candidates: candidates.count)
        zooms[z] = zoom
        return zoom
    }

    // MARK: - Sprites

    /// A name rasterised at 1× or @2x (for tests and posters of label tiles).
    func sprite(area: Int, retina: Bool) throws -> Sprite {
        try lock.withLock { try spriteLocked(area: area, retina: retina) }
    }

    private func spriteLocked(area: Int, retina: Bool) throws -> Sprite {
        let key = Int64(area) << 1 | (retina ? 1 : 0)
        if let s = sprites[key] { return s }
        let scale = retina ? 2 : 1
        let t = try renderer()
        let halo = options.haloPixels * scale
        let size = try sizeLocked(area)
        let m = try t.mask(areas.areas[area].name, pixels: options.fontPixels * scale, margin: halo)
        // The sprite is the reserved box at this scale (even sizes keep the centre on a pixel boundary); the text
        // mask sits centred in it.
        let w = (max(m.width, Int((size.width * Double(scale)).rounded(.up))) + 1) & ~1
        let h = (max(m.height, Int((size.height * Double(scale)).rounded(.up))) + 1) & ~1
        let dx = (w - m.width) / 2, dy = (h - m.height) / 2
        var text = [UInt8](repeating: 0, count: w * h)
        for y in 0..<m.height { for x in 0..<m.width { text[(y + dy) * w + x + dx] = m.coverage[y * m.width + x] } }
        // The halo: the text's coverage spread by the halo radius (a running maximum, rows then columns).
        let halo1 = Self.dilate(text, width: w, height: h, radius: halo)
        var image = RGBAImage(width: w, height: h)
        for i in 0..<(w * h) {
            if halo1[i] > 0 { image.blend(x: i % w, y: i / w, color: options.haloColor, coverage: Float(halo1[i]) / 255) }
            if text[i] > 0 { image.blend(x: i % w, y: i / w, color: options.color, coverage: Float(text[i]) / 255) }
        }
        let s = Sprite(image: image)
        sprites[key] = s
        return s
    }

    /// Grey-scale dilation by a square of side 2r + 1 (separable running maximum).
    static func dilate(_ v: [UInt8], width w: Int, height h: Int, radius r: Int) -> [UInt8] {
        guard r > 0 else { return v }
        var rows = [UInt8](repeating: 0, count: v.count)
        for y in 0..<h {
            for x in 0..<w {
                var m: UInt8 = 0
                for k in max(0, x - r)...min(w - 1, x + r) { m = max(m, v[y * w + k]) }
                rows[y * w + x] = m
            }
        }
        var out = [UInt8](repeating: 0, count: v.count)
        for y in 0..<h {
            for x in 0..<w {
                var m: UInt8 = 0
                for k in max(0, y - r)...min(h - 1, y + r) { m = max(m, rows[k * w + x]) }
                out[y * w + x] = m
            }
        }
        return out
    }
}
