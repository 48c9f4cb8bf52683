import Foundation

/// Reads S3 event notifications in every shape they reach an SQS queue: native S3 (any 2.x
/// eventVersion, several records), wrapped in an SNS notification (or raw SNS delivery, which
/// is the native shape), EventBridge "Object Created", and `s3:TestEvent`.
public enum S3EventParser {
    public static func parse(_ body: String) throws(S3EventParseError) -> S3EventBatch {
        try parse(bytes: Array(body.utf8))
    }

    public static func parse(bytes: [UInt8]) throws(S3EventParseError) -> S3EventBatch {
        try parse(bytes: bytes, depth: 0)
    }

    private static let decoder = JSONDecoder()

    private static func parse(bytes: [UInt8], depth: Int) throws(S3EventParseError) -> S3EventBatch {
        let envelope: Wire.Envelope
        do {
            envelope = try decoder.decode(Wire.Envelope.self, from: Data(bytes))
        } catch {
            let preview = String(decoding: bytes.prefix(120), as: UTF8.self)
            throw S3EventParseError("the body is not a JSON object with the fields of an S3 event (\(error)); it starts: \(preview)")
        }

        if let records = envelope.Records {
            return try nativeRecords(records, origin: depth > 0 ? .sns : .s3)
        }
        if envelope.Event == "s3:TestEvent" {
            return S3EventBatch(isTestEvent: true, testEventBucket: envelope.Bucket, origin: depth > 0 ? .sns : .s3)
        }
        if envelope.Type == "Notification", let message = envelope.Message {
            guard depth == 0 else { throw S3EventParseError("an SNS notification nested in another") }
            do {
                return try parse(bytes: Array(message.utf8), depth: 1)
            } catch {
                throw S3EventParseError("SNS notification whose Message is not an S3 event: \(error.message)")
            }
        }
        if let detailType = envelope.detailType {
            return try eventBridge(envelope, detailType: detailType)
        }
        if let type = envelope.Type {
            throw S3EventParseError("an SNS message of type \(type), not a Notification")
        }
        throw S3EventParseError("JSON without Records, an SNS Message, an EventBridge detail or an s3:TestEvent")
    }

    private static func nativeRecords(_ records: [Wire.Record], origin: S3EventBatch.Origin) throws(S3EventParseError) -> S3EventBatch {
        guard !records.isEmpty else { throw S3EventParseError("Records is empty") }
        var batch = S3EventBatch(origin: origin)
        for (index, record) in records.enumerated() {
            if let source = record.eventSource, source != "aws:s3" {
                throw S3EventParseError("record \(index) comes from \(source), not aws:s3")
            }
            if let version = record.eventVersion, !version.hasPrefix("2.") && version != "2" {
                throw S3EventParseError("record \(index) has eventVersion \(version); only 2.x is understood")
            }
            guard let s3 = record.s3, let bucket = s3.bucket?.name, let rawKey = s3.object?.key else {
                throw S3EventParseError("record \(index) has no s3.bucket.name or s3.object.key")
            }
            guard let eventName = record.eventName else { throw S3EventParseError("record \(index) has no eventName") }
            let object = S3ObjectRef(
                bucket: bucket, key: formDecode(rawKey), rawKey: rawKey, size: s3.object?.size, eTag: s3.object?.eTag,
                versionId: s3.object?.versionId, eventName: stripPrefix(eventName), eventTime: record.eventTime)
            if object.isObjectCreated { batch.objects.append(object) } else { batch.ignored.append(object) }
        }
        return batch
    }

    private static func eventBridge(_ envelope: Wire.Envelope, detailType: String) throws(S3EventParseError) -> S3EventBatch {
        if let source = envelope.source, source != "aws.s3" {
            throw S3EventParseError("an EventBridge event from \(source), not aws.s3")
        }
        guard let detail = envelope.detail, let bucket = detail.bucket?.name, let rawKey = detail.object?.key else {
            throw S3EventParseError("an EventBridge \"\(detailType)\" event without detail.bucket.name or detail.object.key")
        }
        let eventName: String
        switch detailType {
        case "Object Created":
            let reason = detail.reason ?? "PutObject"
            eventName = "ObjectCreated:" + (reason == "PutObject" ? "Put" : reason == "CopyObject" ? "Copy" : reason)
        case "Object Deleted": eventName = "ObjectRemoved:" + (detail.deletionType ?? "Delete")
        default: eventName = detailType
        }
        let object = S3ObjectRef(
            bucket: bucket, key: formDecode(rawKey), rawKey: rawKey, size: detail.object?.size, eTag: detail.object?.etag,
            versionId: detail.object?.versionId, eventName: eventName, eventTime: envelope.time)
        return object.isObjectCreated
            ? S3EventBatch(objects: [object], origin: .eventBridge) : S3EventBatch(ignored: [object], origin: .eventBridge)
    }

    private static func stripPrefix(_ name: String) -> String {
        name.hasPrefix("s3:") ? String(name.dropFirst(3)) : name
    }

    /// `+` is a space, then `%XX` escapes as UTF-8. A key that does not decode (a stray `%`)
    /// was evidently not encoded: it is used as given.
    public static func formDecode(_ key: String) -> String {
        AWSURIEncoding.decode(key, plusAsSpace: true) ?? key
    }
}

enum Wire {
    struct Envelope: Decodable {
        var Records: [Record]?
        var `Type`: String?
        var Message: String?
        var Event: String?
        var Bucket: String?
        var detailType: String?
        var source: String?
        var time: String?
        var detail: Detail?

        enum CodingKeys: String, CodingKey {
            case Records, `Type`, Message, Event, Bucket, source, time, detail
            case detailType = "detail-type"
        }
    }

    struct Record: Decodable {
        var eventVersion: String?
        var eventSource: String?
        var eventName: String?
        var eventTime: String?
        var s3: S3Entity?
    }

    struct S3Entity: Decodable {
        var bucket: Named?
        var object: Object?
    }

    struct Named: Decodable {
        var name: String?
    }

    struct Object: Decodable {
        var key: String?
        var size: Int64?
        var eTag: String?
        var versionId: String?
    }

    struct Detail: Decodable {
        var bucket: Named?
        var object: DetailObject?
        var reason: String?
        var deletionType: String?

        enum CodingKeys: String, CodingKey {
            case bucket, object, reason
            case deletionType = "deletion-type"
        }
    }

    struct DetailObject: Decodable {
        var key: String?
        var size: Int64?
        var etag: String?
        var versionId: String?

        enum CodingKeys: String, CodingKey {
            case key, size, etag
            case versionId = "version-id"
        }
    }
}
