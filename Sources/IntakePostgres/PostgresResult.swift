import CLibPQ
import Foundation

/// A value decodable from PostgreSQL's text output format.
public protocol PostgresDecodable: Sendable {
    init(postgresText bytes: UnsafeBufferPointer<UInt8>) throws
}

/// The rows of one statement. Wraps libpq's immutable `PGresult`, so reading it from any thread
/// is safe and no value is copied until it is decoded.
public final class PostgresResult: @unchecked Sendable, RandomAccessCollection {
    private let result: OpaquePointer?
    public let rowCount: Int
    public let columnCount: Int
    /// Rows changed by INSERT/UPDATE/DELETE/COPY (`PQcmdTuples`).
    public let affectedRows: Int

    init(_ result: OpaquePointer?) {
        self.result = result
        self.rowCount = result.map { Int(PQntuples($0)) } ?? 0
        self.columnCount = result.map { Int(PQnfields($0)) } ?? 0
        if let result, let text = PQcmdTuples(result) {
            self.affectedRows = Int(String(cString: text)) ?? 0
        } else {
            self.affectedRows = 0
        }
    }

    deinit { if let result { PQclear(result) } }

    public var startIndex: Int { 0 }
    public var endIndex: Int { rowCount }
    public subscript(position: Int) -> PostgresRow { PostgresRow(result: self, index: position) }

    public var columnNames: [String] {
        withExtendedLifetime(self) { (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) } }
    }

    public func columnIndex(_ name: String) -> Int? {
        let index = withExtendedLifetime(self) { Int(PQfnumber(result, name)) }
        return index >= 0 ? index : nil
    }

    func isNull(row: Int, column: Int) -> Bool {
        withExtendedLifetime(self) { PQgetisnull(result, Int32(row), Int32(column)) == 1 }
    }

    func withBytes<T>(row: Int, column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        // The bytes live inside the PGresult, which `deinit` frees: keep `self` alive until
        // `body` is done, or ARC may release it right after the last use of `result`.
        try withExtendedLifetime(self) {
            let length = Int(PQgetlength(result, Int32(row), Int32(column)))
            let pointer = PQgetvalue(result, Int32(row), Int32(column))
            return try pointer!.withMemoryRebound(to: UInt8.self, capacity: length) {
                try body(UnsafeBufferPointer(start: $0, count: length))
            }
        }
    }
}

/// One row of a `PostgresResult`.
public struct PostgresRow: Sendable {
    let result: PostgresResult
    public let index: Int

    /// Decodes column `column`; a NULL is an error — use `decode(_:at:)` with an Optional type.
    public func decode<T: PostgresDecodable>(_ type: T.Type, at column: Int) throws -> T {
        guard column < result.columnCount else {
            throw PostgresError(kind: .client, message: "column \(column) out of range (\(result.columnCount) columns)")
        }
        if result.isNull(row: index, column: column) {
            throw PostgresError(kind: .client, message: "column \(column) is NULL, expected \(T.self)")
        }
        return try result.withBytes(row: index, column: column) { try T(postgresText: $0) }
    }

    public func decode<T: PostgresDecodable>(_ type: T?.Type, at column: Int) throws -> T? {
        if result.isNull(row: index, column: column) { return nil }
        return try decode(T.self, at: column)
    }

    public func decode<T: PostgresDecodable>(_ type: T.Type, column name: String) throws -> T {
        try decode(T.self, at: try columnIndex(name))
    }

    public func decode<T: PostgresDecodable>(_ type: T?.Type, column name: String) throws -> T? {
        try decode(T?.self, at: try columnIndex(name))
    }

    public func isNull(_ column: Int) -> Bool { result.isNull(row: index, column: column) }

    private func columnIndex(_ name: String) throws -> Int {
        guard let column = result.columnIndex(name) else {
            throw PostgresError(kind: .client, message: "no column named \(name)")
        }
        return column
    }
}

func decodeFailure<T>(_ type: T.Type, _ bytes: UnsafeBufferPointer<UInt8>) -> PostgresError {
    PostgresError(kind: .client, message: "cannot decode \(T.self) from \(String(decoding: bytes.prefix(64), as: UTF8.self))")
}

extension String: PostgresDecodable {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>) throws {
        self = String(decoding: bytes, as: UTF8.self)
    }
}

extension Int: PostgresDecodable {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>) throws {
        var value = 0
        var negative = false
        var index = 0
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            index = 1
        }
        guard index < bytes.count else { throw decodeFailure(Int.self, bytes) }
        while index < bytes.count {
            let b = bytes[index]
            guard b >= 48, b <= 57 else { throw decodeFailure(Int.self, bytes) }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int(b - 48))
            guard !o1, !o2 else { throw decodeFailure(Int.self, bytes) }
            value = s
            index += 1
        }
        self = negative ? -value : value
    }
}

extension Int64: PostgresDecodable {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>) throws {
        self = Int64(try Int(postgresText: bytes))
    }
}

extension Int32: PostgresDecodable {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>) throws {
        guard let value = Int32(exactly: try Int(postgresText: bytes)) else { throw decodeFailure(Int32.self, bytes) }
        self = value
    }
}

extension Bool: PostgresDecodable {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>) throws {
        guard bytes.count == 1 else { throw decodeFailure(Bool.self, bytes) }
        switch bytes[0] {
        case UInt8(ascii: "t"): self = true
        case UInt8(ascii: "f"): self = false
        default: throw decodeFailure(Bool.self, bytes)
        }
    }
}

extension Double: PostgresDecodable {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>) throws {
        guard let value = Double(String(decoding: bytes, as: UTF8.self)) else { throw decodeFailure(Double.self, bytes) }
        self = value
    }
}

extension UUID: PostgresDecodable {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>) throws {
        guard let value = UUID(uuidString: String(decoding: bytes, as: UTF8.self)) else {
            throw decodeFailure(UUID.self, bytes)
        }
        self = value
    }
}

extension Date: PostgresDecodable {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>) throws {
        guard let value = PostgresTimestamp.parse(bytes) else { throw decodeFailure(Date.self, bytes) }
        self = value
    }
}

extension Array: PostgresDecodable where Element == UInt8 {
    /// `bytea` in the hex output format (`\x0001ff`), the server default since 9.0.
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>) throws {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x"), bytes.count % 2 == 0 else {
            throw decodeFailure([UInt8].self, bytes)
        }
        func nibble(_ b: UInt8) -> UInt8? {
            switch b {
            case 48...57: return b - 48
            case 97...102: return b - 87
            case 65...70: return b - 55
            default: return nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity((bytes.count - 2) / 2)
        var i = 2
        while i < bytes.count {
            guard let hi = nibble(bytes[i]), let lo = nibble(bytes[i + 1]) else { throw decodeFailure([UInt8].self, bytes) }
            out.append(hi << 4 | lo)
            i += 2
        }
        self = out
    }
}
