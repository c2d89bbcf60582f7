import Foundation

/// Turkish-aware case folding and collation. Foundation's default lower-casing maps "I" to "i" and "İ" to
/// "i̇" (with a combining dot); Turkish needs I→ı and İ→i, and alphabetical order ç after c, ğ after g, ı before i,
/// ö after o, ş after s, ü after u.
public enum TurkishText {
    static let trLocale = Locale(identifier: "tr_TR")

    /// Turkish lower case: İ→i, I→ı, then the rest.
    public static func lowercased(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            switch u {
            case "I": out.append("ı")
            case "İ": out.append("i")
            default: out.append(contentsOf: String(u).lowercased().unicodeScalars)
            }
        }
        return String(out)
    }

    /// Turkish upper case: i→İ, ı→I.
    public static func uppercased(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            switch u {
            case "i": out.append("İ")
            case "ı": out.append("I")
            default: out.append(contentsOf: String(u).uppercased().unicodeScalars)
            }
        }
        return String(out)
    }

    /// A key for loose matching of codes typed by people: Turkish lower case, then diacritics folded to ASCII
    /// (ş→s, ğ→g, ı→i, ç→c, ö→o, ü→u), trimmed. "ŞİKAYET", "Şikayet" and "sikayet" share one key.
    public static func foldKey(_ s: String) -> String {
        // Fast path for plain ASCII (most codes and keywords): lower-case bytes, trim spaces.
        var ascii = true
        for b in s.utf8 where b >= 0x80 { ascii = false; break }
        if ascii {
            var bytes = Array(s.utf8)
            while let f = bytes.first, f == 0x20 || f == 0x09 || f == 0x0A || f == 0x0D { bytes.removeFirst() }
            while let l = bytes.last, l == 0x20 || l == 0x09 || l == 0x0A || l == 0x0D { bytes.removeLast() }
            for i in bytes.indices where bytes[i] >= 0x41 && bytes[i] <= 0x5A {
                // ASCII "I" folds to "i" here either way: dotless ı also folds to i.
                bytes[i] += 0x20
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        var out = ""
        for ch in lowercased(s.trimmingCharacters(in: .whitespacesAndNewlines)) {
            switch ch {
            case "ş": out.append("s")
            case "ğ": out.append("g")
            case "ı": out.append("i")
            case "ç": out.append("c")
            case "ö": out.append("o")
            case "ü": out.append("u")
            case "â": out.append("a")
            case "î": out.append("i")
            case "û": out.append("u")
            default: out.append(ch)
            }
        }
        return out
    }

    /// Turkish alphabet order: a b c ç d e f g ğ h ı i j k l m n o ö p r s ş t u ü v y z. Case-insensitive
    /// (Turkish folding), ties broken by the original string so the order is total.
    public static func compare(_ a: String, _ b: String) -> Bool {
        let ka = sortKey(a), kb = sortKey(b)
        if ka != kb { return ka.lexicographicallyPrecedes(kb) }
        return a < b
    }

    static let alphabet: [Character] = Array("abcçdefgğhıijklmnoöprsştuüvyz")
    static let rank: [Character: UInt32] = {
        var r: [Character: UInt32] = [:]
        for (i, c) in alphabet.enumerated() { r[c] = 1000 + UInt32(i) * 16 }
        r["q"] = r["p"]! + 1; r["w"] = r["v"]! + 1; r["x"] = r["w"]! + 1
        r["â"] = r["a"]!; r["î"] = r["i"]!; r["û"] = r["u"]!
        return r
    }()

    static func sortKey(_ s: String) -> [UInt32] {
        lowercased(s).map { ch in
            if let r = rank[ch] { return r }
            // Digits, spaces and punctuation sort before letters, by code point.
            return ch.unicodeScalars.first.map { $0.value < 128 ? $0.value : 0x10000 + $0.value } ?? 0
        }
    }

    /// Sort names the Turkish way.
    public static func sorted(_ names: [String]) -> [String] { names.sorted(by: compare) }
}
