/// A byte range for GetObject (`Range: bytes=…`).
public enum S3ByteRange: Sendable, Equatable {
    /// Bytes `first` through `last` inclusive; `last == nil` reads to the end.
    case bytes(first: Int64, last: Int64?)
    /// The final `count` bytes.
    case suffix(count: Int64)

    public var headerValue: String {
        switch self {
        case .bytes(let first, let last): "bytes=\(first)-\(last.map(String.init) ?? "")"
        case .suffix(let count): "bytes=-\(count)"
        }
    }
}

/// A GetObject answer whose body streams with back-pressure: iterate `body` (chunks of
/// bytes) to the end, or drop it to abort the download.
public struct S3GetObjectResponse: Sendable {
    /// 200, or 206 for a ranged read.
    public var status: Int
    /// As S3 sends it, quotes included (e.g. `"9b2cf535f27731c974343645a3985328"`).
    public var eTag: String?
    /// Bytes in this response (the range's length for a ranged read).
    public var contentLength: Int64?
    /// `bytes first-last/total` for a ranged read.
    public var contentRange: String?
    public var versionId: String?
    public var contentType: String?
    public var lastModified: String?
    public var headers: HTTPHeaders
    public var body: HTTPBody

    /// The object's full size: from `Content-Range` for a ranged read, else `contentLength`.
    public var objectSize: Int64? {
        if let contentRange, let slash = contentRange.lastIndex(of: "/") {
            return Int64(contentRange[contentRange.index(after: slash)...])
        }
        return contentLength
    }
}

public struct S3ObjectHead: Sendable, Equatable {
    public var eTag: String?
    public var contentLength: Int64?
    public var versionId: String?
    public var contentType: String?
    public var lastModified: String?
    /// `x-amz-meta-*` headers, prefix removed, names lower-cased.
    public var metadata: [String: String]
}

public struct S3PutObjectResult: Sendable, Equatable {
    public var eTag: String?
    public var versionId: String?
}

public struct S3ObjectSummary: Sendable, Equatable {
    public var key: String
    public var size: Int64
    public var eTag: String?
    public var lastModified: String?
}

public struct S3ListObjectsResult: Sendable, Equatable {
    public var objects: [S3ObjectSummary]
    public var commonPrefixes: [String]
    public var isTruncated: Bool
    public var nextContinuationToken: String?
}

/// One queue target of a bucket notification configuration.
public struct S3QueueNotification: Sendable, Equatable {
    public var id: String?
    public var queueARN: String
    public var events: [String]
    public var prefix: String?
    public var suffix: String?

    public init(
        id: String? = nil, queueARN: String, events: [String] = ["s3:ObjectCreated:*"], prefix: String? = nil,
        suffix: String? = nil
    ) {
        self.id = id
        self.queueARN = queueARN
        self.events = events
        self.prefix = prefix
        self.suffix = suffix
    }
}
