import IntakeHTTP
import Logging
import ServiceLifecycle

/// `GET /healthz`, `GET /readyz` and `GET /metrics`, as a route any HTTP server can mount (the
/// receiver serves them on its own port) or as the whole of a ``HealthServer``.
public struct HealthEndpoints: Sendable {
    public let registry: MetricsRegistry
    public let readiness: ReadinessProbe

    public init(registry: MetricsRegistry = .shared, readiness: @escaping ReadinessProbe) {
        self.registry = registry
        self.readiness = readiness
    }

    public static let paths: Set<String> = ["/healthz", "/readyz", "/metrics"]

    /// The answer for one of the three paths, nil for any other path.
    public func response(for request: HTTPRequest) async -> HTTPResponse? {
        let path = String(request.path)
        guard Self.paths.contains(path) else { return nil }
        guard request.method == .GET || request.method == .HEAD else {
            return .text(.methodNotAllowed, "use GET\n", headers: ["allow": "GET, HEAD"])
        }
        switch path {
        case "/healthz":
            return .text(.ok, "ok")
        case "/readyz":
            let report = await self.readiness()
            return .json(report.isReady ? .ok : .serviceUnavailable, report.json, headers: ["cache-control": "no-store"])
        default:
            return .text(.ok, self.registry.render(), contentType: MetricsRegistry.contentType)
        }
    }
}

/// The health and metrics listener every worker runs on `workers.metrics_listen`.
///
/// In a `ServiceGroup`, list it first: services shut down in reverse order, so probes keep
/// being answered while the workers drain.
public final class HealthServer: Service, Sendable {
    private let server: HTTPServer

    public init(
        listen: ListenAddress,
        registry: MetricsRegistry = .shared,
        logger: Logger,
        readiness: @escaping ReadinessProbe
    ) {
        let endpoints = HealthEndpoints(registry: registry, readiness: readiness)
        let configuration = HTTPServer.Configuration(
            host: listen.host, port: listen.port, eventLoops: 1, maxConnections: 256,
            idleTimeout: .seconds(30), requestReadTimeout: .seconds(10), maxBodyBytes: 4096
        )
        self.server = HTTPServer(configuration: configuration, logger: logger) { request in
            await endpoints.response(for: request) ?? .text(.notFound, "not found: try /healthz, /readyz or /metrics\n")
        }
    }

    public func run() async throws {
        try await self.server.run()
    }

    /// The bound port, once listening (use `port: 0` in tests).
    public func localPort() async throws -> Int {
        try await self.server.localPort()
    }

    public func shutdown() {
        self.server.shutdown()
    }
}
