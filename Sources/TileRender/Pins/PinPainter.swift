import Foundation

/// Pin marks → RGBA (the shade stage of the pin layer).
/// - open complaint: a disc in the category colour with a white rim;
/// - resolved, closed or rejected: a smaller white disc with a ring in the category colour (hollow);
/// - cluster: a disc sized by log10(count), white rim, the count in white digits.
public struct PinPainter: Sendable {
    public var options: PinOptions
    /// Colour per snapshot category index.
    public var categoryColors: [RGBA]
    public init(options: PinOptions, categoryColors: [RGBA]) { self.options = options; self.categoryColors = categoryColors }

    /// Radius of a cluster of `n` complaints at 1×.
    public func clusterRadius(_ n: Int) -> Double {
        options.clusterRadiusBase + options.clusterRadiusPerDecade * log10(Double(max(n, 1)))
    }

    /// Draws `marks` (canvas coordinates with `buffer`) onto a `size`-pixel tile; `scale` is 1 or 2 (@2x).
    public func paint(_ marks: [PinMark], size: Int, buffer: Int, scale: Double) -> RGBAImage {
        var img = RGBAImage(width: size, height: size)
        let off = Double(buffer)
        let font = scale > 1 ? DigitFont.large : DigitFont.small
        // Clusters first (larger, underneath), then pins in the given order.
        for m in marks {
            guard case .cluster(let n, _, let cat) = m.kind else { continue }
            let x = m.x - off, y = m.y - off
            let r = clusterRadius(n) * scale
            let fill = cat.map { categoryColors[Int($0)].with(alpha: options.clusterColor.a) } ?? options.clusterColor
            img.fillCircle(cx: x, cy: y, radius: r + 1.5 * scale, color: RGBA.white.with(alpha: 230))
            img.fillCircle(cx: x, cy: y, radius: r, color: fill)
            font.draw(DigitFont.countLabel(n), centerX: x, centerY: y, color: .white, into: &img)
        }
        for m in marks {
            guard case .pin(let cat, let open) = m.kind else { continue }
            let x = m.x - off, y = m.y - off
            let c = categoryColors[Int(cat)]
            if open {
                let r = options.pinRadius * scale
                img.fillCircle(cx: x, cy: y, radius: r + 1.2 * scale, color: RGBA.white.with(alpha: 235))
                img.fillCircle(cx: x, cy: y, radius: r, color: c)
            } else {
                let r = options.resolvedPinRadius * scale
                img.fillCircle(cx: x, cy: y, radius: r + 0.8 * scale, color: RGBA.white.with(alpha: 235))
                img.strokeCircle(cx: x, cy: y, outer: r, inner: r - 1.8 * scale, color: c)
            }
        }
        return img
    }
}
