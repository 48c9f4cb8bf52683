extension SigV4Signer {
    /// Lower-cased names sorted, values trimmed with inner runs of spaces collapsed, repeated
    /// headers joined with commas.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (canonical: String, signed: String) {
        var merged: [String: String] = [:]
        merged.reserveCapacity(headers.count)
        for (name, value) in headers {
            let lowered = name.lowercased()
            let normalized = normalizeValue(value)
            if let existing = merged[lowered] {
                merged[lowered] = existing + "," + normalized
            } else {
                merged[lowered] = normalized
            }
        }
        let names = merged.keys.sorted()
        var canonical = ""
        canonical.reserveCapacity(names.count * 48)
        for name in names {
            canonical += name
            canonical += ":"
            canonical += merged[name]!
            canonical += "\n"
        }
        return (canonical, names.joined(separator: ";"))
    }

    static func normalizeValue(_ value: String) -> String {
        var needsWork = false
        var previousSpace = true
        for byte in value.utf8 {
            let isSpace = byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
            if isSpace && previousSpace || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") {
                needsWork = true
                break
            }
            previousSpace = isSpace
        }
        if !needsWork && !previousSpace { return value }
        var output = [UInt8]()
        output.reserveCapacity(value.utf8.count)
        var pendingSpace = false
        for byte in value.utf8 {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                || byte == UInt8(ascii: "\r")
            {
                pendingSpace = !output.isEmpty
            } else {
                if pendingSpace { output.append(UInt8(ascii: " ")) }
                pendingSpace = false
                output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Names and values encoded, sorted by name and then by value (byte order).
    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        if query.isEmpty { return "" }
        let encoded = query.map { (AWSURIEncoding.encode($0.name), AWSURIEncoding.encode($0.value)) }
            .sorted { lhs, rhs in
                lhs.0 == rhs.0 ? Array(lhs.1.utf8).lexicographicallyPrecedes(rhs.1.utf8)
                    : Array(lhs.0.utf8).lexicographicallyPrecedes(rhs.0.utf8)
            }
        return encoded.map { $0.0 + "=" + $0.1 }.joined(separator: "&")
    }

    /// For every service but S3: the wire path with dot segments and empty segments removed,
    /// then encoded again (the wire path is already encoded once, so segments end up encoded
    /// twice as SigV4 requires).
    static func canonicalPath(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." {
                _ = segments.popLast()
                continue
            }
            segments.append(segment)
        }
        if segments.isEmpty { return "/" }
        let trailingSlash = path.hasSuffix("/") || path.hasSuffix("/.") || path.hasSuffix("/..")
        var result = ""
        for segment in segments {
            result += "/"
            result += AWSURIEncoding.encode(segment)
        }
        if trailingSlash { result += "/" }
        return result
    }
}
