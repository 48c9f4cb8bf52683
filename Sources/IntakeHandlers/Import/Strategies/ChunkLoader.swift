import Foundation
import IntakePostgres

/// How a chunk's valid rows reach their table, inside the chunk's transaction.
protocol ChunkLoader: Sendable {
    /// Loads `chunk.copy`; returns the path the next chunk should take and how many rows were
    /// parked in staging (waiting for references) rather than loaded.
    func load(_ chunk: ImportChunk, path: LoadPath, on connection: isolated PostgresConnection) throws -> (LoadPath, Int64)
}

/// SPEC §5: straight COPY while no key of the file is in the table yet; after the first
/// conflict, staging and upsert for the rest of the file.
enum LoadPath: String, Sendable, Codable {
    case direct
    case upsert
}

/// Claims, audit records, customers, products: one table, one key.
struct TableChunkLoader: ChunkLoader {
    let table: ImportTable

    /// A temporary table per session shaped like the target, emptied by every commit.
    var stagingTable: String { "pg_temp.intake_stage_" + table.name.replacingOccurrences(of: ".", with: "_") }

    func load(_ chunk: ImportChunk, path: LoadPath, on connection: isolated PostgresConnection) throws -> (LoadPath, Int64) {
        guard chunk.copy.rowCount > 0 else { return (path, 0) }
        if path == .direct {
            // The savepoint is what lets a conflicting COPY fall back without losing the
            // chunk's transaction (and the progress and errors that commit with it).
            try connection.execute(script: "SAVEPOINT intake_chunk")
            do {
                try copy(chunk, into: table.name, on: connection)
                try connection.execute(script: "RELEASE SAVEPOINT intake_chunk")
                return (.direct, 0)
            } catch let error as PostgresError where error.isUniqueViolation {
                try connection.execute(script: "ROLLBACK TO SAVEPOINT intake_chunk")
                try connection.execute(script: "RELEASE SAVEPOINT intake_chunk")
            }
        }
        try connection.execute(
            script: "CREATE TEMP TABLE IF NOT EXISTS \(stagingTable) (LIKE \(table.name) INCLUDING DEFAULTS) "
                + "ON COMMIT DELETE ROWS")
        try copy(chunk, into: stagingTable, on: connection)
        // One chunk per transaction: ON COMMIT DELETE ROWS empties the table for the next.
        try connection.query(table.upsertStatement(from: stagingTable))
        return (.upsert, 0)
    }

    private func copy(_ chunk: ImportChunk, into target: String, on connection: isolated PostgresConnection) throws {
        try connection.copyIn(table.copyStatement(into: target)) { writer in
            try chunk.copy.withUnsafeBytes { try writer.write($0) }
        }
    }
}
