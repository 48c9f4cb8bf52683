import Foundation
import IntakeAWS
import IntakeCore
import IntakeSupport
import Logging

/// AWS clients built from the `aws:` section and the credential variables, sharing one
/// `CurlHTTPClient` (its threads hold the kept-alive connections; its size bounds the
/// transfers in flight). Workers get theirs from `HandlerServices.forWorker`; `intakectl` and
/// the tests build these.
public struct AWSClients: Sendable {
    public let configuration: AWSConfiguration
    public let http: CurlHTTPClient
    public let sqs: SQSClient
    public let s3: S3Client
    public let sts: STSClient

    /// - Parameter maxTransfers: concurrent HTTP transfers; size it above the handlers that
    ///   may download at once plus the consumer's own calls.
    public init(
        settings: AWSSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
        maxTransfers: Int = 32, requestTimeout: Duration = .seconds(60),
        retry: RetryPolicy = .awsDefault, logger: Logger = Logger(label: "intake.aws")
    ) throws {
        let configuration = try AWSConfiguration(settings: settings, environment: environment)
        let http = CurlHTTPClient(
            configuration: .init(maxConcurrentTransfers: maxTransfers, requestTimeout: requestTimeout))
        try self.init(configuration: configuration, http: http, retry: retry, logger: logger)
    }

    public init(
        configuration: AWSConfiguration, http: CurlHTTPClient, retry: RetryPolicy = .awsDefault,
        logger: Logger = Logger(label: "intake.aws")
    ) throws {
        self.configuration = configuration
        self.http = http
        self.sqs = try SQSClient(configuration: configuration, http: http, retry: retry, logger: logger)
        self.s3 = try S3Client(configuration: configuration, http: http, retry: retry, logger: logger)
        self.sts = try STSClient(configuration: configuration, http: http, retry: retry, logger: logger)
    }

    /// The services handlers share: the S3 import handlers take their client from here.
    public func handlerServices(configuration: IntakeConfiguration) -> HandlerServices {
        HandlerServices(configuration: configuration, s3: s3, sqs: sqs, http: http)
    }
}

extension AWSConfiguration {
    /// Region, endpoints and path style from `aws:` (which already folded in `AWS_REGION`,
    /// `AWS_ENDPOINT_URL[_SQS|_S3]`), else the AWS profile's region, else us-east-1;
    /// credentials from the first source of `CredentialChain` that has them.
    public init(
        settings: AWSSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "intake.aws.credentials")
    ) throws {
        var configuration = try AWSConfiguration.fromEnvironment(
            environment, region: settings.region, endpoint: settings.endpoint, s3PathStyle: settings.s3PathStyle,
            defaultRegion: "us-east-1", logger: logger)
        func url(_ text: String?, _ key: String) throws -> URL? {
            guard let text, !text.isEmpty else { return nil }
            _ = try AWSEndpoint(url: text)
            guard let url = URL(string: text) else { throw AWSConfigurationError("\(key) '\(text)' is not a valid URL") }
            return url
        }
        if let sqs = try url(settings.sqsEndpoint, "aws.sqs_endpoint") { configuration.sqsEndpoint = sqs }
        if let s3 = try url(settings.s3Endpoint, "aws.s3_endpoint") { configuration.s3Endpoint = s3 }
        self = configuration
    }
}
