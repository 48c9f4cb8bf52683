import IntakePostgres

extension CoreSchema {
    /// Version 8: a dead letter keeps the original bytes of what it replays. The `jsonb`
    /// payload is for reading; it cannot hold U+0000, and an SQS body is replayed byte for byte
    /// from `payload_raw` (docs/ARCHITECTURE.md, "Dead letters"). NULL for rows written before,
    /// and for inbox and notify letters, whose payload already holds the body exactly
    /// (`body_base64`, a `jsonb` job payload).
    static let deadLetterBytes = Migration(
        version: 8, name: "dead letters: original bytes",
        sql: """
            ALTER TABLE intake.dead_letters ADD COLUMN payload_raw bytea;
            """)
}
