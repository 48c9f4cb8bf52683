import Foundation
import IntakeAWS
import IntakeCore
import IntakeCrypto
import IntakeHandlers
import IntakePostgres
import IntakeReceiver
import IntakeTestSupport
import Logging

/// A receiver running in this process on a free port, against a test database.
struct RunningReceiver {
    let receiver: Receiver
    let task: Task<Void, any Error>
    let port: Int
    let adminPort: Int
    let metrics: MetricsRegistry

    var base: String { "http://127.0.0.1:\(port)" }
    /// `/healthz`, `/readyz`, `/metrics`: never on the webhook port.
    var adminBase: String { "http://127.0.0.1:\(adminPort)" }

    static let githubSecret = "It's a Secret to Everybody"

    /// `github` (hmac-sha256 with an id header, event type header), `partner` (standard
    /// webhooks), `drupal` (api-key in ingest.drupal_sites, 3 per hour), `raw` (bearer, any bytes).
    static func sources(maxBodyBytes: Int = 64 * 1024) -> [String: SourceSettings] {
        [
            "github": SourceSettings(
                name: "github",
                verify: .hmacSHA256(header: "X-Hub-Signature-256", prefix: "sha256=", encoding: .hex, secret: Secret(githubSecret)),
                idHeader: "X-GitHub-Delivery", handler: "webhook.generic", maxBodyBytes: maxBodyBytes,
                eventType: .header("X-GitHub-Event")),
            "partner": SourceSettings(
                name: "partner",
                verify: .standardWebhooks(secret: Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), toleranceSeconds: 300),
                handler: "webhook.generic", maxBodyBytes: maxBodyBytes, eventType: .jsonField("data.kind")),
            "drupal": SourceSettings(
                name: "drupal", verify: .apiKey(header: "X-API-Key", secret: nil), handler: "drupal.module_sync",
                rateLimit: RateLimitSettings(requests: 3, perSeconds: 3600, key: .apiKey), maxBodyBytes: maxBodyBytes),
            "raw": SourceSettings(
                name: "raw", verify: .bearer(token: Secret("raw-token-0123456789")), handler: "webhook.generic",
                maxBodyBytes: maxBodyBytes, contentType: .raw),
        ]
    }

    static func start(
        database: PostgresConfiguration, sources: [String: SourceSettings] = sources(),
        // A deadline far above any stall of a loaded test machine: only the outage tests, which
        // measure the deadline itself, use the production default.
        options: Receiver.Options = Receiver.Options(unavailableRetryAfterSeconds: 2, databaseTimeout: .seconds(20))
    ) async throws -> RunningReceiver {
        let configuration = IntakeConfiguration(
            receiver: ReceiverSettings(
                listen: ListenAddress(host: "127.0.0.1", port: 0), adminListen: ListenAddress(host: "127.0.0.1", port: 0),
                idleTimeoutSeconds: 10),
            sources: sources)
        var logger = Logger(label: "receiver-test")
        logger.logLevel = .critical
        let metrics = MetricsRegistry()
        let receiver = try Receiver(
            configuration: configuration, database: database, options: options, metrics: metrics, logger: logger)
        let task = Task { try await receiver.run() }
        let port = try await receiver.localPort()
        let adminPort = try await receiver.adminPort()
        return RunningReceiver(receiver: receiver, task: task, port: port, adminPort: adminPort, metrics: metrics)
    }

    func stop() async throws {
        receiver.shutdown()
        try await task.value
    }
}

/// A small HTTP client for the tests, on IntakeAWS's libcurl client.
struct TestClient {
    let http: CurlHTTPClient

    init(concurrency: Int = 64) {
        http = CurlHTTPClient(configuration: .init(maxConcurrentTransfers: concurrency, requestTimeout: .seconds(30)))
    }

