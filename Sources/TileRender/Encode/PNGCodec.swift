import CPNG
import Foundation

/// PNG through the small C encoder in CPNG (which owns libpng's setjmp; no longjmp crosses Swift frames).
/// Every C result passes through `check`, which throws `TileRenderError.png` with the code and message.
public enum PNGCodec {
    /// Palette PNGs are deflated by libdeflate (`TASKMAP_PNG_ZLIB=1`: by libpng's zlib, for A/B runs).
    static let zlibRequested = ProcessInfo.processInfo.environment["TASKMAP_PNG_ZLIB"] == "1"
    /// Tests compare the two writers (set only while a test runs).
    nonisolated(unsafe) static var forceZlib = false
    static var useLibdeflate: Bool { !zlibRequested && !forceZlib }

    /// An 8-bit palette PNG (tRNS for transparent entries), no filter, deflate `level`.
    public static func encode(_ image: IndexedImage, level: Int32 = 1) throws -> [UInt8] {
        var pal = [UInt8](repeating: 0, count: max(1, image.palette.count) * 4)
        for (i, c) in image.palette.enumerated() { pal[4 * i] = c.r; pal[4 * i + 1] = c.g; pal[4 * i + 2] = c.b; pal[4 * i + 3] = c.a }
        let n = Int32(max(1, image.palette.count))
        return try image.indices.withUnsafeBufferPointer { idx in
            try pal.withUnsafeBufferPointer { p in
                try call("encode indexed \(image.width)×\(image.height)") { out, size, err, errlen in
                    Self.useLibdeflate
                        ? tm_png_encode_indexed_fast(idx.baseAddress, Int32(image.width), Int32(image.height), p.baseAddress, n, level,
                                                     out, size, err, errlen)
                        : tm_png_encode_indexed(idx.baseAddress, Int32(image.width), Int32(image.height), p.baseAddress, n, level,
                                                out, size, err, errlen)
                }
            }
        }
    }

    /// An RGBA8 PNG. For images with ≤ 256 colours prefer `encodeSmallest` (a palette PNG is faster and smaller).
    public static func encode(_ image: RGBAImage, level: Int32 = 1) throws -> [UInt8] {
        try image.pixels.withUnsafeBufferPointer { px in
            try call("encode RGBA \(image.width)×\(image.height)") { out, size, err, errlen in
                tm_png_encode_rgba(px.baseAddress, Int32(image.width), Int32(image.height), level, out, size, err, errlen)
            }
        }
    }

    /// A palette PNG when the image has at most 256 distinct colours (exactly, no dithering), RGBA otherwise.
    public static func encodeSmallest(_ image: RGBAImage, level: Int32 = 1) throws -> [UInt8] {
        if let indexed = PaletteQuantizer.exact(image) { return try encode(indexed, level: level) }
        return try encode(image, level: level)
    }

    /// Decodes any PNG to RGBA8 (for tests and contact sheets).
    public static func decode(_ png: [UInt8]) throws -> RGBAImage {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var w: Int32 = 0, h: Int32 = 0
        var err = [CChar](repeating: 0, count: 256)
        let code = png.withUnsafeBufferPointer { p in
            tm_png_decode_rgba(p.baseAddress, p.count, &out, &w, &h, &err, err.count)
        }
        try check(code, err, "decode \(png.count) bytes")
        defer { tm_png_free(out) }
        let n = Int(w) * Int(h) * 4
        return RGBAImage(width: Int(w), height: Int(h), pixels: Array(UnsafeBufferPointer(start: out, count: n)))
    }

    private static func call(_ operation: String,
                             _ body: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<Int>,
                                      UnsafeMutablePointer<CChar>, Int) -> Int32) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var err = [CChar](repeating: 0, count: 256)
        let code = err.withUnsafeMutableBufferPointer { e in body(&out, &size, e.baseAddress!, e.count) }
        try check(code, err, operation)
        defer { tm_png_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }

    /// The one place a C result code becomes a Swift error.
    private static func check(_ code: Int32, _ err: [CChar], _ operation: String) throws {
        guard code != 0 else { return }
        let message = err.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        throw TileRenderError.png(code: code, message: message.isEmpty ? "unknown error" : message, operation: operation)
    }
}

/// Turns an RGBA image into a palette image when it has ≤ 256 distinct colours. Painters keep colours few
/// (coverage in 1/16 steps, few base colours), so pin, choropleth and boundary tiles almost always fit.
public enum PaletteQuantizer {
    public static func exact(_ image: RGBAImage) -> IndexedImage? {
        let n = image.width * image.height
        var indices = [UInt8](repeating: 0, count: n)
        var palette: [RGBA] = [.clear]
        // Open addressing on the packed colour; 1024 slots for ≤ 256 colours keeps probes short.
        var keys = [UInt32](repeating: 0, count: 1024)
        var vals = [UInt8](repeating: 0, count: 1024)
        var used = [Bool](repeating: false, count: 1024)
        let ok = image.pixels.withUnsafeBytes { raw -> Bool in
            let px = raw.bindMemory(to: UInt32.self)
            var lastKey: UInt32 = 0, lastIndex: UInt8 = 0
            for i in 0..<n {
                let key = px[i]
                // Alpha is the high byte (little-endian RGBA): every fully transparent pixel is index 0.
                if key >> 24 == 0 { continue }
                if key == lastKey { indices[i] = lastIndex; continue }
                var h = Int((key &* 0x9E37_79B1) >> 22)
                while true {
                    if !used[h] {
                        if palette.count == 256 { return false }
                        used[h] = true; keys[h] = key; vals[h] = UInt8(palette.count)
                        let b = withUnsafeBytes(of: key) { Array($0) }
                        palette.append(RGBA(r: b[0], g: b[1], b: b[2], a: b[3]))
                        break
                    }
                    if keys[h] == key { break }
                    h = (h + 1) & 1023
                }
                indices[i] = vals[h]; lastKey = key; lastIndex = vals[h]
            }
            return true
        }
        guard ok else { return nil }
        return IndexedImage(width: image.width, height: image.height, indices: indices, palette: palette)
    }
}
