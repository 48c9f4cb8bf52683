import Foundation
import IntakePostgres

/// What `intakectl status` shows: queue depths, dead letters, imports in progress.
public struct StatusReport: Sendable, Codable {
    public struct QueueLine: Sendable, Codable {
        public var origin: String
        /// The webhook source or the job kind.
        public var topic: String
        public var pending: Int
        public var processing: Int
        public var succeeded: Int
        public var dead: Int
        /// Seconds since the oldest due pending row became due.
        public var oldestPendingSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case origin, topic, pending, processing, succeeded, dead
            case oldestPendingSeconds = "oldest_pending_seconds"
        }
    }

    public struct DeadLetterLine: Sendable, Codable {
        public var origin: String
        public var handler: String
        public var count: Int
        public var unreplayed: Int
        public var lastDeadAt: Date
        enum CodingKeys: String, CodingKey {
            case origin, handler, count, unreplayed
            case lastDeadAt = "last_dead_at"
        }
    }

    public struct ImportLine: Sendable, Codable {
        public var id: String
        public var source: String
        public var handler: String
        public var status: String
        public var processed: Int
        public var total: Int?
        public var percent: Double?
    }

    public var queues: [QueueLine] = []
    public var deadLetters: [DeadLetterLine] = []
    public var imports: [ImportLine] = []
    /// Filled by callers that can reach other systems (SQS counts, FHIR gaps).
    public var extra: [String: [String: String]] = [:]

    enum CodingKeys: String, CodingKey {
        case queues, imports, extra
        case deadLetters = "dead_letters"
    }

    public static func collect(pool: PostgresPool) async throws -> StatusReport {
        var report = StatusReport()
        for (origin, table, topic, since) in [
            ("inbox", "intake.deliveries", "source", "run_at"), ("notify", "intake.jobs", "kind", "run_at"),
        ] {
            let rows = try await pool.query(
                """
                SELECT \(topic),
                       count(*) FILTER (WHERE status = 'pending'),
                       count(*) FILTER (WHERE status = 'processing'),
                       count(*) FILTER (WHERE status = 'succeeded'),
                       count(*) FILTER (WHERE status = 'dead'),
                       extract(epoch FROM now() - min(\(since)) FILTER (WHERE status = 'pending' AND \(since) <= now()))::float8
                FROM \(table) GROUP BY 1 ORDER BY 1
                """)
            for row in rows {
                report.queues.append(
                    QueueLine(
                        origin: origin, topic: try row.decode(String.self, at: 0), pending: try row.decode(Int.self, at: 1),
                        processing: try row.decode(Int.self, at: 2), succeeded: try row.decode(Int.self, at: 3),
                        dead: try row.decode(Int.self, at: 4), oldestPendingSeconds: try row.decode(Double?.self, at: 5)))
            }
        }
        let letters = try await pool.query(
            """
            SELECT origin, handler, count(*), count(*) FILTER (WHERE replayed_at IS NULL), max(dead_at)
            FROM intake.dead_letters GROUP BY 1, 2 ORDER BY 1, 2
            """)
        report.deadLetters = try letters.map {
            DeadLetterLine(
                origin: try $0.decode(String.self, at: 0), handler: try $0.decode(String.self, at: 1),
                count: try $0.decode(Int.self, at: 2), unreplayed: try $0.decode(Int.self, at: 3),
                lastDeadAt: try $0.decode(Date.self, at: 4))
        }
        let imports = try await pool.query(
            """
            SELECT id::text, source_identifier, handler, status, processed_records, total_records
            FROM intake.import_jobs WHERE status IN ('pending', 'in_progress') ORDER BY created_at LIMIT 50
            """)
        report.imports = try imports.map { row in
            let processed = try row.decode(Int.self, at: 4)
            let total = try row.decode(Int?.self, at: 5)
            return ImportLine(
                id: try row.decode(String.self, at: 0), source: try row.decode(String.self, at: 1),
                handler: try row.decode(String.self, at: 2), status: try row.decode(String.self, at: 3),
                processed: processed, total: total,
                percent: total.flatMap { $0 > 0 ? Double(processed) * 100 / Double($0) : nil })
        }
        return report
    }
}
