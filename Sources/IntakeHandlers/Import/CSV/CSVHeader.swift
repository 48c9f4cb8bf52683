/// A CSV file's header: column names as they appeared, looked up case-insensitively and
/// trimmed, so `Claim_ID ` finds `claim_id`.
public struct CSVHeader: Sendable, Hashable, Codable {
    /// Names as in the file (trimmed), in file order. Stored in `import_jobs.metadata` so a
    /// resumed import, which starts after the header, can rebuild the mapping.
    public let columns: [String]

    public init(columns: [String]) {
        self.columns = columns.map(CSVHeader.trim)
    }

    public init(_ record: CSVRecord) {
        self.init(columns: record.strings)
    }

    /// The header of a file, refused when no column name can be trusted: a record over the
    /// length limit, or bytes that are not UTF-8 text.
    public init(checking record: CSVRecord) throws(ImportHeaderError) {
        if let oversized = record.oversized { throw ImportHeaderError.tooLong(limit: oversized.limit) }
        if let offset = ByteText.firstUnstorableByte(record.raw) {
            throw ImportHeaderError.notText(byteOffset: record.startByteOffset + Int64(offset))
        }
        self.init(record)
    }

    /// Lower-cased, trimmed names: what lookups and drift comparisons use.
    public var normalizedColumns: [String] { columns.map(CSVHeader.normalize) }

    /// Position of `name` in the file, ignoring case and surrounding white space.
    public func index(of name: String) -> Int? {
        let wanted = CSVHeader.normalize(name)
        return columns.firstIndex { CSVHeader.normalize($0) == wanted }
    }

    /// Positions of `required` columns in file order of `required`, or the header problem.
    public func positions(of required: [String]) throws(ImportHeaderError) -> [Int] {
        let normalized = normalizedColumns
        var seen: [String: Int] = [:]
        var duplicates: [String] = []
        for (index, name) in normalized.enumerated() {
            if seen[name] != nil, !duplicates.contains(name) { duplicates.append(name) }
            seen[name] = seen[name] ?? index
        }
        let missing = required.filter { seen[CSVHeader.normalize($0)] == nil }
        if !missing.isEmpty { throw ImportHeaderError.missingColumns(missing, found: columns) }
        let ambiguous = required.filter { duplicates.contains(CSVHeader.normalize($0)) }
        if !ambiguous.isEmpty { throw ImportHeaderError.duplicateColumns(ambiguous) }
        return required.map { seen[CSVHeader.normalize($0)]! }
    }

    static func trim(_ name: String) -> String {
        var scalars = Substring(name).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace || first == "\u{FEFF}" {
            scalars.removeFirst()
        }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }

    static func normalize(_ name: String) -> String { trim(name).lowercased() }
}

/// A header no row can be validated against: a permanent failure of the whole import.
public enum ImportHeaderError: Error, Sendable, Hashable, CustomStringConvertible {
    case missingColumns([String], found: [String])
    case duplicateColumns([String])
    case empty
    case tooLong(limit: Int)
    case notText(byteOffset: Int64)

    public var description: String {
        switch self {
        case .missingColumns(let missing, let found):
            return "missing required column(s) \(missing.joined(separator: ", ")); "
                + "the header has \(found.joined(separator: ", "))"
        case .duplicateColumns(let names):
            return "column(s) \(names.joined(separator: ", ")) appear more than once in the header"
        case .empty:
            return "the file has no header row"
        case .tooLong(let limit):
            return "the header row is longer than \(limit) bytes (INTAKE_IMPORT_MAX_RECORD_BYTES)"
        case .notText(let offset):
            return "the header is not UTF-8 text at byte \(offset) (or holds a NUL byte); save the file as UTF-8"
        }
    }
}

/// How a file's columns differ from the previous file of the same route
/// (`intake.schema_history`). Names are compared case-insensitively, trimmed.
public struct SchemaDrift: Sendable, Hashable, Codable {
    public var added: [String]
    public var removed: [String]
    /// Columns present in both whose order relative to each other changed.
    public var reordered: [String]

    public var hasDrift: Bool { !added.isEmpty || !removed.isEmpty || !reordered.isEmpty }

    public init(added: [String] = [], removed: [String] = [], reordered: [String] = []) {
        self.added = added
        self.removed = removed
        self.reordered = reordered
    }

    public init(previous: [String], current: [String]) {
        let before = previous.map(CSVHeader.normalize)
        let after = current.map(CSVHeader.normalize)
        let beforeSet = Set(before)
        let afterSet = Set(after)
        added = after.filter { !beforeSet.contains($0) }
        removed = before.filter { !afterSet.contains($0) }
        let commonBefore = before.filter { afterSet.contains($0) }
        let commonAfter = after.filter { beforeSet.contains($0) }
        reordered = zip(commonBefore, commonAfter).filter { $0 != $1 }.map(\.1)
    }

    public init(previous: CSVHeader, current: CSVHeader) {
        self.init(previous: previous.columns, current: current.columns)
    }

    /// One line for a log or a warning.
    public var summary: String {
        guard hasDrift else { return "no drift" }
        var parts: [String] = []
        if !added.isEmpty { parts.append("added \(added.joined(separator: ", "))") }
        if !removed.isEmpty { parts.append("removed \(removed.joined(separator: ", "))") }
        if !reordered.isEmpty { parts.append("reordered \(reordered.joined(separator: ", "))") }
        return parts.joined(separator: "; ")
    }
}
