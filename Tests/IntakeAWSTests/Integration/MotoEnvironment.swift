import Foundation
import IntakeAWS

/// Integration tests run only against an emulator named by AWS_ENDPOINT_URL (scripts/test
/// starts moto and sets it).
enum MotoEnvironment {
    static let isAvailable = ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"].map { !$0.isEmpty } ?? false

    static let http = CurlHTTPClient(configuration: .init(maxConcurrentTransfers: 16, requestTimeout: .seconds(40)))

    static func configuration() throws -> AWSConfiguration {
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_ACCESS_KEY_ID"] = environment["AWS_ACCESS_KEY_ID"] ?? "test"
        environment["AWS_SECRET_ACCESS_KEY"] = environment["AWS_SECRET_ACCESS_KEY"] ?? "test"
        return try AWSConfiguration.fromEnvironment(environment, region: environment["AWS_REGION"] ?? "us-east-1")
    }

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
    }
}
