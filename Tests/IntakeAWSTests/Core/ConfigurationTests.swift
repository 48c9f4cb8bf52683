import Foundation
import IntakeSupport
import Testing

@testable import IntakeAWS

@Suite("AWS configuration")
struct ConfigurationTests {
    let base = ["AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "super-secret-value", "AWS_REGION": "eu-west-1"]

    @Test func readsEnvironment() async throws {
        var environment = base
        environment["AWS_SESSION_TOKEN"] = "session-token-value"
        environment["AWS_ENDPOINT_URL"] = "http://localhost:4566"
        environment["AWS_ENDPOINT_URL_S3"] = "http://s3.local:9000"
        let configuration = try AWSConfiguration.fromEnvironment(environment)
        #expect(configuration.region == "eu-west-1")
        #expect(configuration.credentialProvider.name == "environment")
        #expect(try await configuration.credentialProvider.credentials().sessionToken == "session-token-value")
        #expect(configuration.s3PathStyle)
        #expect(try configuration.resolvedEndpoint(for: "sqs") == AWSEndpoint(scheme: "http", host: "localhost", port: 4566))
        #expect(try configuration.resolvedEndpoint(for: "s3") == AWSEndpoint(scheme: "http", host: "s3.local", port: 9000))
        #expect(try configuration.resolvedEndpoint(for: "s3").hostHeader == "s3.local:9000")
    }

    @Test func explicitValuesWinAndEmptyMeansRealAWS() throws {
        var environment = base
        environment["AWS_DEFAULT_REGION"] = "us-west-2"
        environment.removeValue(forKey: "AWS_REGION")
        let fromDefault = try AWSConfiguration.fromEnvironment(environment, endpoint: "")
        #expect(fromDefault.region == "us-west-2")
        #expect(fromDefault.endpoint == nil)
        #expect(!fromDefault.s3PathStyle)
        #expect(try fromDefault.resolvedEndpoint(for: "sqs").url(path: "/") == "https://sqs.us-west-2.amazonaws.com/")
        let explicit = try AWSConfiguration.fromEnvironment(environment, region: "ap-south-1", s3PathStyle: true)
        #expect(explicit.region == "ap-south-1")
        #expect(explicit.s3PathStyle)
    }

    @Test func missingOrBadSettingsNameTheProblem() {
        var noSecret = base
        noSecret.removeValue(forKey: "AWS_SECRET_ACCESS_KEY")
        #expect(throws: AWSConfigurationError.self) { try AWSConfiguration.fromEnvironment(noSecret) }
        do {
            _ = try AWSConfiguration.fromEnvironment(noSecret)
        } catch {
            #expect("\(error)".contains("AWS_SECRET_ACCESS_KEY"))
        }
        var badEndpoint = base
        badEndpoint["AWS_ENDPOINT_URL_SQS"] = "localhost:4566"
        #expect(throws: AWSConfigurationError.self) { try AWSConfiguration.fromEnvironment(badEndpoint) }
        var noRegion = base
        noRegion.removeValue(forKey: "AWS_REGION")
        #expect(throws: AWSConfigurationError.self) { try AWSConfiguration.fromEnvironment(noRegion) }
    }

    @Test func descriptionNeverShowsTheSecret() async throws {
        var environment = base
        environment["AWS_SESSION_TOKEN"] = "session-token-value"
        let configuration = try AWSConfiguration.fromEnvironment(environment)
        let credentials = try await configuration.credentialProvider.credentials()
        for text in [configuration.description, "\(configuration)", String(reflecting: credentials), "\(credentials)"] {
            #expect(!text.contains("super-secret-value"))
            #expect(!text.contains("session-token-value"))
        }
        #expect(credentials.description.contains("AKIDTEST"))
        #expect(configuration.description.contains("credentials: environment"))
    }

    @Test func s3AddressingStyles() throws {
        let http = CurlHTTPClient()
        var configuration = try AWSConfiguration.fromEnvironment(base)
        let virtual = try S3Client(configuration: configuration, http: http)
        let virtualLocation = virtual.location(bucket: "uploads", key: "a b/c+d.csv")
        #expect(virtualLocation.endpoint.host == "uploads.s3.eu-west-1.amazonaws.com")
        #expect(virtualLocation.path == "/a%20b/c%2Bd.csv")
        configuration.s3PathStyle = true
        let path = try S3Client(configuration: configuration, http: http).location(bucket: "uploads", key: "a b/c+d.csv")
        #expect(path.endpoint.host == "s3.eu-west-1.amazonaws.com")
        #expect(path.path == "/uploads/a%20b/c%2Bd.csv")
    }
}

@Suite("Retry and errors")
struct RetryAndErrorTests {
    @Test func fullJitterStaysUnderTheCeiling() {
        let policy = RetryPolicy(maxAttempts: 10, base: .milliseconds(100), cap: .seconds(2))
        #expect(policy.ceiling(afterAttempt: 1) == .milliseconds(100))
        #expect(policy.ceiling(afterAttempt: 3) == .milliseconds(400))
        #expect(policy.ceiling(afterAttempt: 9) == .seconds(2))
        #expect(policy.ceiling(afterAttempt: 200) == .seconds(2))
        for attempt in 1...12 {
            let delay = policy.delay(afterAttempt: attempt)
            #expect(delay >= .zero && delay <= policy.ceiling(afterAttempt: attempt))
        }
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(1)) == .seconds(1))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(60)) == .seconds(2))
    }

    @Test func sqsJSONErrorIsParsed() {
        let response = HTTPResponse(
            status: 400, headers: ["x-amzn-RequestId": "req-1"],
            body: Array(#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}"#.utf8))
        let error = AWSErrorParser.error(from: response, operation: "SQS.ReceiveMessage")
        #expect(error.code == "QueueDoesNotExist")
        #expect(error.message == "The specified queue does not exist.")
        #expect(error.isNotFound)
        #expect(!error.isRetryable)
        #expect(error.requestID == "req-1")
        #expect(error.description.contains("QueueDoesNotExist"))
    }

    @Test func throttlingAndServerErrorsAreRetryable() {
        let throttled = AWSErrorParser.error(
            from: HTTPResponse(
                status: 400, headers: [:],
                body: Array(#"{"__type":"com.amazonaws.sqs#RequestThrottled","message":"slow down"}"#.utf8)),
            operation: "SQS.SendMessage")
        #expect(throttled.isRetryable)
        let slowDown = AWSErrorParser.error(
            from: HTTPResponse(
                status: 503, headers: ["Retry-After": "3"],
                body: Array("<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>".utf8)),
            operation: "S3.GetObject")
        #expect(slowDown.code == "SlowDown")
        #expect(slowDown.message == "Reduce your request rate.")
        #expect(slowDown.retryAfter == .seconds(3))
        #expect(slowDown.isRetryable)
        #expect(AWSError(kind: .service, status: 429, message: "").isRetryable)
        #expect(AWSError(kind: .network, message: "reset").isRetryable)
        #expect(!AWSError(kind: .service, status: 403, code: "AccessDenied", message: "").isRetryable)
    }

    @Test func s3XMLErrorIsParsedWithEntities() {
        let error = AWSErrorParser.error(
            from: HTTPResponse(
                status: 404, headers: [:],
                body: Array("<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>Key &quot;a&amp;b&quot; missing</Message></Error>".utf8)),
            operation: "S3.GetObject")
        #expect(error.code == "NoSuchKey")
        #expect(error.message == "Key \"a&b\" missing")
        #expect(error.kind == .notFound)
    }
}
