import IntakePostgres

/// Writes one batch of drafts and works out each one's delivery id.
///
/// The insert is one statement, so it commits on its own (autocommit): a row it returns is
/// durable once the statement's result arrives, with `synchronous_commit` as configured. The
/// rows it skipped already existed and were committed by someone else (`ON CONFLICT` waits for
/// an in-flight conflicting insert to finish), so a second statement can read their ids. Two
/// round trips at most, one WAL flush, whatever the batch size.
enum DeliveryBatch {
    static let insertSQL = """
        INSERT INTO intake.deliveries (source, external_id, headers, content_type, body)
        SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::bytea[])
        ON CONFLICT (source, external_id) DO NOTHING
        RETURNING id, source, external_id
        """

    static let existingSQL = """
        SELECT d.id, d.source, d.external_id
        FROM intake.deliveries d
        JOIN unnest($1::text[], $2::text[]) AS k(source, external_id)
          ON d.source = k.source AND d.external_id = k.external_id
        """

    struct Key: Hashable {
        var source: String
        var externalID: String
    }

    /// Returns, for every draft, its delivery and whether it was a duplicate. Drafts repeating a
    /// key within the batch are duplicates of the first one.
    static func write(_ drafts: [DeliveryDraft], on connection: PostgresConnection) async throws -> [RecordedDelivery] {
        var firstIndex: [Key: Int] = [:]
        var unique: [DeliveryDraft] = []
        unique.reserveCapacity(drafts.count)
        for draft in drafts {
            let key = Key(source: draft.source, externalID: draft.externalID)
            if firstIndex[key] == nil {
                firstIndex[key] = unique.count
                unique.append(draft)
            }
        }

        var resolved: [Key: RecordedDelivery] = [:]
        var remaining = unique
        // A row seen as a conflict but gone by the time it is read (purged in between) is
        // inserted again; a few rounds settle any race short of a pathological one.
        for _ in 0..<3 where !remaining.isEmpty {
            let inserted = try await connection.query(
                insertSQL,
                [
                    PostgresArray(remaining.map(\.source)),
                    PostgresArray(remaining.map(\.externalID)),
                    PostgresArray(remaining.map(\.headersJSON)),
                    PostgresArray(remaining.map(\.contentType)),
                    PostgresArray(bytea: remaining.map(\.body)),
                ])
            for row in inserted {
                let key = Key(source: try row.decode(String.self, at: 1), externalID: try row.decode(String.self, at: 2))
                resolved[key] = RecordedDelivery(id: try row.decode(Int64.self, at: 0), isDuplicate: false)
            }
            remaining.removeAll { resolved[Key(source: $0.source, externalID: $0.externalID)] != nil }
            if remaining.isEmpty { break }

            let existing = try await connection.query(
                existingSQL,
                [PostgresArray(remaining.map(\.source)), PostgresArray(remaining.map(\.externalID))])
            for row in existing {
                let key = Key(source: try row.decode(String.self, at: 1), externalID: try row.decode(String.self, at: 2))
                resolved[key] = RecordedDelivery(id: try row.decode(Int64.self, at: 0), isDuplicate: true)
            }
            remaining.removeAll { resolved[Key(source: $0.source, externalID: $0.externalID)] != nil }
        }
        guard remaining.isEmpty else {
            throw DeliveryStoreUnavailable("\(remaining.count) deliveries neither inserted nor found after 3 rounds")
        }

        var seen = Set<Key>()
        return try drafts.map { draft in
            let key = Key(source: draft.source, externalID: draft.externalID)
            guard var recorded = resolved[key] else {
                throw DeliveryStoreUnavailable("a delivery of the batch was not resolved")
            }
            if !seen.insert(key).inserted { recorded.isDuplicate = true }
            return recorded
        }
    }
}
