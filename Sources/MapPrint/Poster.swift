import Foundation
import MapText
import GeoIndex

/// A printable map of a district for one month: tiles composed at the best-fitting zoom (heat, choropleth,
/// boundaries… in the given order), mahalle names, title, legends with units, scale bar, north arrow and a
/// data-source line. Text is set with FreeType in DejaVu Sans, so every Turkish letter prints.
public enum Poster {
    public struct Options: Sendable {
        /// Output size in pixels (A4 landscape at 300 dpi by default).
        public var width = 3508
        public var height = 2480
        public var dpi = 300
        /// Size of the tiles asked for (512 = @2x tiles: print needs the density).
        public var tilePixels = 512
        public init() {}

        /// ISO paper in landscape at `dpi`.
        public static func paper(_ name: String, dpi: Int) -> Options? {
            let mm: (Double, Double)
            switch name.uppercased() {
            case "A4": mm = (297, 210)
            case "A3": mm = (420, 297)
            case "A2": mm = (594, 420)
            default: return nil
            }
            var o = Options()
            o.dpi = dpi
            o.width = Int((mm.0 / 25.4 * Double(dpi)).rounded())
            o.height = Int((mm.1 / 25.4 * Double(dpi)).rounded())
            return o
        }
    }

    public struct Legend: Sendable {
        public var title: String
        public var entries: [(label: String, color: RGBA)]
        public init(title: String, entries: [(label: String, color: RGBA)]) { self.title = title; self.entries = entries }
    }

    public struct Input {
        public var title: String
        public var subtitle: String
        public var source: String
        public var mahalle: [Mahalle]
        public var layers: [String]
        /// The legends of the tiles drawn, asked for with the zoom the poster's tiles come from (a heat scale is
        /// per zoom, so a heat legend must be the one of that zoom).
        public var legends: (Int) throws -> [Legend]
        /// PNG of one tile: (layer, z, x, y) at `Options.tilePixels` pixels.
        public var tile: (String, Int, Int, Int) throws -> [UInt8]
        public init(title: String, subtitle: String, source: String, mahalle: [Mahalle], layers: [String],
                    legends: @escaping (Int) throws -> [Legend], tile: @escaping (String, Int, Int, Int) throws -> [UInt8]) {
            self.title = title; self.subtitle = subtitle; self.source = source; self.mahalle = mahalle; self.layers = layers
            self.legends = legends; self.tile = tile
        }
        public init(title: String, subtitle: String, source: String, mahalle: [Mahalle], layers: [String], legends: [Legend],
                    tile: @escaping (String, Int, Int, Int) throws -> [UInt8]) {
            self.init(title: title, subtitle: subtitle, source: source, mahalle: mahalle, layers: layers, legends: { _ in legends }, tile: tile)
        }
    }

    /// What was drawn where (for tests and the report).
    public struct Layout: Sendable {
        public var zoom: Int
        public var mapX: Int, mapY: Int, mapWidth: Int, mapHeight: Int
        public var metresPerPixel: Double
        public var scaleBarMetres: Int
        /// Names placed, of `labelCandidates` mahalle (the rest did not fit without overlapping).
        public var labels: Int
        public var labelCandidates: Int
        /// The names placed, boxes in poster pixels (the map frame's offset added).
        public var placedLabels: [LabelPlacer.Placed]
        public var tiles: Int
    }

