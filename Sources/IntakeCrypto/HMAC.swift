import COpenSSL

/// HMAC-SHA256 (RFC 2104).
///
/// The streaming form is built on `SHA256` with the RFC 2104 pads, which avoids OpenSSL 3's
/// `EVP_MAC` parameter plumbing and lets a key's pads be reused.
public final class HMAC {
    private let inner = SHA256()
    private let outerPad: [UInt8]

    public init(sha256Key key: UnsafeRawBufferPointer) {
        var block = [UInt8](repeating: 0, count: SHA256.blockSize)
        if key.count > SHA256.blockSize {
            let hashed = SHA256.hash(key)
            block.replaceSubrange(0..<hashed.count, with: hashed)
        } else if key.count > 0 {
            block.withUnsafeMutableBytes { $0.copyMemory(from: key) }
        }
        var innerPad = block
        for index in 0..<block.count {
            innerPad[index] ^= 0x36
            block[index] ^= 0x5c
        }
        outerPad = block
        inner.update(innerPad)
    }

    public convenience init(sha256Key key: some Sequence<UInt8>) {
        let key = Array(key)
        self.init(sha256Key: key.withUnsafeBytes { $0 })
    }

    public func update(_ bytes: UnsafeRawBufferPointer) { inner.update(bytes) }
    public func update(_ bytes: some Sequence<UInt8>) { inner.update(bytes) }
    public func update(_ string: String) { inner.update(string) }

    public func finalize() -> [UInt8] {
        let innerDigest = inner.finalize()
        let outer = SHA256()
        outer.update(outerPad)
        outer.update(innerDigest)
        return outer.finalize()
    }

    /// One-shot HMAC-SHA256 through OpenSSL.
    public static func sha256(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer) -> [UInt8] {
        var size: UInt32 = 0
        let empty: UInt8 = 0
        return withUnsafePointer(to: empty) { emptyPointer in
            [UInt8](unsafeUninitializedCapacity: SHA256.byteCount) { buffer, count in
                let keyBase = key.baseAddress ?? UnsafeRawPointer(emptyPointer)
                let dataBase = (data.baseAddress ?? UnsafeRawPointer(emptyPointer))
                    .assumingMemoryBound(to: UInt8.self)
                COpenSSL.HMAC(
                    _Algorithms.sha256, keyBase, Int32(key.count), dataBase, data.count,
                    buffer.baseAddress, &size)
                count = Int(size)
            }
        }
    }

    public static func sha256(key: some Sequence<UInt8>, data: some Sequence<UInt8>) -> [UInt8] {
        withBytes(key) { keyBytes in withBytes(data) { sha256(key: keyBytes, data: $0) } }
    }

    public static func sha256(key: some Sequence<UInt8>, data: String) -> [UInt8] {
        var data = data
        return withBytes(key) { keyBytes in
            data.withUTF8 { sha256(key: keyBytes, data: UnsafeRawBufferPointer($0)) }
        }
    }
}
