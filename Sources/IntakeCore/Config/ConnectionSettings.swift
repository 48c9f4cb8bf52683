import Foundation

/// `database:` — where PostgreSQL is.
public struct DatabaseSettings: Sendable {
    /// A libpq URI (`postgres://user:pass@host/db`) or conninfo (`host=… dbname=…`). Empty means
    /// libpq's own defaults and the `PG*` environment variables. Wrapped because it may hold a
    /// password; log ``redactedURL`` instead.
    public var url: Secret
    /// Longest any one statement of a long-running process may take; past it (plus a grace when
    /// the server does not answer at all) the statement fails and the connection is reopened.
    public var statementTimeoutSeconds: Int

    public init(url: Secret = Secret(""), statementTimeoutSeconds: Int = 60) {
        self.url = url
        self.statementTimeoutSeconds = statementTimeoutSeconds
    }

    /// The URL with any password replaced by `<redacted>`, safe for logs.
    public var redactedURL: String {
        Self.redact(self.url.value)
    }

    static func redact(_ url: String) -> String {
        if url.isEmpty { return "(libpq defaults and PG* variables)" }
        if let scheme = url.range(of: "://") {
            // URI form: postgres://user:password@host/db?password=…
            var result = String(url[..<scheme.upperBound])
            var rest = String(url[scheme.upperBound...])
            if let at = rest.firstIndex(of: "@") {
                let userinfo = rest[..<at]
                if let colon = userinfo.firstIndex(of: ":") {
                    result += userinfo[..<colon] + ":<redacted>"
                } else {
                    result += userinfo
                }
                rest = String(rest[at...])
            }
            result += rest
            return Self.redactConninfoPairs(result, separator: "&")
        }
        return Self.redactConninfoPairs(url, separator: " ")
    }

    /// Replaces the value of any `password=` pair, quoted or not.
    private static func redactConninfoPairs(_ text: String, separator: Character) -> String {
        guard let range = text.range(of: "password=", options: .caseInsensitive) else { return text }
        var end = range.upperBound
        if end < text.endIndex, text[end] == "'" {
            end = text.index(after: end)
            var escaped = false
            while end < text.endIndex {
                let character = text[end]
                end = text.index(after: end)
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "'" { break }
            }
        } else {
            while end < text.endIndex, text[end] != separator, text[end] != "&", text[end] != " " {
                end = text.index(after: end)
            }
        }
        let redacted = text[..<range.upperBound] + "<redacted>"
        return redacted + Self.redactConninfoPairs(String(text[end...]), separator: separator)
    }
}

/// `aws:` — the region and, for LocalStack or moto, the endpoint. Credentials are not part of the
/// file: they come from the AWS SDKs' chain of sources (environment, web identity, container,
/// shared profile, instance metadata; see docs/DEPLOYMENT.md, "AWS credentials").
public struct AWSSettings: Sendable, Equatable {
    /// Default: `AWS_REGION`, else `AWS_DEFAULT_REGION`; nil leaves it to the AWS profile's
    /// `region`, else `us-east-1` (resolved with the credentials).
    public var region: String?
    /// nil means the real AWS endpoints. Default: `AWS_ENDPOINT_URL`.
    public var endpoint: String?
    /// Endpoint for SQS: `aws.sqs_endpoint`, else `AWS_ENDPOINT_URL_SQS`, else ``endpoint``.
    public var sqsEndpoint: String?
    /// Endpoint for S3: `aws.s3_endpoint`, else `AWS_ENDPOINT_URL_S3`, else ``endpoint``.
    public var s3Endpoint: String?
    /// `bucket` in the path rather than the host name; LocalStack and moto need it.
    public var s3PathStyle: Bool

    public init(
        region: String? = nil,
        endpoint: String? = nil,
        sqsEndpoint: String? = nil,
        s3Endpoint: String? = nil,
        s3PathStyle: Bool = true
    ) {
        self.region = region
        self.endpoint = endpoint
        self.sqsEndpoint = sqsEndpoint ?? endpoint
        self.s3Endpoint = s3Endpoint ?? endpoint
        self.s3PathStyle = s3PathStyle
    }
}