    public static func render(_ input: Input, options o: Options = Options()) throws -> (Canvas, Layout) {
        guard !input.mahalle.isEmpty else { throw PrintError.invalid("nothing to map: no mahalle") }
        let regular = try TextRenderer(fontPath: TextRenderer.regular)
        let bold = try TextRenderer(fontPath: TextRenderer.bold)
        let pt = { (points: Double) in Int((points / 72 * Double(o.dpi)).rounded()) }
        let margin = pt(28)  // ~10 mm
        var canvas = Canvas(width: o.width, height: o.height)
        let ink = RGBA(33, 33, 33), grey = RGBA(97, 97, 97), white = RGBA(255, 255, 255)

        // Bands: title on top, source line at the bottom, legends on the right.
        let titleSize = pt(20), subtitleSize = pt(11), labelSize = pt(6.5), smallSize = pt(7.5)
        let titleBand = titleSize + subtitleSize + pt(18)
        let legendWidth = Int(Double(o.width) * 0.2)
        let bottomBand = pt(22)
        let map = (x: margin, y: margin + titleBand, w: o.width - 2 * margin - legendWidth - pt(14),
                   h: o.height - 2 * margin - titleBand - bottomBand)
        try bold.draw(input.title, x: margin, y: margin + titleSize, pixels: titleSize, color: ink, on: &canvas)
        try regular.draw(input.subtitle, x: margin, y: margin + titleSize + pt(6) + subtitleSize, pixels: subtitleSize, color: grey, on: &canvas)

        // Best-fitting zoom: the largest whose pixel extent of the mahalle fits the map frame.
        var bbox = BoundingBox.empty
        for m in input.mahalle { bbox.extend(m.geometry.bbox) }
        let nw = WebMercator.normalized(LonLat(lon: bbox.minLon, lat: bbox.maxLat))
        let se = WebMercator.normalized(LonLat(lon: bbox.maxLon, lat: bbox.minLat))
        var zoom = 0
        for z in 0...18 {
            let world = Double(o.tilePixels) * Double(1 << z)
            if (se.x - nw.x) * world <= Double(map.w) * 0.96 && (se.y - nw.y) * world <= Double(map.h) * 0.96 { zoom = z } else { break }
        }
        // Tiles come from the next zoom and are scaled down by `scale` (0.5–1) so the district fills the frame
        // instead of a power-of-two fraction of it; downscaling keeps lines and labels crisp.
        zoom = min(zoom + 1, 19)
        let fullWorld = Double(o.tilePixels) * Double(1 << zoom)
        let scale = min(1, min(Double(map.w) * 0.96 / ((se.x - nw.x) * fullWorld), Double(map.h) * 0.96 / ((se.y - nw.y) * fullWorld)))
        let world = fullWorld * scale
        // Top-left of the frame in (scaled) world pixels, centring the extent.
        let originX = (nw.x + se.x) / 2 * world - Double(map.w) / 2
        let originY = (nw.y + se.y) / 2 * world - Double(map.h) / 2
        // Compose at full tile resolution, then resample down into the frame.
        let srcW = Int((Double(map.w) / scale).rounded(.up)), srcH = Int((Double(map.h) / scale).rounded(.up))
        let srcX = originX / scale, srcY = originY / scale
        var full = Canvas(width: srcW, height: srcH, fill: RGBA(246, 244, 239))
        let tx0 = Int((srcX / Double(o.tilePixels)).rounded(.down)), tx1 = Int(((srcX + Double(srcW)) / Double(o.tilePixels)).rounded(.down))
        let ty0 = Int((srcY / Double(o.tilePixels)).rounded(.down)), ty1 = Int(((srcY + Double(srcH)) / Double(o.tilePixels)).rounded(.down))
        var tiles = 0
        let n = 1 << zoom
        for layer in input.layers {
            for ty in max(0, ty0)...min(n - 1, ty1) {
                for tx in max(0, tx0)...min(n - 1, tx1) {
                    let img = try Canvas(png: try input.tile(layer, zoom, tx, ty))
                    full.draw(img, x: Int((Double(tx * o.tilePixels) - srcX).rounded()), y: Int((Double(ty * o.tilePixels) - srcY).rounded()))
                    tiles += 1
                }
            }
        }
        var mapCanvas = scale < 0.999 ? full.resampled(width: map.w, height: map.h) : full.cropped(width: map.w, height: map.h)
        func toMap(_ p: LonLat) -> (Double, Double) {
            let q = WebMercator.normalized(p)
            return (q.x * world - originX, q.y * world - originY)
        }
        // The scale bar's and north arrow's places, worked out before the names so no name covers them.
        let centreLat = (bbox.minLat + bbox.maxLat) / 2
        let mpp = cos(centreLat * .pi / 180) * 2 * .pi * WebMercator.earthRadius / world  // world is already scaled
        let target = Double(map.w) * 0.2 * mpp
        let nice = [100, 200, 250, 500, 1_000, 2_000, 2_500, 5_000, 10_000, 20_000, 50_000, 100_000]
        let metres = nice.last(where: { Double($0) <= target }) ?? nice[0]
        let barPx = Double(metres) / mpp
        let barX = Double(map.x + pt(14)), barY = Double(map.y + map.h - pt(18)), barH = Double(pt(4))
        let scaleBox = LabelPlacer.Box(x0: barX - Double(pt(6) + map.x), y0: barY - Double(pt(12) + map.y),
                                       x1: barX + barPx + Double(pt(34) - map.x), y1: barY + Double(pt(12) - map.y))
        let ax = Double(map.w - pt(30)), ay = Double(pt(22)), aw = Double(pt(9)), ah = Double(pt(24))
        let arrowBox = LabelPlacer.Box(x0: ax - aw, y0: ay - Double(pt(4)), x1: ax + aw, y1: ay + ah + Double(pt(16)))
        // Mahalle names, placed with collision tests in priority order (population, then area); a halo keeps them
        // legible on the darkest classes.
        let halo = max(1, pt(1.2))
        var candidates: [LabelPlacer.Candidate] = []
        for m in input.mahalle {
            let size = try regular.measure(m.name, pixels: labelSize)
            let polys = m.geometry.polygons.map { poly in poly.rings.map { ring in ring.map { p -> (x: Double, y: Double) in
                let (x, y) = toMap(p); return (x, y) } } }
            let area = polys.reduce(0.0) { $0 + abs(LabelPlacer.area($1.first ?? [])) }
            candidates.append(.init(name: m.name, population: m.population, area: area, polygons: polys,
                                    width: Double(size.width + 2 * halo + 2), height: Double(size.ascent + size.descent + 2 * halo)))
        }
        let placed = LabelPlacer.place(candidates, frameWidth: Double(map.w), frameHeight: Double(map.h), reserved: [scaleBox, arrowBox])
        for l in placed {
            let size = try regular.measure(l.name, pixels: labelSize)
            try regular.drawHalo(l.name, x: Int((l.x - Double(size.width) / 2).rounded()),
                                 y: Int((l.y + Double(size.ascent - size.descent) / 2).rounded()), pixels: labelSize,
                                 color: ink, halo: white, radius: halo, on: &mapCanvas)
        }
        // North arrow (K = Kuzey) in the frame's top-right corner.
        mapCanvas.fillPolygon([(ax, ay), (ax + aw / 2, ay + ah), (ax, ay + ah * 0.72), (ax - aw / 2, ay + ah)], ink)
        let k = try bold.measure("K", pixels: pt(11))
        try bold.drawHalo("K", x: Int(ax) - k.width / 2, y: Int(ay + ah) + k.ascent + pt(3), pixels: pt(11), color: ink, halo: white,
                          radius: max(1, pt(1)), on: &mapCanvas)
        canvas.draw(mapCanvas, x: map.x, y: map.y)
        canvas.strokeRect(x: map.x, y: map.y, w: map.w, h: map.h, width: max(1, pt(0.6)), grey)

        // Scale bar: a round length near a fifth of the frame, in four alternating segments.
        canvas.fillRect(x: Int(barX) - pt(6), y: Int(barY) - pt(12), w: Int(barPx) + pt(40), h: pt(24), RGBA(255, 255, 255, 215))
        for i in 0..<4 {
            let x0 = barX + barPx * Double(i) / 4
            canvas.fillRect(x: Int(x0), y: Int(barY), w: Int((barPx / 4).rounded()), h: Int(barH), i % 2 == 0 ? ink : white)
        }
        canvas.strokeRect(x: Int(barX), y: Int(barY), w: Int(barPx), h: Int(barH), width: max(1, pt(0.4)), ink)
        let unit = metres >= 1_000 ? "\(metres / 1_000)\(metres % 1_000 == 0 ? "" : String(format: ".%d", metres % 1_000 / 100)) km" : "\(metres) m"
        try regular.draw("0", x: Int(barX), y: Int(barY) - pt(3), pixels: smallSize, color: ink, on: &canvas)
        let u = try regular.measure(unit, pixels: smallSize)
        try regular.draw(unit, x: Int(barX + barPx) - u.width / 2, y: Int(barY) - pt(3), pixels: smallSize, color: ink, on: &canvas)

        // Legends on the right.
        var ly = map.y + pt(4)
        let lx = o.width - margin - legendWidth
        for legend in try input.legends(zoom) {
            try bold.draw(legend.title, x: lx, y: ly + pt(10), pixels: pt(9.5), color: ink, on: &canvas)
            ly += pt(18)
            for e in legend.entries {
                canvas.fillRect(x: lx, y: ly, w: pt(14), h: pt(9), e.color)
                canvas.strokeRect(x: lx, y: ly, w: pt(14), h: pt(9), width: max(1, pt(0.3)), grey)
                try regular.draw(e.label, x: lx + pt(19), y: ly + pt(8), pixels: pt(8), color: ink, on: &canvas)
                ly += pt(12)
            }
            ly += pt(12)
        }
        // Source line.
        try regular.draw(input.source, x: margin, y: o.height - margin, pixels: smallSize, color: grey, on: &canvas)
        return (canvas, Layout(zoom: zoom, mapX: map.x, mapY: map.y, mapWidth: map.w, mapHeight: map.h, metresPerPixel: mpp,
                               scaleBarMetres: metres, labels: placed.count, labelCandidates: input.mahalle.count,
                               placedLabels: placed.map { l in
                                   var p = l
                                   p.box = .init(x0: l.box.x0 + Double(map.x), y0: l.box.y0 + Double(map.y),
                                                 x1: l.box.x1 + Double(map.x), y1: l.box.y1 + Double(map.y))
                                   p.x += Double(map.x); p.y += Double(map.y)
                                   return p
                               }, tiles: tiles))
    }
}
