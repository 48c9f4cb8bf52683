/// A row a mapper produces for one resource, described well enough for one generic, parameterized
/// upsert: `INSERT INTO <table> (<columns>) VALUES ($1::<cast>, …) ON CONFLICT (<keyColumns>)
/// DO UPDATE SET <each non-key column> = EXCLUDED.<column>, updated_at = now()`. Table and column
/// names are constants of the row types (never input); every value travels as a parameter.
public protocol FHIRRow: Sendable {
    /// Qualified table name, e.g. `ingest.fhir_patients`.
    static var table: String { get }
    /// The primary key the upsert conflicts on.
    static var keyColumns: [String] { get }
    /// Every column to write, key columns included, in a stable order.
    var columns: [FHIRColumn] { get }
}

public struct FHIRColumn: Sendable, Equatable {
    public var name: String
    public var value: FHIRColumnValue

    public init(_ name: String, _ value: FHIRColumnValue) {
        self.name = name
        self.value = value
    }
}

/// A column value as libpq text (nil for SQL NULL), typed so that even a NULL carries the cast
/// its column needs (`NULL::text` cannot be assigned to a `numeric` column).
public enum FHIRColumnValue: Sendable, Equatable {
    case text(String?)
    /// A decimal exactly as the resource wrote it (`6.3`, `1.0e2`).
    case numeric(String?)
    /// `YYYY-MM-DD`.
    case date(String?)
    /// An RFC 3339 date-time with offset.
    case timestamp(String?)
    /// JSON text.
    case jsonb(String?)

    /// The parameter's text, or nil for SQL NULL.
    public var parameterText: String? {
        switch self {
        case .text(let value), .numeric(let value), .date(let value), .timestamp(let value), .jsonb(let value):
            value
        }
    }

    /// The cast for the parameter placeholder (`$1::numeric`).
    public var sqlCast: String {
        switch self {
        case .text: "text"
        case .numeric: "numeric"
        case .date: "date"
        case .timestamp: "timestamptz"
        case .jsonb: "jsonb"
        }
    }
}

/// Why a resource could not be mapped: bad data, so permanent.
public struct FHIRMappingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var resourceType: String
    public var id: String?
    public var message: String
    public let isPermanent = true

    public init(resourceType: String, id: String?, message: String) {
        self.resourceType = resourceType
        self.id = id
        self.message = message
    }

    public var description: String { "\(resourceType)/\(id ?? "?"): \(message)" }
}

/// Any resource type without a mapper, kept whole in `ingest.fhir_resources`.
public struct FHIRRawResourceRow: FHIRRow, Equatable {
    public static let table = "ingest.fhir_resources"
    public static let keyColumns = ["resource_type", "id"]

    public var resourceType: String
    public var id: String
    /// The resource as JSON text.
    public var raw: String

    public init(resourceType: String, id: String, raw: String) {
        self.resourceType = resourceType
        self.id = id
        self.raw = raw
    }

    public var columns: [FHIRColumn] {
        [FHIRColumn("resource_type", .text(resourceType)), FHIRColumn("id", .text(id)), FHIRColumn("raw", .jsonb(raw))]
    }
}

/// The one statement that writes any `FHIRRow`: an upsert keyed on the row's primary key that
/// also stamps `updated_at`. Identifiers come from the row type's constants, values only ever
/// travel as parameters (`parameters[i]` is `$i+1`, nil meaning SQL NULL).
public struct FHIRRowUpsert: Sendable, Equatable {
    public var sql: String
    public var parameters: [String?]

    public init(_ row: some FHIRRow) {
        let columns = row.columns
        let keys = type(of: row).keyColumns
        let placeholders = columns.enumerated().map { "$\($0.offset + 1)::\($0.element.value.sqlCast)" }
        let updates = columns.filter { !keys.contains($0.name) }.map { "\($0.name) = EXCLUDED.\($0.name)" }
        sql = "INSERT INTO \(type(of: row).table) (\(columns.map(\.name).joined(separator: ", "))) VALUES ("
            + placeholders.joined(separator: ", ") + ") ON CONFLICT (\(keys.joined(separator: ", "))) DO UPDATE SET "
            + (updates + ["updated_at = now()"]).joined(separator: ", ")
        parameters = columns.map(\.value.parameterText)
    }
}
