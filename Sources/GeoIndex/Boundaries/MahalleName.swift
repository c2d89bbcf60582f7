import Foundation

/// The normalised names used to join population rows to mahalle polygons.
///
/// The same mahalle is written "İsmet Paşa Mh." on a polygon, "İsmet Paşa Mah." in TÜİK's register and
/// "ISMETPASA MAHALLESI" in a spreadsheet typed on a keyboard without Turkish letters; TÜİK itself has typos
/// such as "Cumhurıyet". A key folds all of these to one string: Turkish lower case, Turkish letters to ASCII,
/// the "mahalle" suffix dropped, spaces and punctuation removed.
public enum MahalleName {
    /// The join key of a mahalle (or village) name: "İsmet Paşa Mh.", "İSMETPAŞA MAHALLESİ" and
    /// "Ismet Pasa Mah" all give "ismetpasa". The suffix is dropped only when it is the last word, so a name
    /// that merely contains "mah" or "köy" ("Yeniköy") keeps it.
    public static func key(_ name: String) -> String {
        key(name, droppingLastWordIn: mahalleSuffixes)
    }

    /// The join key of a district (ilçe) or province name: the same folding, no mahalle suffix removed, but a
    /// trailing municipality word dropped, so the ilçe "Dulkadiroğlu" and the municipality
    /// "Dulkadiroğlu Bel." share a key.
    public static func districtKey(_ name: String) -> String {
        key(name, droppingLastWordIn: municipalitySuffixes)
    }

    // Compared with the last word after folding and with its punctuation removed, so "Mah.", "MAH", "Mh."
    // and "Mahallesi" are all caught by a few entries. "koy"/"koyu" are the village forms ("Köy", "Köyü").
    private static let mahalleSuffixes: Set<String> = ["mah", "mh", "mahallesi", "mahalle", "koy", "koyu"]
    private static let municipalitySuffixes: Set<String> = ["bel", "belediyesi"]

    private static func key(_ name: String, droppingLastWordIn suffixes: Set<String>) -> String {
        var words = fold(name).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .map { alphanumerics(String($0)) }
            .filter { !$0.isEmpty }
        // Keep a one-word name whole: a mahalle literally called "Mahalle" must not get an empty key.
        if words.count > 1, let last = words.last, suffixes.contains(last) { words.removeLast() }
        return words.joined()
    }

    /// Turkish lower case and ASCII folding of Turkish letters, via taskmap's `TurkishText.foldKey`; then any
    /// remaining combining mark is dropped, so decomposed input ("s" + U+0327) and "I" + U+0307 (a dotted
    /// capital I typed as two code points) fold like their precomposed forms.
    private static func fold(_ s: String) -> String {
        let folded = TurkishText.foldKey(s)
        var ascii = true
        for b in folded.utf8 where b >= 0x80 { ascii = false; break }
        if ascii { return folded }
        var out = String.UnicodeScalarView()
        for u in folded.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch u.value {
            case 0x0300...0x036F: continue  // combining diacritical marks
            case 0x0131: out.append("i")  // "ı" left over from "I" + U+0307
            default: out.append(u)
            }
        }
        return String(out)
    }

    /// Letters and digits only: punctuation ("75. Yıl", "Mah.") and symbols never decide a match.
    private static func alphanumerics(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if u.isASCII {
                let v = u.value
                if (v >= 0x30 && v <= 0x39) || (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) { out.append(u) }
            } else if u.properties.isAlphabetic || u.properties.numericType != nil {
                out.append(u)
            }
        }
        return String(out)
    }
}
