import NIOCore
import NIOHTTP1

/// A complete request as a handler sees it: the head and the whole body, already checked
/// against the body limit chosen for it.
public struct HTTPRequest: Sendable {
    public var head: HTTPRequestHead
    /// The raw bytes of the body, exactly as received (signatures are computed over these).
    public var body: ByteBuffer
    /// The peer's address; the first hop, not `X-Forwarded-For`.
    public var remoteAddress: SocketAddress?

    public init(head: HTTPRequestHead, body: ByteBuffer = ByteBuffer(), remoteAddress: SocketAddress? = nil) {
        self.head = head
        self.body = body
        self.remoteAddress = remoteAddress
    }

    public var method: HTTPMethod { self.head.method }
    /// The request target as sent: path and query.
    public var uri: String { self.head.uri }
    /// Headers with case-insensitive lookup: `request.headers.first(name: "content-type")`.
    public var headers: HTTPHeaders { self.head.headers }
    /// The path without the query string, not percent-decoded.
    public var path: Substring { self.head.path }
    /// The raw query string after `?`, nil when there is none.
    public var query: Substring? { self.head.query }

    /// The body copied out as bytes.
    public var bodyBytes: [UInt8] { Array(self.body.readableBytesView) }

    /// The first value of a header, case-insensitively.
    public func header(_ name: String) -> String? { self.head.headers.first(name: name) }

    /// The first value of a query parameter, percent- and `+`-decoded.
    public func queryParameter(_ name: String) -> String? {
        guard let query = self.query else { return nil }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if percentDecode(parts[0]) == name {
                return parts.count > 1 ? percentDecode(parts[1]) : ""
            }
        }
        return nil
    }

    /// The peer's IP address as text (`203.0.113.7`, `2001:db8::1`), for rate limiting and logs.
    public var remoteIPAddress: String? { self.remoteAddress?.ipAddress }
}

extension HTTPRequestHead {
    /// The path without the query string, not percent-decoded.
    public var path: Substring {
        guard let mark = self.uri.firstIndex(of: "?") else { return self.uri[...] }
        return self.uri[..<mark]
    }

    /// The raw query string after `?`, nil when there is none.
    public var query: Substring? {
        guard let mark = self.uri.firstIndex(of: "?") else { return nil }
        return self.uri[self.uri.index(after: mark)...]
    }

    /// The declared `Content-Length`, nil when absent or malformed (the decoder rejects those).
    public var contentLength: Int? {
        self.headers.first(name: "content-length").flatMap { Int($0) }
    }

    /// Whether a body follows: a positive `Content-Length` or chunked transfer encoding.
    public var hasBody: Bool {
        if let length = self.contentLength { return length > 0 }
        return self.headers.contains(name: "transfer-encoding")
    }
}

func percentDecode(_ text: Substring) -> String {
    guard text.contains(where: { $0 == "%" || $0 == "+" }) else { return String(text) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count)
    var iterator = text.utf8.makeIterator()
    while let byte = iterator.next() {
        switch byte {
        case UInt8(ascii: "+"):
            bytes.append(UInt8(ascii: " "))
        case UInt8(ascii: "%"):
            guard let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else {
                bytes.append(byte)
                continue
            }
            bytes.append(value)
        default:
            bytes.append(byte)
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}
