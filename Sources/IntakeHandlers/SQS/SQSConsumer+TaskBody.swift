extension SQSConsumer {
    /// The ``S3ObjectTask`` JSON a handler receives, written directly: `JSONEncoder` costs more
    /// per message than the rest of the consumer's own work. Same keys as its `Codable` form.
    static func body(of task: S3ObjectTask) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(96 + task.bucket.utf8.count + 2 * task.key.utf8.count)
        out.append(UInt8(ascii: "{"))
        field("bucket", task.bucket, into: &out)
        field("key", task.key, into: &out)
        if let raw = task.rawKey { field("raw_key", raw, into: &out) }
        if let version = task.versionId { field("version_id", version, into: &out) }
        if let eTag = task.eTag { field("etag", eTag, into: &out) }
        if let prefix = task.archivePrefix { field("archive_prefix", prefix, into: &out) }
        if let size = task.size {
            out.append(contentsOf: #""size":"#.utf8)
            out.append(contentsOf: String(size).utf8)
            out.append(UInt8(ascii: ","))
        }
        out[out.count - 1] = UInt8(ascii: "}")
        return out
    }

    private static func field(_ name: String, _ value: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: name.utf8)
        out.append(contentsOf: #"":"#.utf8)
        SQSJSONString.append(value, to: &out)
        out.append(UInt8(ascii: ","))
    }
}

/// JSON string literals without a serializer, for the few objects written per message.
enum SQSJSONString {
    static let hex = Array("0123456789abcdef".utf8)

    /// `value` as a quoted JSON string, appended to `out`.
    static func append(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0..<0x20:
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    static func quoted(_ value: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count + 2)
        append(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
