import IntakeCore
import IntakeHTTP
import IntakePostgres
import Logging
import NIOHTTP1
import ServiceLifecycle

/// The webhook receiver: verifies, records durably with group commit, answers 202 (SPEC §6).
///
/// One `Service`: `run()` serves HTTP and runs the group commit writers until graceful
/// shutdown, then stops accepting, answers what is in flight (their rows are still written),
/// stops the writers and returns.
public final class Receiver: Service, Sendable {
    /// Tuning with defaults that suit the 2-core target; most deployments change none of it.
    public struct Options: Sendable {
        /// Group commit writers, each with its own connection.
        public var writers: Int
        /// Most deliveries per commit.
        public var maxBatch: Int
        /// Connections for API key lookups, rate limits, `GET /deliveries` and `/readyz`.
        public var readPoolSize: Int
        /// `Retry-After` sent with a 503.
        public var unavailableRetryAfterSeconds: Int
        /// Longest a request waits on PostgreSQL (its commit, an API key or rate limit lookup)
        /// before it is answered 503: a database that stops answering must not hold requests.
        public var databaseTimeout: Duration
        /// Wall clock for signature timestamps (tests fix it).
        public var clock: UnixClock
        /// Replaces the `ingest.drupal_sites` lookup for `api-key` sources (tests).
        public var keyStore: (any APIKeyStore)?

        public init(
            writers: Int = 2, maxBatch: Int = 256, readPoolSize: Int = 4, unavailableRetryAfterSeconds: Int = 5,
            databaseTimeout: Duration = .seconds(3), clock: UnixClock = .system, keyStore: (any APIKeyStore)? = nil
        ) {
            self.databaseTimeout = databaseTimeout
            self.writers = writers
            self.maxBatch = maxBatch
            self.readPoolSize = readPoolSize
            self.unavailableRetryAfterSeconds = unavailableRetryAfterSeconds
            self.clock = clock
            self.keyStore = keyStore
        }
    }

    let server: HTTPServer
    /// `/healthz`, `/readyz`, `/metrics` on `receiver.admin_listen`, never on the webhook port.
    let admin: HealthServer
    let writer: GroupCommitWriter
    let pool: PostgresPool
    let keyInvalidation: KeyInvalidation?
    let logger: Logger

    /// - Parameters:
    ///   - configuration: `receiver`, `sources` and `database` are used; validate it for the
    ///     receiver first (`IntakeConfiguration.load(path:for: .receiver)`).
    ///   - database: overrides `configuration.database.url` (tests point at a fresh database).
    public init(
        configuration: IntakeConfiguration, database: PostgresConfiguration? = nil, options: Options = Options(),
        metrics: MetricsRegistry = .shared, logger: Logger
    ) throws {
        // Every statement of the receiver runs for a request waiting on it.
        let database = (database
            ?? PostgresConfiguration(
                conninfo: configuration.database.url.value, applicationName: "intake-receiver", connectTimeoutSeconds: 5)
        ).bounded(by: options.databaseTimeout)
        let pool = PostgresPool(configuration: database, size: max(1, options.readPoolSize), logger: logger)
        let receiverMetrics = ReceiverMetrics(registry: metrics)
        let writer = GroupCommitWriter(
            configuration: database, settings: .init(writers: options.writers, maxBatch: options.maxBatch, requestTimeout: options.databaseTimeout),
            observer: receiverMetrics, logger: logger)
        let keyStore = options.keyStore ?? PostgresAPIKeyStore(pool: pool)
        if let store = keyStore as? PostgresAPIKeyStore,
            configuration.sources.values.contains(where: { $0.verify.type == .apiKey })
        {
            self.keyInvalidation = KeyInvalidation(store: store, database: database, logger: logger)
        } else {
            self.keyInvalidation = nil
        }
        let sharedLimiter = PostgresRateLimiter(pool: pool, logger: logger)
        let localLimiter = LocalRateLimiter(clock: options.clock)

        var routes: [String: SourceRoute] = [:]
        for (name, source) in configuration.sources {
            var limiter: (any RateLimiter)?
            if let limit = source.rateLimit {
                limiter = limit.key == .apiKey ? sharedLimiter : localLimiter
            }
            let verifier: any WebhookVerifier
            do {
                verifier = try source.verify.makeVerifier(keyStore: keyStore, clock: options.clock)
            } catch let weak as WeakKeyMaterial {
                let key = source.verify.type == .bearer ? "token" : "secret"
                throw ConfigurationError(path: "sources.\(name).verify.\(key)", problem: weak.problem)
            } catch {
                throw ConfigurationError(path: "sources.\(name).verify", problem: "\(error)")
            }
            routes[name] = SourceRoute(settings: source, verifier: verifier, rateLimiter: limiter)
        }

        let router = ReceiverRouter(
            sources: routes,
            webhooks: WebhookRoute(
                writer: writer, metrics: receiverMetrics, logger: logger,
                unavailableRetryAfter: options.unavailableRetryAfterSeconds),
            deliveries: DeliveryStatusRoute(
                routes: routes.filter { $0.value.settings.verify.type == .apiKey }, pool: pool, logger: logger,
                unavailableRetryAfter: options.unavailableRetryAfterSeconds),
            metrics: receiverMetrics)
        self.admin = HealthServer(listen: configuration.receiver.adminListen, registry: metrics, logger: logger) {
            await ReadinessReport.gather([("database", { try await pool.query("SELECT 1") })])
        }

        let settings = configuration.receiver
        let serverConfiguration = HTTPServer.Configuration(
            host: settings.listen.host, port: settings.listen.port, eventLoops: settings.eventLoops,
            maxConnections: settings.maxConnections, idleTimeout: .seconds(settings.idleTimeoutSeconds),
            requestReadTimeout: .seconds(settings.idleTimeoutSeconds), maxBodyBytes: settings.maxBodyBytes,
            payloadTooLarge: { Reply.error(.payloadTooLarge, "body too large: this source takes at most \($0) bytes") })
        self.server = HTTPServer(
            configuration: serverConfiguration, logger: logger,
            headInspector: { router.inspect($0) },
            handler: { await router.respond(to: $0) })
        self.writer = writer
        self.pool = pool
        self.logger = logger
    }

    public func run() async throws {
        // The admin listener first, and a port that cannot be bound stops the start: a receiver
        // without probes would be restarted by its orchestrator forever. It keeps answering
        // while the webhook server drains and stops last.
        let adminTask = Task { [admin] in try await admin.run() }
        do {
            _ = try await admin.localPort()
        } catch {
            admin.shutdown()
            throw error
        }
        let writers = Task { await writer.runWriters() }
        let invalidation = Task { [keyInvalidation] in await keyInvalidation?.run() }
        defer {
            keyInvalidation?.stop()
            invalidation.cancel()
            admin.shutdown()
        }
        do {
            try await server.run()
        } catch {
            writer.stop()
            await writers.value
            await pool.close()
            throw error
        }
        // Every connection has closed, so every request has been answered: nothing more
        // will be queued.
        writer.stop()
        await writers.value
        await pool.close()
        admin.shutdown()
        try? await adminTask.value
        logger.info("receiver stopped")
    }

    /// The bound port, once listening (configure port 0 in tests).
    public func localPort() async throws -> Int { try await server.localPort() }

    /// The admin listener's bound port (`/healthz`, `/readyz`, `/metrics`).
    public func adminPort() async throws -> Int { try await admin.localPort() }

    /// Begins a graceful shutdown without a signal (tests; `ServiceGroup` uses the signal).
    public func shutdown() { server.shutdown() }
}