    struct Answer {
        var status: Int
        var headers: IntakeAWS.HTTPHeaders
        var body: [UInt8]

        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]) ?? [:]
        }
        var deliveryID: Int64? { (json["delivery_id"] as? NSNumber)?.int64Value }
    }

    func send(_ method: String, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> Answer {
        let response = try await http.execute(
            IntakeAWS.HTTPRequest(
                method: method, url: url, headers: IntakeAWS.HTTPHeaders(headers.map { (name: $0.0, value: $0.1) }),
                body: body))
        return Answer(status: response.status, headers: response.headers, body: response.body)
    }

    /// A GitHub-style signed JSON delivery.
    func postGitHub(_ base: String, body: String, delivery: String, event: String = "push") async throws -> Answer {
        let bytes = Array(body.utf8)
        let signature = "sha256=" + Hex.encode(HMAC.sha256(key: Array(RunningReceiver.githubSecret.utf8), data: bytes))
        return try await send(
            "POST", base + "/webhooks/github",
            headers: [
                ("Content-Type", "application/json"), ("X-Hub-Signature-256", signature), ("X-GitHub-Delivery", delivery),
                ("X-GitHub-Event", event),
            ],
            body: bytes)
    }
}

/// Sends raw bytes over a plain TCP connection and returns everything the server answered
/// before closing (or `timeout`). On its own thread: the calls block.
func rawExchange(port: Int, chunks: [[UInt8]], pauseBetweenChunks: Duration = .milliseconds(20), timeout: Int = 5) async -> String {
    await withCheckedContinuation { continuation in
        let thread = Thread {
            var answer: [UInt8] = []
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var tv = timeval(tv_sec: timeout, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                continuation.resume(returning: "")
                return
            }
            for chunk in chunks {
                let sent = chunk.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent < 0 { break }
                Thread.sleep(forTimeInterval: Double(pauseBetweenChunks.components.attoseconds) / 1e18)
            }
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
                answer.append(contentsOf: buffer[0..<count])
            }
            continuation.resume(returning: String(decoding: answer, as: UTF8.self))
        }
        thread.start()
    }
}

/// Registers a Drupal site with `key` (hashed as the receiver looks it up). The table belongs
/// to the drupal strategy's migration; a minimal one stands in when that is not applied.
func addDrupalSite(_ db: PostgresConnection, name: String, key: String) async throws -> Int64 {
    try await db.execute(
        script: """
            CREATE TABLE IF NOT EXISTS ingest.drupal_sites (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE,
                api_key_hash text NOT NULL UNIQUE, key_prefix text NOT NULL, revoked_at timestamptz)
            """)
    let rows = try await db.query(
        "INSERT INTO ingest.drupal_sites (name, api_key_hash, key_prefix) VALUES ($1, $2, $3) RETURNING id",
        name, Hex.encode(SHA256.hash(Array(key.utf8))), String(key.prefix(12)))
    return try rows[0].decode(Int64.self, at: 0)
}

func receiverCount(_ db: PostgresConnection, _ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> Int {
    try await db.query(sql, parameters)[0].decode(Int.self, at: 0)
}

/// The inbox worker's consumer with `webhook.generic`, in process, routing by source as
/// `intake-inbox-worker` does.
struct RunningInboxWorker {
    let consumer: TableConsumer
    let pool: PostgresPool
    let task: Task<Void, any Error>

    static func start(database name: String, sources: [String: SourceSettings]) -> RunningInboxWorker {
        let handler = WebhookGenericHandler.make(configuration: IntakeConfiguration(sources: sources))
        let pool = PostgresPool(configuration: TestDatabase.configuration(database: name), size: 4)
        var logger = Logger(label: "inbox-worker")
        logger.logLevel = .critical
        let consumer = TableConsumer(
            table: .deliveries, settings: ConsumerSettings(concurrency: 2, batch: 16, idleWait: .milliseconds(50)),
            registry: HandlerRegistry([handler]), policies: RetryPolicies(), pool: pool, workerID: "inbox-test",
            logger: logger, route: { sources[$0]?.handler })
        return RunningInboxWorker(consumer: consumer, pool: pool, task: Task { try await consumer.run() })
    }

    func stop() async throws {
        consumer.stop()
        try await task.value
        await pool.close()
    }
}
