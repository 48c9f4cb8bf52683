import Foundation
import IntakeCrypto
import IntakeSupport
import Logging

/// Signs, sends and retries requests for one service. Each attempt is signed afresh with the
/// credentials the provider holds at that moment, so rotated credentials take effect at once.
struct AWSRequestSender: Sendable {
    let http: CurlHTTPClient
    /// nil sends unsigned requests (STS `AssumeRoleWithWebIdentity`).
    let credentials: (any CredentialProvider)?
    let region: String
    let service: String
    let retry: RetryPolicy
    let logger: Logger
    private let keyCache = SigningKeyCache()

    init(
        http: CurlHTTPClient, credentials: (any CredentialProvider)?, region: String, service: String, retry: RetryPolicy,
        logger: Logger
    ) {
        self.http = http
        self.credentials = credentials
        self.region = region
        self.service = service
        self.retry = retry
        self.logger = logger
    }

    /// Error bodies are small; a streamed error answer is read up to this size.
    static let errorBodyLimit = 64 * 1024

    struct Request: Sendable {
        var operation: String
        var method: String
        var endpoint: AWSEndpoint
        /// The wire path, already encoded, without the endpoint's base path.
        var path: String
        var query: [(name: String, value: String)] = []
        var headers: HTTPHeaders = [:]
        var body: [UInt8]? = nil
        /// Hex SHA-256 of the body, or UNSIGNED-PAYLOAD; computed when nil.
        var payloadHash: String? = nil
        var timeout: Duration? = nil
    }

    private func prepare(_ request: Request) async throws -> HTTPRequest {
        guard let credentials else {
            return HTTPRequest(
                method: request.method,
                url: request.endpoint.url(path: request.path, query: SigV4Signer.canonicalQuery(request.query)),
                headers: request.headers, body: request.body, timeout: request.timeout)
        }
        let current: AWSCredentials
        do {
            current = try await credentials.credentials()
        } catch {
            // Whatever the source said (STS AccessDenied included) is about the credentials, not
            // this request: retryable, so a message is not dead-lettered for it.
            throw AWSError(kind: .credentials, message: "\(error)", operation: request.operation)
        }
        let signer = SigV4Signer(credentials: current, region: region, service: service, keyCache: keyCache)
        let payloadHash = request.payloadHash ?? (request.body.map { SHA256.hash($0).hexString } ?? SigV4Signer.emptyPayloadHash)
        let wirePath = request.endpoint.basePath + (request.path.isEmpty ? "/" : request.path)
        let signature = signer.sign(
            SigV4Request(
                method: request.method, host: request.endpoint.hostHeader, path: wirePath, query: request.query,
                headers: request.headers.entries, payloadHash: payloadHash))
        var headers = request.headers
        for (name, value) in signature.headersToAdd { headers.add(name, value) }
        return HTTPRequest(
            method: request.method, url: request.endpoint.url(path: request.path, query: signature.canonicalQuery),
            headers: headers, body: request.body, timeout: request.timeout)
    }

    /// Sends with retries; returns the response when its status is 2xx or listed in `accept`.
    func send(_ request: Request, accept: Set<Int> = []) async throws -> HTTPResponse {
        var attempt = 1
        while true {
            let outcome: AWSError
            do {
                let response = try await http.execute(try await prepare(request))
                if (200..<300).contains(response.status) || accept.contains(response.status) { return response }
                outcome = AWSErrorParser.error(from: response, operation: request.operation)
            } catch var error as AWSError {
                error.operation = error.operation ?? request.operation
                outcome = error
            }
            try await backOffOrThrow(outcome, attempt: &attempt)
        }
    }

    /// Like `send`, but the body of a successful answer streams.
    func stream(_ request: Request, bufferBytes: Int? = nil) async throws -> HTTPStreamingResponse {
        var attempt = 1
        while true {
            let outcome: AWSError
            do {
                let response = try await http.stream(try await prepare(request), bufferBytes: bufferBytes)
                if (200..<300).contains(response.status) { return response }
                let body = try await response.body.collect(upTo: Self.errorBodyLimit)
                outcome = AWSErrorParser.error(
                    from: HTTPResponse(status: response.status, headers: response.headers, body: body),
                    operation: request.operation)
            } catch var error as AWSError {
                error.operation = error.operation ?? request.operation
                outcome = error
            }
            try await backOffOrThrow(outcome, attempt: &attempt)
        }
    }

    private func backOffOrThrow(_ error: AWSError, attempt: inout Int) async throws {
        guard error.isRetryable, attempt < retry.maxAttempts else { throw error }
        let delay = retry.delay(afterAttempt: attempt, retryAfter: error.retryAfter)
        logger.debug(
            "retrying AWS request",
            metadata: [
                "aws.operation": "\(error.operation ?? "")", "aws.attempt": "\(attempt)", "aws.error": "\(error)",
                "aws.delay_ms": "\(delay.milliseconds)",
            ])
        attempt += 1
        try await Task.sleep(for: delay)
    }
}
