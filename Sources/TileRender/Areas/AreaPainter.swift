import Foundation

/// Mahalle polygons and outlines → RGBA, anti-aliased (exact-area coverage).
public enum AreaPainter {
    /// Coverage of one area on the canvas (its polygons, holes cut out), or nil when it misses the canvas.
    public static func mask(_ area: ProjectedAreas.Area, canvas: TileCanvas) -> [Float]? {
        let box = canvas.normalizedBox
        if area.maxX < box.x0 || area.minX > box.x1 || area.maxY < box.y0 || area.minY > box.y1 { return nil }
        var r = Rasterizer(width: canvas.width, height: canvas.width)
        for poly in area.polygons {
            for (i, ring) in poly.enumerated() {
                r.addRing(ring.map { canvas.point(normalizedX: $0.x, y: $0.y) }, hole: i > 0)
            }
        }
        let c = r.coverage()
        return c.any ? c.mask : nil
    }

    /// Areas filled with their colour (nil = not drawn), then outlined.
    public static func choropleth(areas: ProjectedAreas, colors: [RGBA?], canvas: TileCanvas, options: ChoroplethOptions,
                                  scale: Double) -> RGBAImage {
        var img = RGBAImage(width: canvas.width, height: canvas.width)
        for i in areas.areas(in: canvas.normalizedBox) {
            guard let color = colors[i], let m = mask(areas.areas[i], canvas: canvas) else { continue }
            img.fill(mask: m, color: color.with(alpha: options.fillAlpha))
        }
        if options.outlineWidth > 0 {
            strokeSegments(areas.segments, canvas: canvas, into: &img, color: options.outlineColor) { _ in options.outlineWidth * scale }
        }
        return img
    }

    /// Mahalle outlines; district borders and the outer edge wider.
    public static func boundaries(areas: ProjectedAreas, canvas: TileCanvas, options: BoundaryOptions, scale: Double) -> RGBAImage {
        var img = RGBAImage(width: canvas.width, height: canvas.width)
        let z = Double(canvas.tile.z)
        let t = min(max((z - 12) / 3, 0), 1)
        let w = (options.widthLowZoom + (options.widthHighZoom - options.widthLowZoom) * t) * scale
        strokeSegments(areas.segments, canvas: canvas, into: &img, color: options.color) { $0.major ? w * options.districtFactor : w }
        return img
    }

    /// Strokes segments through one rasterizer pass (a union: crossings and joints are not darker).
    static func strokeSegments(_ segments: [ProjectedAreas.Segment], canvas: TileCanvas, into img: inout RGBAImage,
                               color: RGBA, width: (ProjectedAreas.Segment) -> Double) {
        let box = canvas.normalizedBox
        let world = Double(canvas.size) * Double(1 << canvas.tile.z)
        let pad = 8 / world
        var r = Rasterizer(width: canvas.width, height: canvas.width)
        var drew = false
        for s in segments {
            if max(s.ax, s.bx) < box.x0 - pad || min(s.ax, s.bx) > box.x1 + pad || max(s.ay, s.by) < box.y0 - pad
                || min(s.ay, s.by) > box.y1 + pad { continue }
            let a = canvas.point(normalizedX: s.ax, y: s.ay), b = canvas.point(normalizedX: s.bx, y: s.by)
            r.addStroke(a.x, a.y, b.x, b.y, width: width(s))
            drew = true
        }
        guard drew else { return }
        let c = r.coverage()
        if c.any { img.fill(mask: c.mask, color: color) }
    }
}
