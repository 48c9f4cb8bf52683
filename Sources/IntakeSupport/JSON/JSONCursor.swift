/// The reading position of ``JSONReader`` in one document. Structure and literals live here,
/// strings in `JSONCursor+Strings.swift`, numbers in `JSONCursor+Numbers.swift`.
struct JSONCursor {
    let bytes: UnsafeRawBufferPointer
    let options: JSONReadOptions
    var index = 0

    /// Positioned at the value: after whitespace, and after a byte order mark the options skip.
    init(_ bytes: UnsafeRawBufferPointer, options: JSONReadOptions) throws(JSONParseError) {
        self.bytes = bytes
        self.options = options
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            guard options.byteOrderMark == .skip else {
                throw JSONParseError(.malformed, offset: 0, reason: "a byte order mark is not JSON (RFC 8259 §8.1)")
            }
            index = 3
        }
        skipWhitespace()
    }

    /// For re-reading a token that a checked read accepted already.
    init(unchecked bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.options = JSONReadOptions(requireStorable: false)
    }

    func failure(_ reason: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(.malformed, offset: offset ?? index, reason: reason)
    }

    /// Only whitespace may follow the value.
    mutating func finish() throws(JSONParseError) {
        skipWhitespace()
        guard index == bytes.count else { throw failure("unexpected data after the JSON value") }
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Reads the value at `index`, nested `depth` containers deep; its tree only when `build`.
    mutating func value(depth: Int, build: Bool) throws(JSONParseError) -> JSONNode? {
        guard index < bytes.count else { throw failure("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1, build: build)
        case UInt8(ascii: "["): return try array(depth: depth + 1, build: build)
        case UInt8(ascii: "\""):
            let text = try string(decode: build)
            return text.map(JSONNode.string)
        case UInt8(ascii: "t"):
            try literal("true")
            return build ? .bool(true) : nil
        case UInt8(ascii: "f"):
            try literal("false")
            return build ? .bool(false) : nil
        case UInt8(ascii: "n"):
            try literal("null")
            return build ? .null : nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let range = try number()
            return build ? .number(text(range)) : nil
        case let byte:
            let shown =
                byte < 0x80 && byte >= 0x20
                ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
            throw failure("unexpected character \(shown)")
        }
    }

    /// The kind of the value starting at `offset`, which a read accepted.
    func kind(at offset: Int) -> JSONValueKind {
        switch bytes[offset] {
        case UInt8(ascii: "{"): .object
        case UInt8(ascii: "["): .array
        case UInt8(ascii: "\""): .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): .bool
        case UInt8(ascii: "n"): .null
        default: .number
        }
    }

    func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    private mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw failure("expected '\(word)'") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw failure("expected '\(word)'")
        }
        index += count
    }

    private mutating func enter(_ depth: Int) throws(JSONParseError) {
        guard depth <= options.maxDepth else {
            throw JSONParseError(.tooDeep, offset: index, reason: "nesting deeper than \(options.maxDepth) levels")
        }
        index += 1
        skipWhitespace()
    }

    /// After a member or element: true at `,`, false at `close` (both consumed).
    private mutating func separator(close: UInt8, in container: String) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw failure("unexpected end of input in \(container)") }
        switch bytes[index] {
        case UInt8(ascii: ","):
            index += 1
            skipWhitespace()
            return true
        case close:
            index += 1
            return false
        default:
            throw failure("expected ',' or '\(Character(Unicode.Scalar(close)))' in \(container)")
        }
    }

    /// Reads `"key":` and leaves `index` at the value; the key decoded only when `decode`.
    private mutating func memberName(decode: Bool) throws(JSONParseError) -> String? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
            throw failure("expected a member name in quotes")
        }
        let key = try string(decode: decode)
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
            throw failure("expected ':' after member name")
        }
        index += 1
        skipWhitespace()
        return key
    }

    private mutating func object(depth: Int, build: Bool) throws(JSONParseError) -> JSONNode? {
        try enter(depth)
        var members: [JSONObject.Member] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
        } else {
            repeat {
                let key = try memberName(decode: build)
                let value = try self.value(depth: depth, build: build)
                if build, let key, let value { members.append(JSONObject.Member(key: key, value: value)) }
            } while try separator(close: UInt8(ascii: "}"), in: "an object")
        }
        return build ? .object(JSONObject(members: members)) : nil
    }

    private mutating func array(depth: Int, build: Bool) throws(JSONParseError) -> JSONNode? {
        try enter(depth)
        var elements: [JSONNode] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
        } else {
            repeat {
                let element = try value(depth: depth, build: build)
                if build, let element { elements.append(element) }
            } while try separator(close: UInt8(ascii: "]"), in: "an array")
        }
        return build ? .array(elements) : nil
    }

    /// The top-level object's members whose key `capturing` accepts, or nil for another value.
    mutating func topLevelMembers(capturing: (String) -> Bool) throws(JSONParseError) -> [JSONMember]? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else {
            _ = try value(depth: 0, build: false)
            return nil
        }
        try enter(1)
        var members: [JSONMember] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return members
        }
        repeat {
            let key = try memberName(decode: true) ?? ""
            let start = index
            _ = try value(depth: 1, build: false)
            if capturing(key) { members.append(JSONMember(key: key, kind: kind(at: start), range: start..<index)) }
        } while try separator(close: UInt8(ascii: "}"), in: "an object")
        return members
    }
}
