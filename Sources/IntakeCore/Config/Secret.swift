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

/// Key material a verifier refuses to start with: a signing key or token that an empty
/// `${VAR}`, a stray `whsec_` prefix or a short test value left too weak to prove anything.
/// A sender signing with an empty key must never be accepted (docs/ARCHITECTURE.md, "Verification").
public struct WeakKeyMaterial: Error, CustomStringConvertible, Sendable {
    /// What is wrong, without the material itself.
    public var problem: String
    public var description: String { problem }
}

extension Secret {
    /// The fewest bytes of key material (after any decoding) that a verifier, token or API key
    /// accepts: 128 bits, the floor every webhook provider's generated secrets clear.
    public static let minimumKeyBytes = 16

    /// Checks key material; throws ``WeakKeyMaterial`` saying what is wrong. `text` is false
    /// for bytes decoded from base64, which may begin or end with any byte value;
    /// `minimumBytes` is lowered only where the decoded form is checked for length afterwards.
    public static func checkKeyMaterial(
        _ bytes: [UInt8], text: Bool = true, minimumBytes: Int = minimumKeyBytes
    ) throws(WeakKeyMaterial) {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || (0x09...0x0D).contains($0) }
        if bytes.isEmpty {
            throw WeakKeyMaterial(problem: "is empty (did its environment variable expand to nothing?)")
        }
        if text, bytes.allSatisfy(isSpace) {
            throw WeakKeyMaterial(problem: "is only whitespace (did its environment variable expand to nothing?)")
        }
        if text, isSpace(bytes[0]) || isSpace(bytes[bytes.count - 1]) {
            // A trailing newline from a mounted file is the usual cause; senders sign without it.
            throw WeakKeyMaterial(problem: "starts or ends with whitespace (a newline from a secret file?)")
        }
        if bytes.count < minimumBytes {
            throw WeakKeyMaterial(
                problem: "is \(bytes.count) bytes of key material, too short to be a secret "
                    + "(at least \(minimumKeyBytes); generate one with `openssl rand -hex 32`)")
        }
    }
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
