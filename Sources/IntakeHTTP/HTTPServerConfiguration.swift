import NIOCore
import NIOHTTP1

extension HTTPServer {
    /// How the server listens and protects itself from slow or greedy clients.
    public struct Configuration: Sendable {
        /// Address to bind, such as `0.0.0.0`, `::` or `127.0.0.1`.
        public var host: String
        /// 0 binds a free port; read it back with ``HTTPServer/localPort()``.
        public var port: Int
        /// NIO event loop threads (ignored when an event loop group is passed in).
        public var eventLoops: Int
        /// Connections beyond this are closed at accept.
        public var maxConnections: Int
        /// A connection with no request in progress is closed after this long without bytes,
        /// and so is one that stalls this long in the middle of sending a request.
        public var idleTimeout: Duration
        /// A request's head and body must arrive within this long of its head, however steadily
        /// they trickle in (guards against clients that send a byte at a time).
        public var requestReadTimeout: Duration
        /// Body limit when there is no head inspector, or it does not decide.
        public var maxBodyBytes: Int
        /// After an early answer (413, or a `.respond` decision) to a request whose body is still
        /// arriving, how long the rest is read and dropped before the connection is closed, so
        /// that the client sees the answer rather than a reset.
        public var lingerAfterEarlyResponse: Duration
        /// Pending connections queue length for `listen(2)`.
        public var backlog: Int
        /// The 413 answer for a body over its limit (given the limit in bytes); by default a
        /// bare status. The receiver answers JSON that names the limit.
        public var payloadTooLarge: @Sendable (_ limit: Int) -> HTTPResponse

        public init(
            host: String = "0.0.0.0",
            port: Int = 8080,
            eventLoops: Int = 1,
            maxConnections: Int = 4096,
            idleTimeout: Duration = .seconds(60),
            requestReadTimeout: Duration = .seconds(60),
            maxBodyBytes: Int = 1_048_576,
            lingerAfterEarlyResponse: Duration = .seconds(2),
            backlog: Int = 1024,
            payloadTooLarge: @escaping @Sendable (_ limit: Int) -> HTTPResponse = { _ in .status(.payloadTooLarge) }
        ) {
            self.host = host
            self.port = port
            self.eventLoops = eventLoops
            self.maxConnections = maxConnections
            self.idleTimeout = idleTimeout
            self.requestReadTimeout = requestReadTimeout
            self.maxBodyBytes = maxBodyBytes
            self.lingerAfterEarlyResponse = lingerAfterEarlyResponse
            self.backlog = backlog
            self.payloadTooLarge = payloadTooLarge
        }
    }
}
