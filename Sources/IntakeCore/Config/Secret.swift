/// A configuration value that must never reach a log line, an error message or a debugger dump.
///
/// `description`, `debugDescription` and the reflection mirror all show `<redacted>`; code that
/// needs the material asks for ``value`` or ``bytes`` explicitly, which is easy to spot in review.
public struct Secret: Sendable, Equatable {
    private let storage: String

    public init(_ value: String) {
        self.storage = value
    }

    /// The secret itself. Only pass it to the code that uses it (a verifier, a connection).
    public var value: String { self.storage }

    /// The secret as UTF-8 bytes, the form HMAC keys and comparisons take.
    public var bytes: [UInt8] { Array(self.storage.utf8) }

    public var isEmpty: Bool { self.storage.isEmpty }

    /// Compares in time that depends only on the lengths, not on where the values first differ.
    public static func == (lhs: Secret, rhs: Secret) -> Bool {
        constantTimeEquals(Array(lhs.storage.utf8), Array(rhs.storage.utf8))
    }
}

extension Secret: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// Compares two byte strings without an early exit on the first difference.

func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    var difference = UInt8(truncatingIfNeeded: lhs.count ^ rhs.count)
    if lhs.count != rhs.count { difference |= 1 }
    let count = min(lhs.count, rhs.count)
    for index in 0..<count {
        difference |= lhs[index] ^ rhs[index]
    }
    return difference == 0
}
