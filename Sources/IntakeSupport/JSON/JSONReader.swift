/// The one JSON reader of Intake: strict RFC 8259 over UTF-8 bytes, in one pass, with the rules
/// in ``JSONReadOptions``. Three ways to read, one set of rules:
///
/// - ``validate(_:options:)``: yes or no, building nothing (what the receiver does per request);
/// - ``topLevelMembers(_:options:capturing:)``: the top-level object's members with their raw
///   bytes (the receiver's idempotency `id`, an NDJSON import row);
/// - ``parse(_:options:)``: a ``JSONNode`` tree that keeps numbers as written and member order
///   (`webhook.generic`, Drupal, FHIR).
package enum JSONReader {
    package static func validate(
        _ bytes: some Collection<UInt8>, options: JSONReadOptions = .storable
    ) throws(JSONParseError) {
        try withBuffer(bytes) { buffer throws(JSONParseError) in
            var cursor = try JSONCursor(buffer, options: options)
            _ = try cursor.value(depth: 0, build: false)
            try cursor.finish()
        }
    }

    /// Checks the whole document and returns the members of the object it is, in document order
    /// (a repeated key appears each time), keeping only those whose key `capturing` accepts; nil
    /// when the document is valid but not an object.
    package static func topLevelMembers(
        _ bytes: some Collection<UInt8>, options: JSONReadOptions = .storable,
        capturing: (String) -> Bool = { _ in true }
    ) throws(JSONParseError) -> [JSONMember]? {
        try withBuffer(bytes) { buffer throws(JSONParseError) in
            var cursor = try JSONCursor(buffer, options: options)
            let members = try cursor.topLevelMembers(capturing: capturing)
            try cursor.finish()
            return members
        }
    }

    /// Checks the document and builds its tree.
    package static func parse(
        _ bytes: some Collection<UInt8>, options: JSONReadOptions = .storable
    ) throws(JSONParseError) -> JSONNode {
        try withBuffer(bytes) { buffer throws(JSONParseError) in
            var cursor = try JSONCursor(buffer, options: options)
            let node = try cursor.value(depth: 0, build: true)
            try cursor.finish()
            return node ?? .null
        }
    }

    /// The text of a string token (quotes included) that this reader accepted, unescaped.
    package static func decodeString(_ token: some Collection<UInt8>) -> String {
        let decoded = try? withBuffer(token) { buffer throws(JSONParseError) in
            var cursor = JSONCursor(unchecked: buffer)
            return try cursor.string(decode: true)
        }
        return decoded ?? ""
    }

    private static func withBuffer<Result>(
        _ bytes: some Collection<UInt8>, _ body: (UnsafeRawBufferPointer) throws(JSONParseError) -> Result
    ) throws(JSONParseError) -> Result {
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in
            Swift.Result { () throws(JSONParseError) -> Result in try body(UnsafeRawBufferPointer(buffer)) }
        }
        if let contiguous { return try contiguous.get() }
        return try Array(bytes).withUnsafeBytes { buffer in
            Swift.Result { () throws(JSONParseError) -> Result in try body(buffer) }
        }.get()
    }
}

extension JSONNode {
    /// Parses one JSON document under `options` (by default ``JSONReadOptions/storable``).
    package static func parse(
        _ bytes: some Collection<UInt8>, options: JSONReadOptions = .storable
    ) throws(JSONParseError) -> JSONNode {
        try JSONReader.parse(bytes, options: options)
    }
}
