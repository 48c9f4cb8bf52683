import Foundation
import IntakePostgres

/// A dead letter as operators see it.
public struct DeadLetter: Sendable, Codable {
    public var id: Int64
    public var origin: String
    public var originRef: String
    public var handler: String
    public var attempts: Int
    public var lastError: String?
    public var firstFailedAt: Date
    public var deadAt: Date
    public var replayedAt: Date?
    public var replayCount: Int
    /// Only filled by `show`: the replay payload and the whole error history, as JSON text.
    public var payload: String?
    public var errors: String?

    enum CodingKeys: String, CodingKey {
        case id, origin, handler, attempts, payload, errors
        case originRef = "origin_ref"
        case lastError = "last_error"
        case firstFailedAt = "first_failed_at"
        case deadAt = "dead_at"
        case replayedAt = "replayed_at"
        case replayCount = "replay_count"
    }
}

/// Which dead letters a list, replay or purge applies to.
public struct DeadLetterFilter: Sendable {
    public var ids: [Int64] = []
    public var origin: Origin?
    public var handler: String?
    /// Dead at or after.
    public var since: Date?
    /// Dead before (purge `--older-than`).
    public var before: Date?
    /// Substring of any error message in the history, case-insensitive.
    public var errorContains: String?
    public var onlyUnreplayed = false
    public var limit: Int?

    public init() {}

    /// WHERE clause over `intake.dead_letters` with its parameters (all bound, never spliced).
    func whereClause() -> (String, [any PostgresEncodable]) {
        var conditions: [String] = []
        var parameters: [any PostgresEncodable] = []
        func bind(_ value: any PostgresEncodable) -> String {
            parameters.append(value)
            return "$\(parameters.count)"
        }
        if !ids.isEmpty { conditions.append("id = ANY(\(bind(PostgresArray(ids)))::bigint[])") }
        if let origin { conditions.append("origin = \(bind(origin.rawValue))") }
        if let handler { conditions.append("handler = \(bind(handler))") }
        if let since { conditions.append("dead_at >= \(bind(since))") }
        if let before { conditions.append("dead_at < \(bind(before))") }
        if let errorContains {
            conditions.append(
                "EXISTS (SELECT 1 FROM jsonb_array_elements(errors) e WHERE e->>'message' ILIKE '%' || \(bind(errorContains)) || '%')")
        }
        if onlyUnreplayed { conditions.append("replayed_at IS NULL") }
        return (conditions.isEmpty ? "true" : conditions.joined(separator: " AND "), parameters)
    }
}

/// What replaying one dead letter did.
public enum ReplayResult: Sendable, Equatable {
    case replayed
    /// Nothing done, and why (already replayed, the origin row is no longer dead, …).
    case skipped(String)
    case failed(String)
}

/// Re-sends an SQS dead letter's original body to its queue; supplied by the AWS layer.
public typealias SQSResend = @Sendable (_ queueURL: String, _ body: String, _ messageAttributes: [String: String]) async throws -> Void

