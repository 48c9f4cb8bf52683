import Foundation

/// Region, endpoints and credentials for the AWS clients. `description` never shows the secret.
public struct AWSConfiguration: Sendable, CustomStringConvertible {
    public var region: String
    /// A custom endpoint for every service (LocalStack, moto); nil means real AWS.
    public var endpoint: URL?
    /// Per-service overrides (`AWS_ENDPOINT_URL_SQS`, `AWS_ENDPOINT_URL_S3`).
    public var sqsEndpoint: URL?
    public var s3Endpoint: URL?
    /// Address buckets as `endpoint/bucket/key` rather than `bucket.endpoint/key`.
    public var s3PathStyle: Bool
    public var credentials: AWSCredentials

    public init(
        region: String, credentials: AWSCredentials, endpoint: URL? = nil, sqsEndpoint: URL? = nil, s3Endpoint: URL? = nil,
        s3PathStyle: Bool? = nil
    ) {
        self.region = region
        self.credentials = credentials
        self.endpoint = endpoint
        self.sqsEndpoint = sqsEndpoint
        self.s3Endpoint = s3Endpoint
        // Emulators need path style; real AWS prefers virtual hosts.
        self.s3PathStyle = s3PathStyle ?? (endpoint != nil || s3Endpoint != nil)
    }

    /// Reads `AWS_REGION`/`AWS_DEFAULT_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_SESSION_TOKEN`, `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_SQS`, `AWS_ENDPOINT_URL_S3`.
    /// Explicit arguments (from the config file) win over the environment; an empty string
    /// counts as unset.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment, region: String? = nil,
        endpoint: String? = nil, s3PathStyle: Bool? = nil
    ) throws -> AWSConfiguration {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        func nonEmpty(_ text: String?) -> String? {
            guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        func parse(_ text: String?, _ key: String) throws -> URL? {
            guard let text else { return nil }
            _ = try AWSEndpoint(url: text).host  // validates scheme and host
            guard let url = URL(string: text) else {
                throw AWSConfigurationError("\(key) '\(text)' is not a valid URL")
            }
            return url
        }
        guard let resolvedRegion = nonEmpty(region) ?? value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") else {
            throw AWSConfigurationError("no AWS region: set aws.region in the config file, or AWS_REGION")
        }
        guard let accessKey = value("AWS_ACCESS_KEY_ID") else {
            throw AWSConfigurationError("AWS_ACCESS_KEY_ID is not set")
        }
        guard let secret = value("AWS_SECRET_ACCESS_KEY") else {
            throw AWSConfigurationError("AWS_SECRET_ACCESS_KEY is not set")
        }
        let credentials = AWSCredentials(
            accessKeyID: accessKey, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"))
        do {
            return AWSConfiguration(
                region: resolvedRegion, credentials: credentials,
                endpoint: try parse(nonEmpty(endpoint) ?? value("AWS_ENDPOINT_URL"), "AWS endpoint"),
                sqsEndpoint: try parse(value("AWS_ENDPOINT_URL_SQS"), "AWS_ENDPOINT_URL_SQS"),
                s3Endpoint: try parse(value("AWS_ENDPOINT_URL_S3"), "AWS_ENDPOINT_URL_S3"),
                s3PathStyle: s3PathStyle)
        } catch let error as AWSError {
            throw AWSConfigurationError(error.message)
        }
    }

    /// The endpoint for `service` ("sqs" or "s3"): the per-service override, the shared
    /// endpoint, or the public AWS one.
    public func resolvedEndpoint(for service: String) throws -> AWSEndpoint {
        let override = service == "sqs" ? sqsEndpoint : service == "s3" ? s3Endpoint : nil
        if let url = override ?? endpoint { return try AWSEndpoint(url: url.absoluteString) }
        return AWSEndpoint(scheme: "https", host: "\(service).\(region).amazonaws.com")
    }

    public var description: String {
        var parts = ["region: \(region)"]
        if let endpoint { parts.append("endpoint: \(endpoint.absoluteString)") }
        if let sqsEndpoint { parts.append("sqsEndpoint: \(sqsEndpoint.absoluteString)") }
        if let s3Endpoint { parts.append("s3Endpoint: \(s3Endpoint.absoluteString)") }
        parts.append("s3PathStyle: \(s3PathStyle)")
        parts.append("credentials: \(credentials)")
        return "AWSConfiguration(\(parts.joined(separator: ", ")))"
    }
}

public struct AWSConfigurationError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "AWS configuration: \(message)" }
}
