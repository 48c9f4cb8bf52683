/// Every failure the AWS clients report. `isRetryable` tells the runtime whether trying again
/// later can help; `description` is for operators and names what failed.
public struct AWSError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Could not connect, connection lost, DNS failure, TLS failure.
        case network
        /// The connect or total timeout passed.
        case timeout
        /// The service answered with an error status (see `status`, `code`).
        case service
        /// 404: the queue, bucket or object does not exist.
        case notFound
        /// The service answered something this client cannot read.
        case invalidResponse
        /// A body was larger than the caller allowed.
        case responseTooLarge
        /// The request could not be built (bad URL, bad argument).
        case invalidRequest
        /// The client was shut down.
        case shutdown
        /// No credentials could be obtained; the message names the source and the cause.
        case credentials
    }

    public var kind: Kind
    /// HTTP status when the service answered.
    public var status: Int?
    /// The AWS error code: SQS `__type` (namespace stripped, e.g. `QueueDoesNotExist`) or
    /// S3 `<Code>` (e.g. `NoSuchKey`).
    public var code: String?
    public var message: String
    /// How long the service asked us to wait (`Retry-After`).
    public var retryAfter: Duration?
    public var requestID: String?
    /// The operation, e.g. `SQS.ReceiveMessage` or `S3.GetObject`.
    public var operation: String?

    public init(
        kind: Kind, status: Int? = nil, code: String? = nil, message: String, retryAfter: Duration? = nil,
        requestID: String? = nil, operation: String? = nil
    ) {
        self.kind = kind
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.requestID = requestID
        self.operation = operation
    }

    public var isNotFound: Bool { kind == .notFound }

    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException", "RequestTimeout", "RequestTimeoutException",
        "InternalError", "InternalFailure", "ServiceUnavailable", "KMS.ThrottlingException",
        "AWS.SimpleQueueService.RequestThrottled", "RequestThrottled", "KmsThrottled", "KMSThrottled",
    ]

    /// Network errors, timeouts, 5xx, 408, 429, throttling codes and credentials that could not
    /// be fetched (the source may come back) are worth retrying; everything else (bad request, access denied, missing queue or object) is permanent.
    public var isRetryable: Bool {
        switch kind {
        case .network, .timeout, .credentials: return true
        case .notFound, .responseTooLarge, .invalidRequest, .shutdown: return false
        case .invalidResponse: return (status ?? 0) >= 500
        case .service:
            if let status, status >= 500 || status == 408 || status == 429 { return true }
            if let code, Self.throttlingCodes.contains(code) { return true }
            return false
        }
    }

    public var description: String {
        var text = operation.map { "\($0): " } ?? ""
        switch kind {
        case .service, .notFound:
            text += "\(code ?? "HTTP \(status ?? 0)")"
            if let status, code != nil { text += " (HTTP \(status))" }
            if !message.isEmpty { text += ": \(message)" }
        default:
            text += "\(kind.rawValue) error: \(message)"
        }
        if let requestID { text += " [request \(requestID)]" }
        return text
    }
}
