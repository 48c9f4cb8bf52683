/// A parsed JSON document that keeps what the Drupal and FHIR strategies need and Foundation's
/// `JSONSerialization` loses: numbers as their exact source text (FHIR decimals, Drupal counters),
/// a real distinction between `true` and `1`, and member order (so a re-serialised resource reads
/// like the one that arrived). Shared by `Drupal/` and `FHIR/`; it lives here only because FHIR is
/// its heaviest user.
public enum JSONNode: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number exactly as written in the document (already checked against RFC 8259).
    case number(String)
    case string(String)
    case array([JSONNode])
    case object(JSONObject)

    /// Parses one JSON document (RFC 8259; a leading UTF-8 byte-order mark is tolerated).
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONNode {
        try JSONNodeParser.parse(bytes)
    }

    public subscript(key: String) -> JSONNode? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var numberText: String? {
        if case .number(let text) = self { return text }
        return nil
    }

    public var arrayValue: [JSONNode]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The number as an exact integer, when it is written as one (`12`, not `12.0` or `1e3`).
    public var integerValue: Int64? {
        guard case .number(let text) = self else { return nil }
        return Int64(text)
    }

    /// How a problem message names what was found instead of what was expected.
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON object with its members in document order. Lookup answers the last member of a
/// repeated name, as PostgreSQL's `jsonb` and JavaScript do.
public struct JSONObject: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONNode

        public init(key: String, value: JSONNode) {
            self.key = key
            self.value = value
        }
    }

    public var members: [Member]

    public init(members: [Member] = []) {
        self.members = members
    }

    public subscript(key: String) -> JSONNode? {
        for member in members.reversed() where member.key == key {
            return member.value
        }
        return nil
    }

    public var keys: [String] { members.map(\.key) }
}

extension JSONNode {
    /// Compact JSON text for this node; numbers are written back exactly as they arrived.
    public func serialized() -> String {
        var output = ""
        write(to: &output)
        return output
    }

    /// Compact JSON as UTF-8 bytes (what a `jsonb` parameter is sent as).
    public func serializedBytes() -> [UInt8] {
        Array(serialized().utf8)
    }

    private func write(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let text): output += text
        case .string(let value): JSONNode.writeString(value, to: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                element.write(to: &output)
            }
            output += "]"
        case .object(let object):
            output += "{"
            for (index, member) in object.members.enumerated() {
                if index > 0 { output += "," }
                JSONNode.writeString(member.key, to: &output)
                output += ":"
                member.value.write(to: &output)
            }
            output += "}"
        }
    }

    private static func writeString(_ value: String, to output: inout String) {
        output += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
