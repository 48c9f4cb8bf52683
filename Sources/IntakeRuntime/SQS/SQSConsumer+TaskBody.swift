import IntakeSupport

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
        JSONString.append(value, to: &out)
        out.append(UInt8(ascii: ","))
    }
}
