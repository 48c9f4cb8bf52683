import Foundation
import IntakeAWS
import IntakeCore
import Logging

extension HandlerServices {
    /// The clients a worker's handlers share, built from the configuration's `aws:` section
    /// and the AWS SDKs' chain of credential sources (`CredentialChain`). When no source is
    /// configured the S3 and SQS clients are left out (the handlers that need them fail
    /// permanently, saying so); the HTTP client for subscriber notifications is always there.
    public static func forWorker(configuration: IntakeConfiguration, logger: Logger) -> HandlerServices {
        let http = CurlHTTPClient(configuration: .init(maxConcurrentTransfers: 64, requestTimeout: .seconds(60)))
        var services = HandlerServices(configuration: configuration, http: http)
        do {
            let aws = try AWSConfiguration(settings: configuration.aws, logger: logger)
            services.s3 = try S3Client(configuration: aws, http: http, logger: logger)
            services.sqs = try SQSClient(configuration: aws, http: http, logger: logger)
            logger.info(
                "AWS credentials source chosen",
                metadata: [
                    "aws.credentials.source": "\(aws.credentialProvider.name)",
                    "aws.credentials.detail": "\(aws.credentialProvider.detail)", "aws.region": "\(aws.region)",
                ])
        } catch {
            logger.warning("no AWS clients: S3 imports will fail until AWS is configured", metadata: ["error": "\(error)"])
        }
        return services
    }
}
