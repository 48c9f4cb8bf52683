/// The `error_type` of an `intake.import_job_errors` row.
public enum RowErrorKind: String, Sendable, Hashable, CaseIterable, Codable {
    case missingField = "missing_field"
    case raggedRow = "ragged_row"
    case malformedRow = "malformed_row"
    case invalidEncoding = "invalid_encoding"
    case tooLong = "too_long"
    case outOfRange = "out_of_range"
    case invalidNDC = "invalid_ndc"
    case invalidNPI = "invalid_npi"
    case invalidDate = "invalid_date"
    case futureDate = "future_date"
    case invalidDecimal = "invalid_decimal"
    case invalidInteger = "invalid_integer"
    case invalidTimestamp = "invalid_timestamp"
    case invalidEnum = "invalid_enum"
    case invalidIP = "invalid_ip"
    case invalidUUID = "invalid_uuid"
    case invalidBoolean = "invalid_boolean"
    case invalidEmail = "invalid_email"
    case invalidType = "invalid_type"
    case invalidJSON = "invalid_json"
}

/// One problem with one row: what kind, which column, and what a person should fix.
public struct RowError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public var kind: RowErrorKind
    /// The column or JSON field at fault; nil for whole-row problems.
    public var column: String?
    public var message: String

    public init(_ kind: RowErrorKind, column: String?, _ message: String) {
        self.kind = kind
        self.column = column
        self.message = message
    }

    public var description: String { message }
}

extension Array where Element == RowError {
    /// One `(error_type, message)` for a row with several problems, for handlers that store one
    /// `import_job_errors` row per data row: the first problem's type, every message joined.
    public var summary: (kind: RowErrorKind, message: String) {
        guard let first else { return (.malformedRow, "invalid row") }
        return (first.kind, map(\.message).joined(separator: "; "))
    }
}

/// What a validator made of one row.
public enum RowValidation<Row> {
    case valid(Row)
    case invalid([RowError])

    public var row: Row? {
        if case .valid(let row) = self { return row }
        return nil
    }

    public var errors: [RowError] {
        if case .invalid(let errors) = self { return errors }
        return []
    }
}
