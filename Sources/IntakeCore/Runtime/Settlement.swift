import Foundation
import IntakePostgres

/// The outcomes of one lane's batch, written back in at most three statements.
struct Settlement {
    var succeeded: [(id: Int64, result: PostgresJSON?)] = []
    var retried: [(id: Int64, delaySeconds: Double, message: String, entry: String)] = []
    var dead: [(id: Int64, message: String, entry: String, handler: String, result: PostgresJSON?)] = []
    var released: [Int64] = []

    var isEmpty: Bool { succeeded.isEmpty && retried.isEmpty && dead.isEmpty && released.isEmpty }

    /// How many statements `apply` will run.
    var statementCount: Int {
        [succeeded.isEmpty, retried.isEmpty, dead.isEmpty, released.isEmpty].filter { !$0 }.count
    }

    /// One element of a row's `errors` history.
    static func historyEntry(
        worker: String, attempt: Int, retryable: Bool, error: String, message: String, retryIn: Duration? = nil
    ) -> String {
        var object: [String: Any] = [
            "at": PostgresTimestamp.format(Date()),
            "worker": worker,
            "attempt": attempt,
            "class": retryable ? "retryable" : "permanent",
            "error": error,
            "message": message,
        ]
        // The backoff this failure got, for operators reading the history (and its bounds).
        if let retryIn { object["retry_in_ms"] = retryIn.milliseconds }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes every outcome on `connection` (inside the lane's transaction when one is open).
    func apply(on connection: isolated PostgresConnection, table: QueueTable, worker: String) throws {
        if !succeeded.isEmpty {
            try connection.query(
                table.succeedSQL,
                [PostgresArray(succeeded.map(\.id)), PostgresArray(succeeded.map { $0.result?.text }), worker])
        }
        if !retried.isEmpty {
            try connection.query(
                table.retrySQL,
                [
                    PostgresArray(retried.map(\.id)), PostgresArray(retried.map { String($0.delaySeconds) }),
                    PostgresArray(retried.map(\.message)), PostgresArray(retried.map(\.entry)), worker,
                ])
        }
        if !dead.isEmpty {
            try connection.query(
                table.deadSQL,
                [
                    PostgresArray(dead.map(\.id)), PostgresArray(dead.map(\.message)), PostgresArray(dead.map(\.entry)),
                    PostgresArray(dead.map(\.handler)), PostgresArray(dead.map { $0.result?.text }), worker,
                ])
        }
        if !released.isEmpty {
            try connection.query(table.releaseSQL, [PostgresArray(released), worker])
        }
    }
}