/// Inspect, replay and purge `intake.dead_letters`.
public struct DeadLetterStore: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) { self.pool = pool }

    static let columns = """
        id, origin, origin_ref, handler, attempts, errors -> -1 ->> 'message', first_failed_at, dead_at,
        replayed_at, replay_count
        """

    public func list(_ filter: DeadLetterFilter) async throws -> [DeadLetter] {
        let (condition, parameters) = filter.whereClause()
        let limit = filter.limit.map { " LIMIT \(max(0, $0))" } ?? ""
        let rows = try await pool.query(
            "SELECT \(Self.columns) FROM intake.dead_letters WHERE \(condition) ORDER BY id\(limit)", parameters)
        return try rows.map { try Self.decode($0, full: false) }
    }

    public func show(id: Int64) async throws -> DeadLetter? {
        let rows = try await pool.query(
            "SELECT \(Self.columns), payload::text, errors::text FROM intake.dead_letters WHERE id = $1", [id])
        return try rows.first.map { try Self.decode($0, full: true) }
    }

    static func decode(_ row: PostgresRow, full: Bool) throws -> DeadLetter {
        DeadLetter(
            id: try row.decode(Int64.self, at: 0), origin: try row.decode(String.self, at: 1),
            originRef: try row.decode(String.self, at: 2), handler: try row.decode(String.self, at: 3),
            attempts: try row.decode(Int.self, at: 4), lastError: try row.decode(String?.self, at: 5),
            firstFailedAt: try row.decode(Date.self, at: 6), deadAt: try row.decode(Date.self, at: 7),
            replayedAt: try row.decode(Date?.self, at: 8), replayCount: try row.decode(Int.self, at: 9),
            payload: full ? try row.decode(String?.self, at: 10) : nil,
            errors: full ? try row.decode(String?.self, at: 11) : nil)
    }

    /// Puts one dead letter back where it came from. The dead letter's row is locked for the
    /// duration, and one already replayed is skipped: two terminals replaying the same id, or
    /// one replaying it twice, requeue it once.
    public func replay(id: Int64, resendSQS: SQSResend?) async throws -> ReplayResult {
        try await pool.withTransaction { connection in
            let rows = try connection.query(
                """
                SELECT origin, origin_ref, payload::text, replayed_at IS NOT NULL, payload_raw
                FROM intake.dead_letters WHERE id = $1 FOR UPDATE
                """, [id])
            guard let row = rows.first else { return .skipped("no dead letter \(id)") }
            if try row.decode(Bool.self, at: 3) { return .skipped("already replayed") }
            let origin = try row.decode(String.self, at: 0)
            let ref = try row.decode(String.self, at: 1)
            let payload = try row.decode(String.self, at: 2)
            let outcome: ReplayResult
            switch Origin(rawValue: origin) {
            case .inbox:
                outcome = try Self.requeueRow(on: connection, table: "intake.deliveries", ref: ref, payload: payload)
            case .notify:
                outcome = try Self.requeueRow(on: connection, table: "intake.jobs", ref: ref, payload: payload)
                if outcome == .replayed { try connection.notify("intake_jobs") }
            case .sqs:
                guard let resendSQS else { return .failed("SQS is not configured: cannot re-send") }
                let message = try Self.sqsMessage(from: payload, raw: try row.decode([UInt8]?.self, at: 4))
                try await resendSQS(message.queueURL, message.body, message.attributes)
                outcome = .replayed
            case nil:
                return .failed("unknown origin \(origin)")
            }
            if outcome == .replayed {
                try connection.query(
                    "UPDATE intake.dead_letters SET replayed_at = now(), replay_count = replay_count + 1 WHERE id = $1", [id])
            }
            return outcome
        }
    }

    private static func requeueRow(on connection: isolated PostgresConnection, table: String, ref: String, payload: String)
        throws -> ReplayResult
    {
        guard let rowID = Int64(ref) else { return .failed("bad origin_ref \(ref)") }
        let updated = try connection.query(
            """
            UPDATE \(table) SET status = 'pending', attempts = 0, run_at = now(), locked_by = NULL, locked_until = NULL,
                finished_at = NULL
            WHERE id = $1 AND status = 'dead'
            """, [rowID])
        if updated.affectedRows == 1 { return .replayed }
        let exists = try connection.query("SELECT status FROM \(table) WHERE id = $1", [rowID])
        if let status = try exists.first?.decode(String.self, at: 0) {
            return .skipped("the \(table == "intake.jobs" ? "job" : "delivery") is \(status), not dead")
        }
        // The original row was deleted (retention): recreate it from the dead letter.
        if table == "intake.jobs" {
            try connection.query(
                "INSERT INTO intake.jobs (kind, payload) SELECT p->>'kind', p->'payload' FROM (SELECT $1::jsonb AS p) s",
                [PostgresJSON(text: payload)])
        } else {
            try connection.query(
                """
                INSERT INTO intake.deliveries (source, external_id, headers, content_type, body)
                SELECT p->>'source', p->>'external_id', coalesce(p->'headers', '{}'), p->>'content_type',
                       decode(p->>'body_base64', 'base64')
                FROM (SELECT $1::jsonb AS p) s
                ON CONFLICT (source, external_id) DO UPDATE SET status = 'pending', attempts = 0, run_at = now()
                """, [PostgresJSON(text: payload)])
        }
        return .replayed
    }

    struct SQSDeadMessage {
        var queueURL: String
        var body: String
        var attributes: [String: String]
    }

    /// The message to re-send: the body from `raw` (the bytes as received; the payload's copy
    /// is escaped for reading), or from the payload for letters written before `payload_raw`.
    static func sqsMessage(from payload: String, raw: [UInt8]?) throws -> SQSDeadMessage {
        guard let object = try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any],
            let queue = object["queue_url"] as? String,
            let body = raw.map({ String(decoding: $0, as: UTF8.self) }) ?? object["body"] as? String
        else { throw PermanentError("SQS dead letter payload lacks queue_url or body") }
        let attributes = (object["message_attributes"] as? [String: String]) ?? [:]
        return SQSDeadMessage(queueURL: queue, body: body, attributes: attributes)
    }

    /// Deletes matching dead letters; returns how many.
    public func purge(_ filter: DeadLetterFilter) async throws -> Int {
        let (condition, parameters) = filter.whereClause()
        return try await pool.query("DELETE FROM intake.dead_letters WHERE \(condition)", parameters).affectedRows
    }
}
