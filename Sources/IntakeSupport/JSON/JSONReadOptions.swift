/// What ``JSONReader`` accepts beyond RFC 8259's grammar. Every reader of JSON in Intake uses
/// ``storable``: the receiver, every handler and the NDJSON import, so a body the receiver answers
/// 202 always parses in its handler and always fits a `jsonb` column (docs/ARCHITECTURE.md,
/// "One JSON reader").
package struct JSONReadOptions: Sendable, Equatable {
    /// What to do with a UTF-8 byte order mark before the value.
    package enum ByteOrderMark: Sendable, Equatable {
        /// Refused at byte 0: RFC 8259 §8.1 forbids sending one, and `jsonb` refuses it.
        case refuse
        /// Skipped, as RFC 8259 §8.1 allows a parser to do.
        case skip
    }

    /// The deepest nesting of arrays and objects; deeper is `JSONParseError.Kind.tooDeep`. The
    /// reader recurses once per level, so this bounds its stack use.
    package var maxDepth: Int
    package var byteOrderMark: ByteOrderMark
    /// Also refuse what PostgreSQL's `jsonb` refuses though JSON allows it: the escape `\u0000`
    /// and numbers outside `numeric`'s range. (Unpaired surrogate escapes are refused always:
    /// they are not Unicode text, so no `String` can hold them.)
    package var requireStorable: Bool

    package init(maxDepth: Int = 256, byteOrderMark: ByteOrderMark = .refuse, requireStorable: Bool = true) {
        self.maxDepth = maxDepth
        self.byteOrderMark = byteOrderMark
        self.requireStorable = requireStorable
    }

    /// Deep enough for any real payload or FHIR resource, shallow enough that hostile nesting
    /// cannot exhaust a thread's stack; no byte order mark; storable in `jsonb`.
    package static let storable = JSONReadOptions()
}

/// Why bytes are not a JSON text the options accept, and where (byte offset from the start).
package struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        /// Not JSON (RFC 8259) or not UTF-8.
        case malformed
        /// Nested deeper than ``JSONReadOptions/maxDepth``.
        case tooDeep
        /// Well-formed JSON that PostgreSQL's `jsonb` refuses; `offset` is where the escape or
        /// number starts.
        case unstorable
    }

    package var kind: Kind
    package var offset: Int
    package var reason: String

    package init(_ kind: Kind, offset: Int, reason: String) {
        self.kind = kind
        self.offset = offset
        self.reason = reason
    }

    package var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// The kind of a JSON value.
package enum JSONValueKind: String, Sendable, Hashable {
    case string, number, bool, null, object, array
}

/// One member of the top-level object, as ``JSONReader/topLevelMembers(_:options:capturing:)``
/// found it: its decoded key, its kind and where its value's bytes are (strings with their
/// quotes and escapes; ``JSONReader/decodeString(_:)`` unescapes them).
package struct JSONMember: Sendable, Equatable {
    package var key: String
    package var kind: JSONValueKind
    package var range: Range<Int>

    package init(key: String, kind: JSONValueKind, range: Range<Int>) {
        self.key = key
        self.kind = kind
        self.range = range
    }
}
