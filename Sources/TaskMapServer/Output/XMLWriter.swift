/// A tiny XML writer for the Open311 XML formats: elements and escaped text, nothing else.
struct XMLWriter {
    private var out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    private var stack: [String] = []

    init(root: String) { open(root) }

    mutating func open(_ name: String) {
        out += "<\(name)>"
        stack.append(name)
    }

    mutating func close() {
        guard let name = stack.popLast() else { return }
        out += "</\(name)>"
    }

    /// `<name>text</name>`; nil → `<name/>` (an empty element, as GeoReport v2 examples show for absent values).
    mutating func element(_ name: String, _ text: String?) {
        if let text { out += "<\(name)>\(Self.escape(text))</\(name)>" } else { out += "<\(name)/>" }
    }

    mutating func finish() -> String {
        while !stack.isEmpty { close() }
        return out
    }

    static func escape(_ s: String) -> String {
        var r = ""
        r.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": r += "&amp;"
            case "<": r += "&lt;"
            case ">": r += "&gt;"
            case "\"": r += "&quot;"
            case "'": r += "&apos;"
            default:
                // Characters XML 1.0 cannot carry at all (C0 controls except tab, LF, CR) are dropped.
                if ch.value < 0x20 && ch != "\t" && ch != "\n" && ch != "\r" { continue }
                r.unicodeScalars.append(ch)
            }
        }
        return r
    }
}
