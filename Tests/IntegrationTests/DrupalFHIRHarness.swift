import Foundation
import IntakeCore
import IntakeDrupal
import IntakeHandlers
import IntakePostgres
import IntakeReceiver
import IntakeRuntime
import IntakeSchema
import IntakeTestSupport
import Logging

/// The webhook path as deployed, in this process: a receiver with the `drupal` and `fhir` sources
/// of SPEC §2 and the inbox worker's consumer with the real handler registry, on a fresh database.
struct StrategyHarness {
    static let fhirToken = "fhir-test-token-0123"

    let database: String
    let receiver: RunningReceiver
    let consumer: TableConsumer
    let consumerTask: Task<Void, any Error>
    let pool: PostgresPool
    let db: PostgresConnection
    let client: TestClient

    static func sources() -> [String: SourceSettings] {
        [
            "drupal": SourceSettings(
                name: "drupal", verify: .apiKey(header: "X-API-Key", secret: nil), handler: "drupal.module_sync",
                rateLimit: RateLimitSettings(requests: 60, perSeconds: 3600, key: .apiKey), maxBodyBytes: 4_194_304),
            "fhir": SourceSettings(
                name: "fhir", verify: .bearer(token: Secret(fhirToken)), handler: "fhir.subscription",
                maxBodyBytes: 1_048_576),
        ]
    }

    /// Runs `body` against a migrated database with the receiver and consumer running; stops both.
    static func run(_ body: (StrategyHarness) async throws -> Void) async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { name in
            let sources = sources()
            let configuration = TestDatabase.configuration(database: name)
            let receiver = try await RunningReceiver.start(database: configuration, sources: sources)
            let pool = PostgresPool(configuration: configuration, size: 4)
            var logger = Logger(label: "strategy-test")
            logger.logLevel = .critical
            let consumer = TableConsumer(
                table: .deliveries, settings: ConsumerSettings(concurrency: 2, batch: 8, idleWait: .milliseconds(50)),
                registry: BuiltinHandlers.registry(services: HandlerServices(configuration: IntakeConfiguration(sources: sources))),
                policies: RetryPolicies(), pool: pool, workerID: "strategy-test", logger: logger,
                route: { sources[$0]?.handler })
            let task = Task { try await consumer.run() }
            let harness = StrategyHarness(
                database: name, receiver: receiver, consumer: consumer, consumerTask: task, pool: pool,
                db: try await TestDatabase.connect(database: name), client: TestClient(concurrency: 8))
            do {
                try await body(harness)
            } catch {
                await harness.stop()
                throw error
            }
            await harness.stop()
        }
    }

    func stop() async {
        consumer.stop()
        _ = try? await consumerTask.value
        _ = try? await receiver.stop()
        await db.close()
        await pool.close()
    }

    // MARK: Drupal

    /// Registers a site the way `intakectl sites add` does; returns its id and key.
    func addSite(_ name: String) async throws -> (id: Int64, key: String) {
        let key = DrupalAPIKey.generate()
        let rows = try await db.query(
            "INSERT INTO ingest.drupal_sites (name, api_key_hash, key_prefix) VALUES ($1, $2, $3) RETURNING id",
            name, key.storedHash, key.keyPrefix)
        return (try rows[0].decode(Int64.self, at: 0), key.plaintext)
    }

    func postDrupal(_ body: [UInt8], key: String, base: String? = nil) async throws -> TestClient.Answer {
        try await client.send(
            "POST", (base ?? receiver.base) + "/webhooks/drupal",
            headers: [("Content-Type", "application/json"), ("X-API-Key", key)], body: body)
    }

    func deliveryStatus(_ id: Int64, key: String) async throws -> TestClient.Answer {
        try await client.send("GET", receiver.base + "/deliveries/\(id)", headers: [("X-API-Key", key)])
    }

    // MARK: FHIR

    func postFHIR(_ text: String, contentType: String = "application/fhir+json") async throws -> TestClient.Answer {
        try await client.send(
            "POST", receiver.base + "/webhooks/fhir",
            headers: [("Content-Type", contentType), ("Authorization", "Bearer \(Self.fhirToken)")],
            body: Array(text.utf8))
    }

    /// Puts a delivery in the inbox as a source that takes any bytes would (or a replayed dead
    /// letter), for bodies the receiver itself refuses.
    func insertDelivery(source: String, body: [UInt8], headers: String = "{}") async throws -> Int64 {
        try await db.query(
            """
            INSERT INTO intake.deliveries (source, external_id, headers, body)
            VALUES ($1, $2, $3::jsonb, $4) RETURNING id
            """, source, "test-\(UUID().uuidString)", PostgresJSON(text: headers), body
        )[0].decode(Int64.self, at: 0)
    }

    // MARK: Outcomes

    struct Settled {
        var status: String
        var lastError: String?
        /// The handler's `result`, decoded.
        var result: [String: Any]
    }

    /// Waits until the delivery is `succeeded` or `dead`.
    func settled(_ id: Int64?, timeout: Duration = .seconds(30)) async throws -> Settled {
        guard let id else { throw TestSkip("no delivery id: the receiver did not accept the request") }
        var settled: Settled?
        _ = try await eventually(timeout: timeout) {
            let rows = try await db.query(
                "SELECT status, last_error, result::text FROM intake.deliveries WHERE id = $1", id)
            guard let row = rows.first else { return false }
            let status = try row.decode(String.self, at: 0)
            guard status == "succeeded" || status == "dead" else { return false }
            let text = try row.decode(String?.self, at: 2) ?? "{}"
            settled = Settled(
                status: status, lastError: try row.decode(String?.self, at: 1),
                result: (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:])
            return true
        }
        guard let settled else { throw TestSkip("delivery \(id) did not settle within \(timeout)") }
        return settled
    }

    func count(_ sql: String, _ parameters: any PostgresEncodable...) async throws -> Int {
        try await db.query(sql, parameters)[0].decode(Int.self, at: 0)
    }
}

/// Runs the built `intakectl` against a test database; returns its exit status and output.
func runIntakectl(_ arguments: [String], database: String) throws -> (status: Int32, output: String) {
    try runProduct("intakectl", arguments + ["--database-url", TestDatabase.url(database: database)])
}

extension Dictionary where Key == String, Value == Any {
    func int(_ key: String) -> Int? { (self[key] as? NSNumber)?.intValue }
    func strings(_ key: String) -> [String] { (self[key] as? [Any])?.compactMap { $0 as? String } ?? [] }
    func object(_ key: String) -> [String: Any] { (self[key] as? [String: Any]) ?? [:] }
}
