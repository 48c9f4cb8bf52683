import Foundation
import IntakeCore

/// The message body an S3 import handler receives: one object to import.
///
/// The SQS worker turns every routed `ObjectCreated` record into one of these; the
/// `s3.reprocess` job builds one from `{bucket, key}`. Import handlers read it with
/// `S3ObjectTask(message:)`, whatever the origin. It lives beside the consumer that writes it
/// (`SQSConsumer.body(of:)`), below the handlers that read it.
public struct S3ObjectTask: Codable, Sendable, Equatable {
    public var bucket: String
    /// The decoded key.
    public var key: String
    /// The key as the event carried it, when it differs (emulators encode differently):
    /// tried once when `key` is not found (SPEC §4).
    public var rawKey: String?
    public var versionId: String?
    public var eTag: String?
    public var size: Int64?
    /// The route's archive prefix, when the import should move the object once done.
    public var archivePrefix: String?

    enum CodingKeys: String, CodingKey {
        case bucket, key, size
        case rawKey = "raw_key"
        case versionId = "version_id"
        case eTag = "etag"
        case archivePrefix = "archive_prefix"
    }

    public init(
        bucket: String, key: String, rawKey: String? = nil, versionId: String? = nil, eTag: String? = nil,
        size: Int64? = nil, archivePrefix: String? = nil
    ) {
        self.bucket = bucket
        self.key = key
        self.rawKey = rawKey
        self.versionId = versionId
        self.eTag = eTag
        self.size = size
        self.archivePrefix = archivePrefix
    }

    public init(message: Message) throws {
        do {
            self = try JSONDecoder().decode(S3ObjectTask.self, from: Data(message.body))
        } catch {
            throw PermanentError("message is not an S3 object task ({bucket, key, …}): \(error)")
        }
    }

    public func encoded() -> [UInt8] {
        (try? JSONEncoder().encode(self)).map { [UInt8]($0) } ?? []
    }
}
