/// Just enough XML reading for S3's flat, attribute-free response elements
/// (`<Code>`, `<Key>`, `<Contents>` …). Not a general XML parser.
enum XMLText {
    /// Inner text of the first `<name>…</name>`, entities decoded.
    static func firstElement(_ name: String, in text: String) -> String? {
        guard let range = innerRanges(name, in: text, limit: 1).first else { return nil }
        return decodeEntities(text[range])
    }

    /// Inner text of every `<name>…</name>` (raw; call `decodeEntities` on leaves).
    static func elements(_ name: String, in text: some StringProtocol) -> [Substring] {
        let string = String(text)
        return innerRanges(name, in: string, limit: .max).map { string[$0] }
    }

    private static func innerRanges(_ name: String, in text: String, limit: Int) -> [Range<String.Index>] {
        let open = "<" + name + ">"
        let close = "</" + name + ">"
        var result: [Range<String.Index>] = []
        var searchStart = text.startIndex
        while result.count < limit, let openRange = text.range(of: open, range: searchStart..<text.endIndex) {
            guard let closeRange = text.range(of: close, range: openRange.upperBound..<text.endIndex) else { break }
            result.append(openRange.upperBound..<closeRange.lowerBound)
            searchStart = closeRange.upperBound
        }
        // An empty element (<Name/>) counts as an empty string.
        if result.isEmpty, limit > 0, let empty = text.range(of: "<" + name + "/>") {
            result.append(empty.lowerBound..<empty.lowerBound)
        }
        return result
    }

    static func decodeEntities(_ text: some StringProtocol) -> String {
        guard text.contains("&") else { return String(text) }
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "&", let semicolon = text[index...].firstIndex(of: ";"),
                text.distance(from: index, to: semicolon) <= 10
            {
                let entity = text[text.index(after: index)..<semicolon]
                var replacement: String? = nil
                switch entity {
                case "amp": replacement = "&"
                case "lt": replacement = "<"
                case "gt": replacement = ">"
                case "quot": replacement = "\""
                case "apos": replacement = "'"
                default:
                    if entity.hasPrefix("#x") || entity.hasPrefix("#X"), let value = UInt32(entity.dropFirst(2), radix: 16),
                        let scalar = Unicode.Scalar(value)
                    {
                        replacement = String(Character(scalar))
                    } else if entity.hasPrefix("#"), let value = UInt32(entity.dropFirst()), let scalar = Unicode.Scalar(value) {
                        replacement = String(Character(scalar))
                    }
                }
                if let replacement {
                    output += replacement
                    index = text.index(after: semicolon)
                    continue
                }
            }
            output.append(character)
            index = text.index(after: index)
        }
        return output
    }

    static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&apos;"
            default: output.append(character)
            }
        }
        return output
    }
}
