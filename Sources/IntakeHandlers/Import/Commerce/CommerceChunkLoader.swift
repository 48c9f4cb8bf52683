import Foundation
import IntakePostgres

/// Loads a chunk of orders or order items: rows whose references exist go to the final table,
/// the others wait in staging with what they wait for. No row can fail on a foreign key,
/// since only rows whose referenced rows are committed are inserted.
struct CommerceChunkLoader: ChunkLoader {
    let sql: CommerceReferenceSQL

    func load(_ chunk: ImportChunk, path: LoadPath, on connection: isolated PostgresConnection) throws -> (LoadPath, Int64) {
        guard chunk.copy.rowCount > 0 else { return (path, 0) }
        try connection.execute(script: sql.createChunkTable)
        try connection.copyIn(sql.copyIntoChunk) { writer in
            try chunk.copy.withUnsafeBytes { try writer.write($0) }
        }
        try connection.query(sql.insertReady)
        try connection.query(sql.deleteSuperseded)
        let staged = try connection.query(sql.insertWaiting).affectedRows
        return (.upsert, Int64(staged))
    }
}

/// Moves waiting commerce rows into their tables once what they wait for exists: orders
/// first (items may wait for them), repeated until a round moves nothing.
public enum CommercePromotion {
    /// Rows moved per entity.
    public struct Result: Sendable, Equatable, Codable {
        public var orders: Int = 0
        public var orderItems: Int = 0
        public var rounds: Int = 0
        public var stillWaiting: Int = 0

        enum CodingKeys: String, CodingKey {
            case orders, rounds
            case orderItems = "order_items"
            case stillWaiting = "still_waiting"
        }
    }

    static let lockKey = "intake.commerce.promotion"

    /// Runs in the caller's transaction. Promotions serialize on an advisory lock: two at
    /// once would only race for the same rows.
    public static func run(on connection: isolated PostgresConnection) throws -> Result {
        try connection.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [lockKey])
        guard let orders = CommerceReferenceSQL(entity: .orders), let items = CommerceReferenceSQL(entity: .orderItems) else {
            return Result()
        }
        var result = Result()
        while true {
            result.rounds += 1
            let movedOrders = try connection.query(orders.promote).affectedRows
            let movedItems = try connection.query(items.promote).affectedRows
            result.orders += movedOrders
            result.orderItems += movedItems
            if movedOrders == 0 && movedItems == 0 { break }
        }
        try connection.query(orders.refreshWaiting)
        try connection.query(items.refreshWaiting)
        result.stillWaiting = try connection.query(
            "SELECT (SELECT count(*) FROM ingest.orders_staging) + (SELECT count(*) FROM ingest.order_items_staging)"
        )[0].decode(Int.self, at: 0)
        return result
    }
}
