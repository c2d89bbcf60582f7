import Foundation
import GeoIndex

extension TileRenderer {
    /// What a layer's colours mean, as data. Heat legends are per zoom (the scale is), default zoom 13.
    public func legend(layer: Layer, filter: ComplaintFilter = .all, metric: ChoroplethMetric = .count, zoom: Int? = nil) -> Legend {
        switch layer {
        case .heat, .mahalleHeat:
            let z = zoom ?? 13
            var mahalleID: Int64? = nil
            if case .mahalleHeat(let id) = layer { mahalleID = id }
            let scale = heatScale(zoom: z, filter: filter, mahalle: mahalleID)
            let shader = HeatShader(scale: scale, options: options.heat)
            let stops = [0.0, 0.25, 0.5, 0.75, 1.0].map { t -> Legend.Stop in
                let v = Double(max(scale.density(at: Float(t)), options.heat.minDensity))
                let c = shader.palette[1 + Int((t * 254).rounded())]
                return Legend.Stop(value: v, label: t == 1 ? "≥ " + LegendFormat.number(v) : LegendFormat.number(v), color: c.hex)
            }
            return Legend(layer: layer.id, title: "Şikâyet yoğunluğu", kind: .ramp, stops: stops, method: scale.scaling.rawValue, zoom: z,
                          notes: "\(options.heat.radiusPixels) px çekirdek altındaki şikâyet (tek şikâyet 1'de tepe yapar); "
                              + "\(z). yakınlaştırmadaki her karo için tek ölçek" + (mahalleID == nil ? "" : ", bu mahalle içinde"))

        case .pins:
            let known = Dictionary(categories.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
            var codes = categories.map(\.code)
            let snapCodes = dataCategories()
            for c in snapCodes where known[c] == nil { codes.append(c) }
            let stops = codes.map { Legend.Stop(value: nil, label: known[$0]?.nameTR ?? $0, color: CategoryPalette.color(for: $0).hex) }
            return Legend(layer: layer.id, title: "Kategoriye göre şikâyetler", kind: .categories, stops: stops, method: nil, zoom: nil,
                          notes: "Dolu işaret: açık (açık, atandı, işlemde); halka: çözüldü, kapandı ya da reddedildi. "
                              + "\(options.pins.clusterBelowZoom). yakınlaştırmanın altında şikâyetler sayılarıyla kümelenir.")

        case .choropleth:
            let c = choropleth(filter: filter, metric: metric)
            let present = c.values.compactMap(\.value)
            let lo = present.min() ?? 0, hi = present.max() ?? 0
            var stops: [Legend.Stop] = []
            for (i, color) in c.classColors.enumerated() where i <= c.breaks.count {
                let lower = i == 0 ? nil : c.breaks[i - 1]
                let upper = i < c.breaks.count ? c.breaks[i] : hi
                let label = i == 0 ? "\(LegendFormat.number(lo)) – \(LegendFormat.number(upper))"
                    : "> \(LegendFormat.number(lower!)) – \(LegendFormat.number(upper))"
                stops.append(Legend.Stop(value: upper, lower: lower, label: label, color: color.with(alpha: options.choropleth.fillAlpha).hex))
            }
            if c.values.contains(where: { $0.value == nil }) {
                stops.append(Legend.Stop(value: nil, label: "veri yok", color: ChoroplethRamp.noData.with(alpha: options.choropleth.fillAlpha).hex))
            }
            return Legend(layer: layer.id, title: metric.title, kind: .classes, stops: stops, method: c.method.rawValue, zoom: nil,
                          notes: "\(present.count) mahallede \(c.method == .quantile ? "eşit sayılı (kantil)" : "Jenks doğal kırılma") ile \(c.breaks.count + 1) sınıf")

        case .boundaries:
            let b = options.boundaries
            return Legend(layer: layer.id, title: "Sınırlar", kind: .lines,
                          stops: [Legend.Stop(value: nil, label: "mahalle", color: b.color.hex),
                                  Legend.Stop(value: nil, label: "ilçe / dış sınır (kalın)", color: b.color.hex)])

        case .labels:
            return Legend(layer: layer.id, title: "Mahalle adları", kind: .lines, stops: [],
                          notes: "Her yakınlaştırmada bir kez yerleştirilir: ad mahallesine sığdığında, nüfusu büyük olan önce, çakışan ad yazılmaz.")
        }
    }

    private func dataCategories() -> [String] {
        // Category codes present in the current snapshot's table (index 0 is a placeholder).
        Array(currentTables().categories.dropFirst())
    }
}
