import Foundation
import IntakeAWS
import IntakeCore
import Logging

extension HandlerServices {
    /// The clients a worker's handlers share, built from the configuration's `aws:` section
    /// and the usual AWS variables. Without AWS credentials the S3 and SQS clients are left
    /// out (the handlers that need them fail permanently, saying so); the HTTP client for
    /// subscriber notifications is always there.
    public static func forWorker(configuration: IntakeConfiguration, logger: Logger) -> HandlerServices {
        let http = CurlHTTPClient(configuration: .init(maxConcurrentTransfers: 64, requestTimeout: .seconds(60)))
        var services = HandlerServices(configuration: configuration, http: http)
        let aws = configuration.aws
        do {
            var awsConfiguration = try AWSConfiguration.fromEnvironment(
                region: aws.region, endpoint: aws.endpoint, s3PathStyle: aws.s3PathStyle)
            if let s3Endpoint = aws.s3Endpoint, let url = URL(string: s3Endpoint) { awsConfiguration.s3Endpoint = url }
            if let sqsEndpoint = aws.sqsEndpoint, let url = URL(string: sqsEndpoint) { awsConfiguration.sqsEndpoint = url }
            services.s3 = try S3Client(configuration: awsConfiguration, http: http, logger: logger)
            services.sqs = try SQSClient(configuration: awsConfiguration, http: http, logger: logger)
        } catch {
            logger.warning("no AWS clients: S3 imports will fail until AWS is configured", metadata: ["error": "\(error)"])
        }
        return services
    }
}
