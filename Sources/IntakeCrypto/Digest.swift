import COpenSSL

/// Message digests fetched once: OpenSSL 3 otherwise looks the algorithm up on every init.
enum _Algorithms {
    nonisolated(unsafe) static let sha256: OpaquePointer = EVP_MD_fetch(nil, "SHA256", nil) ?? EVP_sha256()!
    nonisolated(unsafe) static let md5: OpaquePointer = EVP_MD_fetch(nil, "MD5", nil) ?? EVP_md5()!
}

/// A streaming message digest over an OpenSSL `EVP_MD_CTX`. Not thread-safe; use one per task.
public final class _EVPDigest {
    private let context: OpaquePointer
    private let algorithm: OpaquePointer
    private let length: Int
    private var finished = false

    init(algorithm: OpaquePointer, length: Int) {
        guard let context = EVP_MD_CTX_new() else {
            // Only an allocation failure gets here; nothing sensible can continue.
            fatalError("EVP_MD_CTX_new failed: out of memory")
        }
        self.context = context
        self.algorithm = algorithm
        self.length = length
        EVP_DigestInit_ex(context, algorithm, nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "digest updated after finalize()")
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    public func update(_ bytes: some Sequence<UInt8>) {
        if let done: Void = bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) {
            return done
        }
        Array(bytes).withUnsafeBytes { update($0) }
    }

    public func update(_ string: String) {
        var string = string
        string.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// Returns the digest. The hasher cannot be updated afterwards unless `reset()` is called.
    public func finalize() -> [UInt8] {
        precondition(!finished, "finalize() called twice")
        finished = true
        var size: UInt32 = 0
        return [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            EVP_DigestFinal_ex(context, buffer.baseAddress, &size)
            count = Int(size)
        }
    }

    /// Starts a new digest, reusing the context.
    public func reset() {
        EVP_DigestInit_ex(context, algorithm, nil)
        finished = false
    }
}

/// What SHA256 and MD5 share: a streaming EVP digest plus one-shot helpers, written once.
public protocol EVPHashFunction {
    static var byteCount: Int { get }
    /// The EVP_MD of the algorithm.
    static var _algorithm: OpaquePointer { get }
    var _digest: _EVPDigest { get }
    init()
}

extension EVPHashFunction {
    public func update(_ bytes: UnsafeRawBufferPointer) { _digest.update(bytes) }
    public func update(_ bytes: some Sequence<UInt8>) { _digest.update(bytes) }
    public func update(_ string: String) { _digest.update(string) }
    public func finalize() -> [UInt8] { _digest.finalize() }
    public func reset() { _digest.reset() }

    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        oneShot(_algorithm, byteCount, bytes)
    }

    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        withBytes(bytes) { hash($0) }
    }

    public static func hash(_ string: String) -> [UInt8] {
        var string = string
        return string.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }
}

/// SHA-256 (FIPS 180-4).
public final class SHA256: EVPHashFunction {
    public static let byteCount = 32
    public static let blockSize = 64
    public static var _algorithm: OpaquePointer { _Algorithms.sha256 }
    public let _digest = _EVPDigest(algorithm: _Algorithms.sha256, length: byteCount)

    public init() {}
}

/// MD5, for comparing against S3 ETags only; never for security.
public final class MD5: EVPHashFunction {
    public static let byteCount = 16
    public static var _algorithm: OpaquePointer { _Algorithms.md5 }
    public let _digest = _EVPDigest(algorithm: _Algorithms.md5, length: byteCount)

    public init() {}
}

private func oneShot(_ algorithm: OpaquePointer, _ length: Int, _ bytes: UnsafeRawBufferPointer) -> [UInt8] {
    var size: UInt32 = 0
    return [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
        // EVP_Digest accepts a null pointer only with a zero length.
        let empty: UInt8 = 0
        withUnsafePointer(to: empty) { emptyPointer in
            let base = bytes.baseAddress ?? UnsafeRawPointer(emptyPointer)
            EVP_Digest(base, bytes.count, buffer.baseAddress, &size, algorithm, nil)
        }
        count = Int(size)
    }
}

@inline(__always)
func withBytes<R>(_ bytes: some Sequence<UInt8>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    if let result = bytes.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    return Array(bytes).withUnsafeBytes(body)
}
