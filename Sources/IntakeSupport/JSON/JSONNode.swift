/// A parsed JSON document (``JSONReader/parse(_:options:)``) that keeps what Foundation's
/// `JSONSerialization` loses: numbers as their exact source text (FHIR decimals, Drupal counters,
/// `1e400`, which no `Double` holds), a real distinction between `true` and `1`, and member order
/// (so a re-serialised resource reads like the one that arrived).
package enum JSONNode: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number exactly as written in the document (already checked against RFC 8259).
    case number(String)
    case string(String)
    case array([JSONNode])
    case object(JSONObject)

    package subscript(key: String) -> JSONNode? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    package var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    package var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    package var numberText: String? {
        if case .number(let text) = self { return text }
        return nil
    }

    package var arrayValue: [JSONNode]? {
        if case .array(let value) = self { return value }
        return nil
    }

    package var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    package var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The number as an exact integer, when it is written as one (`12`, not `12.0` or `1e3`).
    package var integerValue: Int64? {
        guard case .number(let text) = self else { return nil }
        return Int64(text)
    }

    /// How a problem message names what was found instead of what was expected.
    package var kindDescription: String {
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
package struct JSONObject: Sendable, Equatable {
    package struct Member: Sendable, Equatable {
        package var key: String
        package var value: JSONNode

        package init(key: String, value: JSONNode) {
            self.key = key
            self.value = value
        }
    }

    package var members: [Member]

    package init(members: [Member] = []) {
        self.members = members
    }

    package subscript(key: String) -> JSONNode? {
        for member in members.reversed() where member.key == key {
            return member.value
        }
        return nil
    }

    package var keys: [String] { members.map(\.key) }
}

extension JSONNode {
    /// Compact JSON text for this node; numbers are written back exactly as they arrived.
    package func serialized() -> String {
        var output = ""
        write(to: &output)
        return output
    }

    /// Compact JSON as UTF-8 bytes (what a `jsonb` parameter is sent as).
    package func serializedBytes() -> [UInt8] {
        Array(serialized().utf8)
    }

    private func write(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let text): output += text
        case .string(let value): JSONString.append(value, to: &output)
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
                JSONString.append(member.key, to: &output)
                output += ":"
                member.value.write(to: &output)
            }
            output += "}"
        }
    }
}
