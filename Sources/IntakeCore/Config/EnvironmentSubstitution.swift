import Foundation

/// Expands `${NAME}` and `${NAME:-default}` in configuration values.
///
/// Expansion happens on each scalar value after the YAML is parsed rather than on the raw text, so
/// a value containing `#`, `: ` or quotes cannot change the document's structure, a `${…}` in a
/// comment is ignored, and an unset variable is reported with the key it was used for.
/// `$${` stands for a literal `${`.
enum EnvironmentSubstitution {
    enum Failure: Error, Equatable {
        case unsetVariable(String)
        case malformed(String)
    }

    static func expand(_ text: String, environment: [String: String]) -> Result<String, Failure> {
        guard text.utf8.contains(UInt8(ascii: "$")) else { return .success(text) }
        var output = ""
        var rest = text[...]
        while let dollar = rest.firstIndex(of: "$") {
            output += rest[..<dollar]
            let afterDollar = rest.index(after: dollar)
            if rest[afterDollar...].hasPrefix("${") {
                // `$${` is an escaped literal `${`.
                output += "${"
                rest = rest[rest.index(afterDollar, offsetBy: 2)...]
                continue
            }
            guard rest[afterDollar...].hasPrefix("{") else {
                output.append("$")
                rest = rest[afterDollar...]
                continue
            }
            let bodyStart = rest.index(after: afterDollar)
            guard let close = rest[bodyStart...].firstIndex(of: "}") else {
                return .failure(.malformed("unterminated \"${\" (expected \"${NAME}\" or \"${NAME:-default}\")"))
            }
            let body = rest[bodyStart..<close]
            let name: Substring
            let fallback: Substring?
            if let separator = body.range(of: ":-") {
                name = body[..<separator.lowerBound]
                fallback = body[separator.upperBound...]
            } else {
                name = body
                fallback = nil
            }
            guard isValidName(name) else {
                return .failure(.malformed("\"${\(name)}\" is not a valid environment variable reference"))
            }
            // Like the shell, `:-` also applies when the variable is set but empty.
            if let value = environment[String(name)], fallback == nil || !value.isEmpty {
                output += value
            } else if let fallback {
                output += fallback
            } else {
                return .failure(.unsetVariable(String(name)))
            }
            rest = rest[rest.index(after: close)...]
        }
        output += rest
        return .success(output)
    }

    private static func isValidName(_ name: Substring) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || isLetter($0) || (0x30...0x39).contains($0) }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
