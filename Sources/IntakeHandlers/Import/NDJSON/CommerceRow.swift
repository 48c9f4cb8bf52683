/// A validated commerce record: its key, the rows it refers to, and its column values in
/// `entity.table` order (without the trailing `import_job_id`), normalised and owned.
public struct CommerceRow: Sendable, Hashable {
    public var entity: CommerceEntity
    /// Lower-case canonical uuid of the record.
    public var id: String
    /// What must exist before the row can go into its table (empty for customers and products).
    public var references: [CommerceReference]
    /// Column values in table order; nil is SQL NULL. jsonb columns hold the JSON text.
    public var values: [[UInt8]?]

    /// Writes the row in COPY text format and ends it.
    public func encode(into buffer: inout CopyTextBuffer) {
        for value in values {
            if let value {
                value.withUnsafeBytes { buffer.appendText($0) }
            } else {
                buffer.appendNull()
            }
        }
        buffer.endRow()
    }

    /// The value of `column` as text (tests, messages).
    public func value(of column: String) -> String? {
        guard let index = entity.table.columns.firstIndex(of: column), let value = values[index] else { return nil }
        return String(decoding: value, as: UTF8.self)
    }
}
