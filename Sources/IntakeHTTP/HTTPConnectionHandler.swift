import Logging
import IntakeSupport
import NIOCore
import NIOHTTP1

/// One connection's requests: applies the body limit as bytes arrive, hands complete requests
/// to the async handler, writes the answers and enforces the idle and read timeouts.
///
/// Runs on the connection's event loop only. `HTTPServerPipelineHandler` sits in front of it,
/// so it sees one request at a time and quiescing (graceful shutdown) is handled there.
final class HTTPConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        /// Between requests.
        case idle
        /// Reading a body, within `limit` bytes.
        case receiving(head: HTTPRequestHead, limit: Int, body: ByteBuffer?, received: Int)
        /// The handler is working on a complete request.
        case handling(head: HTTPRequestHead)
        /// Answered early; the rest of this request is read and dropped.
        case discarding(closeAfter: Bool)
        /// On the way out; nothing more is read or written.
        case closing
    }

    private let handler: HTTPServer.Handler
    private let headInspector: HTTPServer.HeadInspector?
    private let configuration: HTTPServer.Configuration
    private let logger: Logger

    private var state = State.idle
    private var lastActivity = NIODeadline.now()
    private var requestStart = NIODeadline.now()
    private var timer: Scheduled<Void>?
    private var inputClosed = false
    private var pendingWrite: EventLoopFuture<Void>?

    init(
        configuration: HTTPServer.Configuration,
        logger: Logger,
        headInspector: HTTPServer.HeadInspector?,
        handler: @escaping HTTPServer.Handler
    ) {
        self.configuration = configuration
        self.logger = logger
        self.headInspector = headInspector
        self.handler = handler
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.scheduleTimeoutCheck(context: context, at: self.nextDeadline()) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.lastActivity = .now()
        if self.timer == nil { self.scheduleTimeoutCheck(context: context, at: self.nextDeadline()) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.timer = nil
        self.state = .closing
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.lastActivity = .now()
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            self.receivedHead(head, context: context)
        case .body(var chunk):
            guard case .receiving(let head, let limit, var body, let received) = self.state else { return }
            let total = received + chunk.readableBytes
            guard total <= limit else {
                self.respondEarly(self.configuration.payloadTooLarge(limit), head: head, bodyPending: true, context: context)
                return
            }
            if var accumulated = body {
                // Drop the other references first so that appending does not copy the buffer.
                self.state = .closing
                body = nil
                if let length = head.contentLength {
                    accumulated.reserveCapacity(minimumWritableBytes: max(0, length - accumulated.readableBytes))
                }
                accumulated.writeBuffer(&chunk)
                body = accumulated
            } else {
                body = chunk
            }
            self.state = .receiving(head: head, limit: limit, body: body, received: total)
        case .end:
            switch self.state {
            case .receiving(let head, _, let body, _):
                self.state = .handling(head: head)
                let request = HTTPRequest(
                    head: head, body: body ?? context.channel.allocator.buffer(capacity: 0),
                    remoteAddress: context.channel.remoteAddress
                )
                self.dispatch(request, context: context)
            case .discarding(let closeAfter):
                if closeAfter {
                    self.close(context: context)
                } else {
                    self.state = .idle
                }
            case .idle, .handling, .closing:
                break
            }
        }
    }

    private func receivedHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard case .idle = self.state else { return }
        self.requestStart = self.lastActivity
        let decision = self.headInspector?(head) ?? .accept(maxBodyBytes: self.configuration.maxBodyBytes)
        switch decision {
        case .respond(let response):
            self.respondEarly(response, head: head, bodyPending: head.hasBody, context: context)
        case .accept(let limit):
            if let length = head.contentLength, length > limit {
                self.respondEarly(self.configuration.payloadTooLarge(limit), head: head, bodyPending: true, context: context)
                return
            }
            if head.hasBody, head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                let interim = HTTPResponseHead(version: .http1_1, status: .continue)
                context.writeAndFlush(Self.wrapOutboundOut(.head(interim)), promise: nil)
            }
            self.state = .receiving(head: head, limit: limit, body: nil, received: 0)
        }
    }

    private func dispatch(_ request: HTTPRequest, context: ChannelHandlerContext) {
        let promise = context.eventLoop.makePromise(of: HTTPResponse.self)
        let handler = self.handler
        promise.completeWithTask { await handler(request) }
        promise.futureResult.assumeIsolated().whenSuccess { response in
            guard case .handling(let head) = self.state else { return }
            let close = !head.isKeepAlive || self.inputClosed || Self.asksToClose(response)
            // The state changes before writing: writing the end releases the next pipelined
            // request, which is delivered to us re-entrantly from inside the write.
            self.state = close ? .closing : .idle
            self.lastActivity = .now()
            let written = self.write(response, for: head, close: close, context: context)
            if close {
                written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            }
        }
    }

    /// Answers before the request is complete. If body bytes may still be coming, the
    /// connection is closed: our output at once, the rest once the client has had time to read.
    private func respondEarly(
        _ response: HTTPResponse,
        head: HTTPRequestHead,
        bodyPending: Bool,
        context: ChannelHandlerContext
    ) {
        let close = bodyPending || !head.isKeepAlive || self.inputClosed || Self.asksToClose(response)
        self.state = .discarding(closeAfter: close)
        let written = self.write(response, for: head, close: close, context: context)
        self.pendingWrite = written
        guard bodyPending else { return }
        written.assumeIsolated().whenComplete { _ in
            guard context.channel.isActive else { return }
            context.close(mode: .output, promise: nil)
            context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(self.configuration.lingerAfterEarlyResponse.nanoseconds)) {
                context.close(promise: nil)
            }
        }
    }

    private func write(
        _ response: HTTPResponse,
        for request: HTTPRequestHead,
        close: Bool,
        context: ChannelHandlerContext
    ) -> EventLoopFuture<Void> {
        var headers = response.headers
        headers.replaceOrAdd(name: "content-length", value: String(response.body.readableBytes))
        if close {
            headers.replaceOrAdd(name: "connection", value: "close")
        } else if request.version.minor == 0 {
            headers.replaceOrAdd(name: "connection", value: "keep-alive")
        }
        let head = HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)
        context.write(Self.wrapOutboundOut(.head(head)), promise: nil)
        if response.body.readableBytes > 0, request.method != .HEAD {
            context.write(Self.wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        }
        return context.writeAndFlush(Self.wrapOutboundOut(.end(nil)))
    }

    private static func asksToClose(_ response: HTTPResponse) -> Bool {
        response.headers[canonicalForm: "connection"].contains { $0.lowercased() == "close" }
    }

    /// Closes once anything written early has gone out, so the client sees the answer.
    private func close(context: ChannelHandlerContext) {
        self.state = .closing
        if let pending = self.pendingWrite {
            pending.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            // The client will send nothing more: close once there is nothing left to answer.
            self.inputClosed = true
            switch self.state {
            case .idle, .receiving: self.close(context: context)
            case .handling, .discarding, .closing: break
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.logger.debug("HTTP connection error", metadata: ["error": "\(error)"])
        self.state = .closing
        context.close(promise: nil)
    }

    // MARK: Timeouts

    /// When the current state next needs attention; checked lazily so that a busy connection
    /// costs no timer work per request.
    private func nextDeadline() -> NIODeadline {
        let idle = TimeAmount.nanoseconds(self.configuration.idleTimeout.nanoseconds)
        switch self.state {
        case .receiving:
            return min(self.lastActivity + idle, self.requestStart + .nanoseconds(self.configuration.requestReadTimeout.nanoseconds))
        case .idle:
            return self.lastActivity + idle
        case .handling, .discarding, .closing:
            return .now() + idle
        }
    }

    private func scheduleTimeoutCheck(context: ChannelHandlerContext, at deadline: NIODeadline) {
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.checkTimeouts(context: context)
        }
    }

    private func checkTimeouts(context: ChannelHandlerContext) {
        self.timer = nil
        guard context.channel.isActive else { return }
        let deadline = self.nextDeadline()
        guard deadline <= .now() else {
            self.scheduleTimeoutCheck(context: context, at: deadline)
            return
        }
        switch self.state {
        case .idle:
            self.logger.trace("closing idle HTTP connection")
            self.close(context: context)
        case .receiving(let head, _, _, _):
            self.logger.debug("HTTP client too slow sending its request", metadata: ["http.path": "\(head.path)"])
            self.respondEarly(.status(.requestTimeout), head: head, bodyPending: true, context: context)
        case .handling, .discarding, .closing:
            self.scheduleTimeoutCheck(context: context, at: deadline)
        }
    }
}
