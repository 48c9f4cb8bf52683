import COpenSSL

/// Compares two byte strings in time independent of where they differ. Use for every
/// comparison of a secret or a signature. Different lengths compare unequal at once: lengths of
/// signatures are not secret.
public func constantTimeEquals(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
    guard lhs.count == rhs.count else { return false }
    guard let left = lhs.baseAddress, let right = rhs.baseAddress, lhs.count > 0 else { return true }
    return CRYPTO_memcmp(left, right, lhs.count) == 0
}

public func constantTimeEquals(_ lhs: some Sequence<UInt8>, _ rhs: some Sequence<UInt8>) -> Bool {
    withBytes(lhs) { left in withBytes(rhs) { constantTimeEquals(left, $0) } }
}

public enum SecureRandomError: Error, CustomStringConvertible {
    case unavailable

    public var description: String { "the OpenSSL random generator failed (RAND_bytes); is the system entropy source available?" }
}

/// Cryptographically secure random bytes from OpenSSL's CSPRNG.
public enum SecureRandom {
    public static func bytes(_ count: Int) throws -> [UInt8] {
        precondition(count >= 0, "negative byte count")
        var failed = false
        let result = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0, RAND_bytes(buffer.baseAddress, Int32(count)) != 1 {
                failed = true
                buffer.initialize(repeating: 0)
            }
            initialized = count
        }
        if failed { throw SecureRandomError.unavailable }
        return result
    }

    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) throws {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        if RAND_bytes(base.assumingMemoryBound(to: UInt8.self), Int32(buffer.count)) != 1 {
            throw SecureRandomError.unavailable
        }
    }
}
