import IntakePostgres

/// The outcomes of one lane's batch, written back in at most three statements.
struct Settlement {
    var succeeded: [(id: Int64, result: PostgresJSON?)] = []
    var retried: [(id: Int64, delaySeconds: Double, message: String, entry: String)] = []
    var dead: [(id: Int64, message: String, entry: String, handler: String, result: PostgresJSON?)] = []
    var released: [Int64] = []

    var isEmpty: Bool { succeeded.isEmpty && retried.isEmpty && dead.isEmpty && released.isEmpty }

    /// How many statements `apply` will run (dead rows take two: the rows, then their letters).
    var statementCount: Int {
        [succeeded.isEmpty, retried.isEmpty, dead.isEmpty, dead.isEmpty, released.isEmpty].filter { !$0 }.count
    }

    /// Files one verdict under the statement that will carry it out.
    mutating func add(_ verdict: Verdict, rowID: Int64) {
        switch verdict {
        case .succeed(let result):
            succeeded.append((rowID, result))
        case .retry(let wait, let record):
            retried.append((rowID, wait.seconds, record.message, record.json))
        case .deadLetter(let record, let result):
            dead.append((rowID, record.message, record.json, record.handler, result))
        }
    }

    /// A handler's result as PostgreSQL stores it (a result quoting input may hold U+0000).
    private static func storable(_ result: PostgresJSON?) -> String? {
        result.map { FailureHistory.storableJSON($0.text) }
    }

    /// Writes every outcome on `connection` (inside the lane's transaction when one is open).
    func apply(on connection: isolated PostgresConnection, table: QueueTable, worker: String) throws {
        if !succeeded.isEmpty {
            try connection.query(
                table.succeedSQL,
                [PostgresArray(succeeded.map(\.id)), PostgresArray(succeeded.map { Self.storable($0.result) }), worker])
        }
        if !retried.isEmpty {
            try connection.query(
                table.retrySQL,
                [
                    PostgresArray(retried.map(\.id)), PostgresArray(retried.map { String($0.delaySeconds) }),
                    PostgresArray(retried.map { FailureHistory.storableText($0.message) }),
                    PostgresArray(retried.map(\.entry)), worker,
                ])
        }
        if !dead.isEmpty {
            let rows = try connection.query(
                table.deadSQL,
                [
                    PostgresArray(dead.map(\.id)), PostgresArray(dead.map { FailureHistory.storableText($0.message) }),
                    PostgresArray(dead.map(\.entry)),
                    PostgresArray(dead.map(\.handler)), PostgresArray(dead.map { Self.storable($0.result) }), worker,
                ])
            let letters = try rows.map { row in
                DeadLetterWriter.Letter(
                    origin: table.origin, originRef: try row.decode(String.self, at: 0),
                    handler: try row.decode(String.self, at: 1), payload: PostgresJSON(text: try row.decode(String.self, at: 2)),
                    attempts: try row.decode(Int.self, at: 3), errors: PostgresJSON(text: try row.decode(String.self, at: 4)))
            }
            try DeadLetterWriter.write(letters, on: connection)
        }
        if !released.isEmpty {
            try connection.query(table.releaseSQL, [PostgresArray(released), worker])
        }
    }
}
