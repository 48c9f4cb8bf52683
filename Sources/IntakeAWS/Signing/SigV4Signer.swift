import Foundation
import IntakeCrypto

/// A request as SigV4 sees it.
public struct SigV4Request: Sendable {
    public var method: String
    /// The `Host` header value: host name, plus `:port` when the port is not the scheme's default.
    public var host: String
    /// The path exactly as it goes on the wire (already percent-encoded by the caller; for S3
    /// each key segment encoded once with `AWSURIEncoding.encode(_:keepSlash: true)`).
    public var path: String
    /// Query parameters, decoded. The signer encodes and sorts them; send
    /// `SigV4Signature.canonicalQuery` as the query string so the two agree.
    public var query: [(name: String, value: String)]
    /// Headers to sign besides `host`, `x-amz-date`, the session token and (for S3)
    /// `x-amz-content-sha256`, which the signer adds.
    public var headers: [(name: String, value: String)]
    /// Lower-case hex SHA-256 of the body, or `SigV4Signer.unsignedPayload`.
    public var payloadHash: String

    public init(
        method: String, host: String, path: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], payloadHash: String = SigV4Signer.emptyPayloadHash
    ) {
        self.method = method
        self.host = host
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }
}

/// The result of signing: the headers to add to the request and, for tests and debugging,
/// the intermediate strings.
public struct SigV4Signature: Sendable {
    public let canonicalRequest: String
    public let stringToSign: String
    public let signature: String
    public let authorization: String
    public let canonicalQuery: String
    /// Headers the caller must send in addition to its own: `X-Amz-Date`, `Authorization`,
    /// `X-Amz-Security-Token` when there is a session token, `X-Amz-Content-SHA256` for S3.
    public let headersToAdd: [(name: String, value: String)]
}

/// AWS Signature Version 4 for one service in one region.
///
/// The signing key is derived once per UTC day and secret and cached (shared by copies of the
/// signer, and by the signers a client makes as temporary credentials rotate), so a signature
/// costs two SHA-256 and one HMAC over the request's own strings.
public struct SigV4Signer: Sendable {
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    static let excludedHeaders: Set<String> = [
        "authorization", "user-agent", "x-amzn-trace-id", "expect", "connection", "transfer-encoding",
    ]

    public let credentials: AWSCredentials
    public let region: String
    public let service: String
    private let keyCache: SigningKeyCache

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.init(credentials: credentials, region: region, service: service, keyCache: SigningKeyCache())
    }

    init(credentials: AWSCredentials, region: String, service: String, keyCache: SigningKeyCache) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.keyCache = keyCache
    }

    private var isS3: Bool { service == "s3" }

    public func sign(_ request: SigV4Request, date: Date = Date()) -> SigV4Signature {
        let amzDate = AMZDate(date)
        var headers: [(name: String, value: String)] = [("host", request.host)]
        var added: [(name: String, value: String)] = []
        var hasDate = false, hasToken = false, hasContentHash = false
        for header in request.headers {
            let name = header.name.lowercased()
            if Self.excludedHeaders.contains(name) || name == "host" { continue }
            switch name {
            case "x-amz-date": hasDate = true
            case "x-amz-security-token": hasToken = true
            case "x-amz-content-sha256": hasContentHash = true
            default: break
            }
            headers.append((name, header.value))
        }
        if !hasDate {
            headers.append(("x-amz-date", amzDate.timestamp))
            added.append(("X-Amz-Date", amzDate.timestamp))
        }
        if let token = credentials.sessionToken, !hasToken {
            headers.append(("x-amz-security-token", token))
            added.append(("X-Amz-Security-Token", token))
        }
        if isS3, !hasContentHash {
            headers.append(("x-amz-content-sha256", request.payloadHash))
            added.append(("X-Amz-Content-SHA256", request.payloadHash))
        }

        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(headers)
        let canonicalQuery = Self.canonicalQuery(request.query)
        let canonicalURI = isS3 ? (request.path.isEmpty ? "/" : request.path) : Self.canonicalPath(request.path)
        let canonicalRequest =
            request.method + "\n" + canonicalURI + "\n" + canonicalQuery + "\n" + canonicalHeaders + "\n"
            + signedHeaders + "\n" + request.payloadHash

        let scope = amzDate.day + "/" + region + "/" + service + "/aws4_request"
        let stringToSign =
            "AWS4-HMAC-SHA256\n" + amzDate.timestamp + "\n" + scope + "\n" + SHA256.hash(canonicalRequest).hexString
        let key = keyCache.key(day: amzDate.day, secret: credentials.secretAccessKey) { signingKey(day: $0) }
        let signature = HMAC.sha256(key: key, data: stringToSign).hexString
        let authorization =
            "AWS4-HMAC-SHA256 Credential=" + credentials.accessKeyID + "/" + scope + ", SignedHeaders="
            + signedHeaders + ", Signature=" + signature
        added.append(("Authorization", authorization))
        return SigV4Signature(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
            authorization: authorization, canonicalQuery: canonicalQuery, headersToAdd: added)
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")
    func signingKey(day: String) -> [UInt8] {
        let dateKey = HMAC.sha256(key: Array(("AWS4" + credentials.secretAccessKey).utf8), data: day)
        let regionKey = HMAC.sha256(key: dateKey, data: region)
        let serviceKey = HMAC.sha256(key: regionKey, data: service)
        return HMAC.sha256(key: serviceKey, data: "aws4_request")
    }
}

/// One day's signing key for one secret, shared by every signer of a client. Rotated
/// credentials derive a new key on their first request.
final class SigningKeyCache: @unchecked Sendable {
    private let lock = NSLock()
    private var day = ""
    private var secret = ""
    private var key: [UInt8] = []

    func key(day wanted: String, secret wantedSecret: String, derive: (String) -> [UInt8]) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        if day != wanted || secret != wantedSecret {
            key = derive(wanted)
            day = wanted
            secret = wantedSecret
        }
        return key
    }
}
