import Foundation
import IntakeCrypto
import IntakeSupport
import Logging

/// Signs, sends and retries requests for one service. Each attempt is signed afresh.
struct AWSRequestSender: Sendable {
    let http: CurlHTTPClient
    let signer: SigV4Signer
    let retry: RetryPolicy
    let logger: Logger
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

    private func prepare(_ request: Request) -> HTTPRequest {
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
                let response = try await http.execute(prepare(request))
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
                let response = try await http.stream(prepare(request), bufferBytes: bufferBytes)
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
