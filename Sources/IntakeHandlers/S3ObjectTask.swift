import Foundation
import IntakeAWS
import IntakeCore

/// The message body an S3 import handler receives: one object to import.
///
/// The SQS worker turns every routed `ObjectCreated` record into one of these; the
/// `s3.reprocess` job builds one from `{bucket, key}`. Import handlers read it with
/// `S3ObjectTask(message:)`, whatever the origin.
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

/// Clients the handlers share, built once per process by its main.
public struct HandlerServices: Sendable {
    public var configuration: IntakeConfiguration
    public var s3: S3Client?
    public var sqs: SQSClient?
    public var http: CurlHTTPClient?

    public init(configuration: IntakeConfiguration, s3: S3Client? = nil, sqs: SQSClient? = nil, http: CurlHTTPClient? = nil) {
        self.configuration = configuration
        self.s3 = s3
        self.sqs = sqs
        self.http = http
    }
}
