import ArgumentParser
import Foundation
import IntakeCore
import IntakePostgres

struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Work with the notify queue.", subcommands: [Enqueue.self])

    struct Enqueue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enqueue a job: intakectl jobs enqueue KIND '{...}'.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Job kind, e.g. s3.reprocess.") var kind: String
        @Argument(help: "Payload as a JSON object.") var payload: String = "{}"
        @Option(help: "Run no earlier than this (RFC 3339), default now.") var runAt: String?

        func run() async throws {
            guard (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) is [String: Any] else {
                throw ValidationError("the payload must be a JSON object, e.g. '{\"bucket\":\"b\",\"key\":\"k\"}'")
            }
            var when = Date()
            if let runAt {
                guard let date = ISO8601DateFormatter().date(from: runAt) else {
                    throw ValidationError("--run-at must be an RFC 3339 time like 2026-01-31T12:00:00Z")
                }
                when = date
            }
            let id = try await global.withPool { pool in
                try await pool.query(
                    "SELECT intake.enqueue($1, $2::jsonb, $3)", [kind, PostgresJSON(text: payload), when]
                )[0].decode(Int64.self, at: 0)
            }
            if global.json { try printJSON(["job_id": id]) } else { print("enqueued job \(id) (\(kind))") }
        }
    }
}

struct Deliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Inspect webhook deliveries.", subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one delivery: status, attempts, errors, result.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Delivery id.") var id: Int64

        struct Delivery: Encodable {
            var id: Int64
            var source: String
            var external_id: String
            var status: String
            var attempts: Int
            var received_at: Date
            var finished_at: Date?
            var last_error: String?
            var headers: String
            var errors: String
            var result: String?
            var body_bytes: Int
        }

        func run() async throws {
            let delivery: Delivery? = try await global.withPool { pool in
                let rows = try await pool.query(
                    """
                    SELECT id, source, external_id, status, attempts, received_at, finished_at, last_error,
                           headers::text, errors::text, result::text, octet_length(body)
                    FROM intake.deliveries WHERE id = $1
                    """, [id])
                return try rows.first.map { row in
                    Delivery(
                        id: try row.decode(Int64.self, at: 0), source: try row.decode(String.self, at: 1),
                        external_id: try row.decode(String.self, at: 2), status: try row.decode(String.self, at: 3),
                        attempts: try row.decode(Int.self, at: 4), received_at: try row.decode(Date.self, at: 5),
                        finished_at: try row.decode(Date?.self, at: 6), last_error: try row.decode(String?.self, at: 7),
                        headers: try row.decode(String.self, at: 8), errors: try row.decode(String.self, at: 9),
                        result: try row.decode(String?.self, at: 10), body_bytes: try row.decode(Int.self, at: 11))
                }
            }
            guard let delivery else { throw ValidationError("no delivery \(id)") }
            if global.json { return try printJSON(delivery) }
            print("delivery \(delivery.id) from \(delivery.source) (id \(delivery.external_id)): \(delivery.status)")
            print("attempts \(delivery.attempts), received \(formatDate(delivery.received_at)), finished \(formatDate(delivery.finished_at))")
            print("body \(delivery.body_bytes) bytes")
            if let error = delivery.last_error { print("last error: \(error)") }
            print("headers:\n\(prettyJSON(delivery.headers))")
            print("errors:\n\(prettyJSON(delivery.errors))")
            print("result:\n\(prettyJSON(delivery.result))")
        }
    }
}
