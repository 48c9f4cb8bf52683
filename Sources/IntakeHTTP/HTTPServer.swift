import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// A small HTTP/1.1 server on SwiftNIO for the receiver and the health endpoints.
///
/// Keep-alive and pipelining are supported; each complete request is handed to `handler` in its
/// own task. A ``HeadInspector`` may decide from the head alone — before any body byte is
/// read — to answer at once or how large a body to accept, so an oversized request gets 413
/// without being buffered. ``run()`` serves until graceful shutdown (or ``shutdown()``), then
/// stops accepting, lets in-flight requests finish and returns once every connection is closed;
/// cancellation closes the remaining connections at once.
public final class HTTPServer: Service, Sendable {
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse
    public typealias HeadInspector = @Sendable (HTTPRequestHead) -> HTTPHeadDecision

    private enum Lifecycle {
        case idle
        case starting
        case running(channel: any Channel, address: SocketAddress)
        case stopped
    }

    private struct State {
        var lifecycle = Lifecycle.idle
        var ownedGroup: MultiThreadedEventLoopGroup?
        var shutdownRequested = false
        var addressWaiters: [CheckedContinuation<SocketAddress, any Error>] = []
        var startError: (any Error)?
    }

    public let configuration: Configuration
    private let logger: Logger
    private let handler: Handler
    private let headInspector: HeadInspector?
    private let externalGroup: (any EventLoopGroup)?
    private let registry: ConnectionRegistry
    private let state = NIOLockedValueBox(State())

    /// - Parameters:
    ///   - eventLoopGroup: run on this group instead of starting `configuration.eventLoops`
    ///     threads of our own (the server never shuts a group it was given down).
    ///   - headInspector: decides per request, from the head, whether to read the body and up
    ///     to what size; nil accepts every request up to `configuration.maxBodyBytes`.
    public init(
        configuration: Configuration,
        logger: Logger,
        eventLoopGroup: (any EventLoopGroup)? = nil,
        headInspector: HeadInspector? = nil,
        handler: @escaping Handler
    ) {
        self.configuration = configuration
        self.logger = logger
        self.externalGroup = eventLoopGroup
        self.headInspector = headInspector
        self.handler = handler
        self.registry = ConnectionRegistry(maxConnections: configuration.maxConnections)
    }

    /// Open connections right now.
    public var connectionCount: Int { self.registry.count }

    /// The bound address, once listening (waits until then; throws if binding failed).
    public func localAddress() async throws -> SocketAddress {
        try await withCheckedThrowingContinuation { continuation in
            let immediate: Result<SocketAddress, any Error>? = self.state.withLockedValue { state in
                if case .running(_, let address) = state.lifecycle { return .success(address) }
                if let error = state.startError { return .failure(error) }
                state.addressWaiters.append(continuation)
                return nil
            }
            if let immediate { continuation.resume(with: immediate) }
        }
    }

    /// The bound port, once listening; useful with `port: 0`.
    public func localPort() async throws -> Int {
        let address = try await self.localAddress()
        guard let port = address.port else { throw HTTPServerError.notListening }
        return port
    }

    public func run() async throws {
        let channel = try await self.start()
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await self.registry.waitUntilDrained()
            } onGracefulShutdown: {
                self.shutdown()
            }
        } onCancel: {
            self.shutdown()
            self.registry.closeAll()
        }
        try? await channel.closeFuture.get()
        let group = self.state.withLockedValue { state -> MultiThreadedEventLoopGroup? in
            state.lifecycle = .stopped
            defer { state.ownedGroup = nil }
            return state.ownedGroup
        }
        try await group?.shutdownGracefully()
        self.logger.info("HTTP server stopped")
    }

    /// Stops accepting and asks every connection to finish its current request and close.
    /// ``run()`` returns once they have. Safe to call at any time, more than once.
    public func shutdown() {
        let channel = self.state.withLockedValue { state -> (any Channel)? in
            state.shutdownRequested = true
            if case .running(let channel, _) = state.lifecycle { return channel }
            return nil
        }
        guard let channel else { return }
        channel.close(promise: nil)
        self.registry.beginShutdown()
    }

    private func start() async throws -> any Channel {
        let group: any EventLoopGroup = try self.state.withLockedValue { state in
            guard case .idle = state.lifecycle else { throw HTTPServerError.alreadyStarted }
            state.lifecycle = .starting
            if let externalGroup = self.externalGroup { return externalGroup }
            let owned = MultiThreadedEventLoopGroup(numberOfThreads: max(1, self.configuration.eventLoops))
            state.ownedGroup = owned
            return owned
        }
        let channel: any Channel
        do {
            channel = try await self.makeBootstrap(group: group)
                .bind(host: self.configuration.host, port: self.configuration.port).get()
        } catch {
            let (waiters, owned) = self.state.withLockedValue { state in
                state.lifecycle = .stopped
                state.startError = error
                defer { state.addressWaiters = []; state.ownedGroup = nil }
                return (state.addressWaiters, state.ownedGroup)
            }
            for waiter in waiters { waiter.resume(throwing: error) }
            try? await owned?.shutdownGracefully()
            throw HTTPServerError.bindFailed(host: self.configuration.host, port: self.configuration.port, underlying: error)
        }
        guard let address = channel.localAddress else { throw HTTPServerError.notListening }
        let (waiters, stopNow) = self.state.withLockedValue { state in
            state.lifecycle = .running(channel: channel, address: address)
            defer { state.addressWaiters = [] }
            return (state.addressWaiters, state.shutdownRequested)
        }
        for waiter in waiters { waiter.resume(returning: address) }
        self.logger.info(
            "HTTP server listening",
            metadata: ["http.address": "\(address)", "http.event_loops": "\(self.configuration.eventLoops)"]
        )
        if stopNow { self.shutdown() }
        return channel
    }

    private func makeBootstrap(group: any EventLoopGroup) -> ServerBootstrap {
        let configuration = self.configuration
        let logger = self.logger
        let handler = self.handler
        let headInspector = self.headInspector
        let registry = self.registry
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: Int32(clamping: configuration.backlog))
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                guard registry.add(channel) else {
                    logger.warning(
                        "refusing HTTP connection: at the connection limit",
                        metadata: ["http.max_connections": "\(configuration.maxConnections)"]
                    )
                    return channel.close()
                }
                do {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    try pipeline.addHandler(
                        HTTPConnectionHandler(
                            configuration: configuration, logger: logger, headInspector: headInspector, handler: handler
                        )
                    )
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
    }
}

public enum HTTPServerError: Error, CustomStringConvertible {
    case alreadyStarted
    case notListening
    case bindFailed(host: String, port: Int, underlying: any Error)

    public var description: String {
        switch self {
        case .alreadyStarted: "the HTTP server was already started; make a new one to serve again"
        case .notListening: "the HTTP server is not listening"
        case .bindFailed(let host, let port, let underlying):
            "cannot listen on \(host):\(port): \(underlying) (is another process using the port?)"
        }
    }
}
