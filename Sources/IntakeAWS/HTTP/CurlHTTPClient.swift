/// An HTTP client on libcurl. Requests run on dedicated threads (see `CurlWorkerPool`);
/// callers just `await`. Cancelling the awaiting task aborts the transfer.
public final class CurlHTTPClient: Sendable {
    public struct Configuration: Sendable {
        /// Upper bound on concurrent transfers (each is one thread with one kept-alive connection).
        /// Size it above the number of long polls and streams you run at once.
        public var maxConcurrentTransfers: Int
        public var connectTimeout: Duration
        /// Total time for a buffered request (including a 20 s SQS long poll).
        public var requestTimeout: Duration
        /// Total time for a streamed download; nil means no limit (a large object can take long).
        public var streamTimeout: Duration?
        /// Bytes a streamed body may buffer before the curl thread waits for the reader.
        public var streamBufferBytes: Int
        public var userAgent: String

        public init(
            maxConcurrentTransfers: Int = 32, connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(60),
            streamTimeout: Duration? = nil, streamBufferBytes: Int = 1 << 20, userAgent: String = "intake"
        ) {
            self.maxConcurrentTransfers = maxConcurrentTransfers
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.streamTimeout = streamTimeout
            self.streamBufferBytes = streamBufferBytes
            self.userAgent = userAgent
        }
    }

    public let configuration: Configuration
    private let pool: CurlWorkerPool

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.pool = CurlWorkerPool(maxThreads: configuration.maxConcurrentTransfers, name: "intake-curl")
    }

    deinit { pool.shutdown() }

    /// Stops accepting requests; running ones finish.
    public func shutdown() { pool.shutdown() }

    /// Sends the request and returns the whole response, whatever its status.
    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        let transfer = CurlTransfer(
            request: request, connectTimeout: configuration.connectTimeout,
            totalTimeout: request.timeout ?? configuration.requestTimeout, userAgent: configuration.userAgent)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.attach(.buffered(continuation))
                if !pool.submit(transfer) {
                    continuation.resume(throwing: AWSError(kind: .shutdown, message: "the HTTP client was shut down"))
                }
            }
        } onCancel: {
            transfer.cancel()
        }
    }

    /// Sends the request and returns once the status and headers are in; the body follows
    /// through `HTTPStreamingResponse.body` with back-pressure.
    public func stream(_ request: HTTPRequest, bufferBytes: Int? = nil) async throws -> HTTPStreamingResponse {
        let channel = BodyChannel(limit: bufferBytes ?? configuration.streamBufferBytes)
        let transfer = CurlTransfer(
            request: request, connectTimeout: configuration.connectTimeout,
            totalTimeout: request.timeout ?? configuration.streamTimeout, userAgent: configuration.userAgent)
        let head = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.attach(.streaming(continuation, channel))
                if !pool.submit(transfer) {
                    continuation.resume(throwing: AWSError(kind: .shutdown, message: "the HTTP client was shut down"))
                }
            }
        } onCancel: {
            transfer.cancel()
            channel.cancel()
        }
        return HTTPStreamingResponse(head: head, body: HTTPBody(channel: channel))
    }
}
