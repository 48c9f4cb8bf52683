/// Response or request headers: ordered, names compared without regard to case.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var entries: [(name: String, value: String)]

    public init(_ entries: [(name: String, value: String)] = []) { self.entries = entries }

    public init(dictionaryLiteral elements: (String, String)...) {
        entries = elements.map { (name: $0.0, value: $0.1) }
    }

    /// The first value for `name`.
    public subscript(name: String) -> String? {
        for entry in entries where entry.name.utf8.count == name.utf8.count {
            if entry.name.lowercased() == name.lowercased() { return entry.value }
        }
        return nil
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func add(_ name: String, _ value: String) { entries.append((name, value)) }

    public mutating func replaceOrAdd(_ name: String, _ value: String) {
        entries.removeAll { $0.name.lowercased() == name.lowercased() }
        entries.append((name, value))
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { entries.makeIterator() }
}

public struct HTTPRequest: Sendable {
    public var method: String
    /// An absolute URL, already percent-encoded.
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?
    /// Overall deadline for this request, overriding the client's default; nil keeps the default.
    public var timeout: Duration?

    public init(method: String, url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil, timeout: Duration? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

public struct HTTPResponseHead: Sendable {
    public var status: Int
    public var headers: HTTPHeaders

    public init(status: Int, headers: HTTPHeaders) {
        self.status = status
        self.headers = headers
    }
}

/// A response with its whole body in memory. For small answers (SQS, S3 listings, errors).
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A response whose body arrives as it is read. Iterate `body` (or call `body.collect`);
/// dropping the body without reading it to the end aborts the transfer.
public struct HTTPStreamingResponse: Sendable {
    public var head: HTTPResponseHead
    public var body: HTTPBody
    public var status: Int { head.status }
    public var headers: HTTPHeaders { head.headers }
}
