import IntakeSupport

/// Typed access to a JSON object's top-level fields, collecting `RowError`s as it goes.
struct JSONFields {
    private let line: UnsafeRawBufferPointer
    private var members: [String: JSONMember] = [:]
    private(set) var duplicateKey: String?
    var errors: [RowError] = []

    /// `list` as ``JSONReader/topLevelMembers(_:options:capturing:)`` read it from `line`.
    init(_ list: [JSONMember], line: UnsafeRawBufferPointer) {
        self.line = line
        for member in list {
            if members[member.key] != nil, duplicateKey == nil { duplicateKey = member.key }
            members[member.key] = member
        }
    }

    /// The member, unless absent or null; records `missing_field` when required.
    private mutating func present(_ name: String, required: Bool) -> JSONMember? {
        guard let member = members[name], member.kind != .null else {
            if required { errors.append(RowError(.missingField, column: name, "\(name) is missing")) }
            return nil
        }
        return member
    }

    private mutating func wrongType(_ name: String, _ expected: String, _ member: JSONMember) {
        errors.append(RowError(.invalidType, column: name, "\(name) must be \(expected), not a JSON \(member.kind.rawValue)"))
    }

    /// The value's bytes as written (strings with their quotes and escapes).
    private func raw(_ member: JSONMember) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: line[member.range])
    }

    /// The reader checked every escape already, so decoding cannot fail.
    private func stringValue(_ member: JSONMember) -> String? {
        JSONReader.decodeString(raw(member))
    }

    mutating func uuid(_ name: String, required: Bool = true) -> String? {
        guard let member = present(name, required: required) else { return nil }
        guard member.kind == .string else { wrongType(name, "a uuid string", member); return nil }
        guard let text = stringValue(member) else { return nil }
        let utf8 = Array(text.utf8)
        let valid = utf8.count == 36 && utf8.enumerated().allSatisfy { index, byte in
            [8, 13, 18, 23].contains(index) ? byte == 0x2D : IPAddress.isHex(byte)
        }
        guard valid else {
            errors.append(RowError(.invalidUUID, column: name, "\(name) '\(text.prefix(64))' is not a uuid"))
            return nil
        }
        return text.lowercased()
    }

    mutating func text(_ name: String, max: Int, required: Bool = true, allowNumber: Bool = false) -> [UInt8]? {
        guard let member = present(name, required: required) else { return nil }
        if allowNumber && member.kind == .number { return Array(raw(member)) }
        guard member.kind == .string else { wrongType(name, "a string", member); return nil }
        guard let text = stringValue(member) else { return nil }
        if text.isEmpty && required {
            errors.append(RowError(.missingField, column: name, "\(name) is empty"))
            return nil
        }
        guard text.unicodeScalars.count <= max else {
            errors.append(RowError(.tooLong, column: name, "\(name) is longer than \(max) characters"))
            return nil
        }
        return Array(text.utf8)
    }

    mutating func email(_ name: String) -> [UInt8]? {
        guard let value = text(name, max: 254, required: false), !value.isEmpty else { return nil }
        let parts = value.split(separator: 0x40, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            !value.contains(where: { $0 == 0x20 || $0 < 0x20 })
        else {
            errors.append(RowError(.invalidEmail, column: name, "\(name) '\(String(decoding: value.prefix(64), as: UTF8.self))' is not an email address"))
            return nil
        }
        return value
    }

    /// A decimal ≥ 0 with at most 2 places, from a JSON number or a string, kept as written.
    mutating func money(_ name: String) -> [UInt8]? {
        guard let member = present(name, required: true) else { return nil }
        let token: [UInt8]
        switch member.kind {
        case .number: token = Array(raw(member))
        case .string:
            guard let text = stringValue(member) else { return nil }
            token = Array(text.utf8)
        default:
            wrongType(name, "a decimal number", member)
            return nil
        }
        return token.withUnsafeBytes { bytes in
            FieldChecks.money(ByteText.trimmed(bytes), name, &errors).map { Array($0) }
        }
    }

    mutating func integer(_ name: String, _ range: ClosedRange<Int>) -> [UInt8]? {
        guard let member = present(name, required: true) else { return nil }
        guard member.kind == .number else { wrongType(name, "a whole number", member); return nil }
        return FieldChecks.integer(raw(member), name, range, &errors).map { Array(String($0).utf8) }
    }

    mutating func bool(_ name: String, default value: Bool) -> Bool? {
        guard let member = present(name, required: false) else { return value }
        guard member.kind == .bool else {
            errors.append(RowError(.invalidBoolean, column: name, "\(name) must be true or false"))
            return nil
        }
        return raw(member).first == UInt8(ascii: "t")
    }

    mutating func currency(_ name: String) -> [UInt8]? {
        guard let value = text(name, max: 3) else { return nil }
        let upper = value.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }
        guard upper.count == 3, upper.allSatisfy({ (0x41...0x5A).contains($0) }) else {
            errors.append(RowError(.invalidEnum, column: name, "\(name) must be a three-letter ISO 4217 code"))
            return nil
        }
        return upper
    }

    mutating func enumeration(_ name: String, _ allowed: [String]) -> [UInt8]? {
        guard let value = text(name, max: 64) else { return nil }
        let lower = String(decoding: value, as: UTF8.self).lowercased()
        guard allowed.contains(lower) else {
            errors.append(
                RowError(.invalidEnum, column: name, "\(name) '\(lower.prefix(64))' must be one of \(allowed.joined(separator: ", "))"))
            return nil
        }
        return Array(lower.utf8)
    }

    mutating func timestamp(_ name: String, required: Bool) -> [UInt8]? {
        guard let member = present(name, required: required) else { return nil }
        guard member.kind == .string else { wrongType(name, "an RFC 3339 timestamp string", member); return nil }
        guard let text = stringValue(member) else { return nil }
        var bytes = Array(text.utf8)
        var hasOffset = false
        let ok = bytes.withUnsafeBytes {
            FieldChecks.timestamp($0, name, offset: .optional, hasOffset: &hasOffset, &errors) != nil
        }
        guard ok else { return nil }
        if !hasOffset { bytes += Array("+00:00".utf8) }
        return bytes
    }

    /// JSON text for a jsonb column, checked by the scanner already.
    mutating func json(_ name: String, kinds: Set<JSONValueKind>, default value: String?) -> [UInt8]? {
        guard let member = present(name, required: false) else { return value.map { Array($0.utf8) } }
        guard kinds.contains(member.kind) else {
            wrongType(name, kinds == [.object] ? "a JSON object" : "JSON", member)
            return nil
        }
        return Array(raw(member))
    }
}
