import IntakePostgres

/// A PostgreSQL array literal (`{"a","b",NULL}`) encoded once, straight into UTF-8 bytes, for the
/// `unnest($n::…[])` parameters of a sync. The machine names and versions of 2,000 modules go to
/// several statements; `PostgresArray` would re-encode them, scalar by scalar, for each one.
struct DrupalArrayParameter: PostgresEncodable {
    let postgresBind: PostgresBind

    init(_ values: [String?]) {
        var capacity = 2
        for value in values { capacity += (value?.utf8.count ?? 4) + 3 }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(capacity + capacity / 16)
        bytes.append(UInt8(ascii: "{"))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            guard let value else {
                bytes.append(contentsOf: "NULL".utf8)
                continue
            }
            bytes.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        postgresBind = .text(String(decoding: bytes, as: UTF8.self))
    }

    init(_ values: [String]) {
        self.init(values.map(Optional.some))
    }

    init(_ flags: [Bool]) {
        postgresBind = .text("{" + flags.map { $0 ? "t" : "f" }.joined(separator: ",") + "}")
    }

    init(_ numbers: [Int?]) {
        postgresBind = .text("{" + numbers.map { $0.map(String.init) ?? "NULL" }.joined(separator: ",") + "}")
    }
}
