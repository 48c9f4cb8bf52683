import IntakeSupport
import Foundation
import Logging

/// Region, endpoints and credentials for the AWS clients. `description` never shows a secret.
public struct AWSConfiguration: Sendable, CustomStringConvertible {
    public var region: String
    /// A custom endpoint for every service (LocalStack, moto); nil means real AWS.
    public var endpoint: URL?
    /// Per-service overrides (`AWS_ENDPOINT_URL_SQS`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_STS`).
    public var sqsEndpoint: URL?
    public var s3Endpoint: URL?
    public var stsEndpoint: URL?
    /// Address buckets as `endpoint/bucket/key` rather than `bucket.endpoint/key`.
    public var s3PathStyle: Bool
    /// Asked for the current credentials before every request (see `CredentialChain`).
    public var credentialProvider: any CredentialProvider

    public init(
        region: String, credentialProvider: any CredentialProvider, endpoint: URL? = nil, sqsEndpoint: URL? = nil,
        s3Endpoint: URL? = nil, stsEndpoint: URL? = nil, s3PathStyle: Bool? = nil
    ) {
        self.region = region
        self.credentialProvider = credentialProvider
        self.endpoint = endpoint
        self.sqsEndpoint = sqsEndpoint
        self.s3Endpoint = s3Endpoint
        self.stsEndpoint = stsEndpoint
        // Emulators need path style; real AWS prefers virtual hosts.
        self.s3PathStyle = s3PathStyle ?? (endpoint != nil || s3Endpoint != nil)
    }

    /// Fixed credentials (tests, tools).
    public init(
        region: String, credentials: AWSCredentials, endpoint: URL? = nil, sqsEndpoint: URL? = nil, s3Endpoint: URL? = nil,
        s3PathStyle: Bool? = nil
    ) {
        self.init(
            region: region, credentialProvider: StaticCredentialProvider(credentials), endpoint: endpoint,
            sqsEndpoint: sqsEndpoint, s3Endpoint: s3Endpoint, s3PathStyle: s3PathStyle)
    }

    /// Endpoints from `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_SQS`, `AWS_ENDPOINT_URL_S3` and
    /// `AWS_ENDPOINT_URL_STS`; the region from `region` (the config file), `AWS_REGION`,
    /// `AWS_DEFAULT_REGION`, the selected profile's `region`, then `defaultRegion`; credentials
    /// from the first source of `CredentialChain` that has them. Explicit arguments win over
    /// the environment; an empty string counts as unset.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment, region: String? = nil,
        endpoint: String? = nil, s3PathStyle: Bool? = nil, defaultRegion: String? = nil,
        logger: Logger = Logger(label: "intake.aws.credentials")
    ) throws -> AWSConfiguration {
        let variables = CredentialEnvironment(values: environment)
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
        let chain = try CredentialChain(.init(environment: environment, logger: logger))
        guard
            let resolvedRegion = nonEmpty(region) ?? variables["AWS_REGION"] ?? variables["AWS_DEFAULT_REGION"]
                ?? chain.profileRegion ?? defaultRegion
        else {
            throw AWSConfigurationError("no AWS region: set aws.region in the config file, or AWS_REGION")
        }
        do {
            let shared = try parse(nonEmpty(endpoint) ?? variables["AWS_ENDPOINT_URL"], "AWS endpoint")
            let stsEndpoint = try parse(variables["AWS_ENDPOINT_URL_STS"], "AWS_ENDPOINT_URL_STS")
            // Web identity and assumed roles call STS once per refresh; the refreshing provider
            // does the retrying, with backoff.
            let sts = STSClient(
                endpoint: try Self.endpoint(for: "sts", region: resolvedRegion, override: stsEndpoint, shared: shared),
                region: resolvedRegion, http: chain.settings.http, retry: .none, logger: logger)
            return AWSConfiguration(
                region: resolvedRegion, credentialProvider: try chain.provider(sts: sts), endpoint: shared,
                sqsEndpoint: try parse(variables["AWS_ENDPOINT_URL_SQS"], "AWS_ENDPOINT_URL_SQS"),
                s3Endpoint: try parse(variables["AWS_ENDPOINT_URL_S3"], "AWS_ENDPOINT_URL_S3"), stsEndpoint: stsEndpoint,
                s3PathStyle: s3PathStyle)
        } catch let error as AWSError {
            throw AWSConfigurationError(error.message)
        }
    }

    /// The endpoint for `service` ("sqs", "s3" or "sts"): the per-service override, the shared
    /// endpoint, or the public regional AWS one.
    public func resolvedEndpoint(for service: String) throws -> AWSEndpoint {
        let overrides = ["sqs": sqsEndpoint, "s3": s3Endpoint, "sts": stsEndpoint]
        return try Self.endpoint(for: service, region: region, override: overrides[service] ?? nil, shared: endpoint)
    }

    static func endpoint(for service: String, region: String, override: URL?, shared: URL?) throws -> AWSEndpoint {
        if let url = override ?? shared { return try AWSEndpoint(url: url.absoluteString) }
        let domain = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return AWSEndpoint(scheme: "https", host: "\(service).\(region).\(domain)")
    }

    public var description: String {
        var parts = ["region: \(region)"]
        if let endpoint { parts.append("endpoint: \(endpoint.absoluteString)") }
        if let sqsEndpoint { parts.append("sqsEndpoint: \(sqsEndpoint.absoluteString)") }
        if let s3Endpoint { parts.append("s3Endpoint: \(s3Endpoint.absoluteString)") }
        if let stsEndpoint { parts.append("stsEndpoint: \(stsEndpoint.absoluteString)") }
        parts.append("s3PathStyle: \(s3PathStyle)")
        parts.append("credentials: \(credentialProvider.name)")
        return "AWSConfiguration(\(parts.joined(separator: ", ")))"
    }
}

public struct AWSConfigurationError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "AWS configuration: \(message)" }
}
