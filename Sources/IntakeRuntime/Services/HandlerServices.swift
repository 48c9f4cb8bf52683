import IntakeAWS
import IntakeCore

/// Clients the handlers share, built once per process by its main.
public struct HandlerServices: Sendable {
    public var configuration: IntakeConfiguration
    public var s3: S3Client?
    public var sqs: SQSClient?
    public var http: CurlHTTPClient?

    public init(configuration: IntakeConfiguration, s3: S3Client? = nil, sqs: SQSClient? = nil, http: CurlHTTPClient? = nil) {
        self.configuration = configuration
        self.s3 = s3
        self.sqs = sqs
        self.http = http
    }
}
