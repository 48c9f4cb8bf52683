import Foundation
import IntakeAWS
import IntakeCore
import IntakeCrypto
import IntakePostgres
import IntakeRuntime
import IntakeSupport

/// `builtin.s3.fetch`: streams the object an ``S3ObjectTask`` names, hashing as it comes, and
/// succeeds with `{"sha256", "bytes"}`. Writes nothing: for byte-exact checks of the event
/// path (key decoding, signing) and for the per-S3-event benchmark.
///
/// A missing object is skipped, not retried (SPEC §4); when the decoded key is missing and the
/// event's raw key differs, the raw key is tried once first.
public struct S3FetchHandler: Handler {
    public static let handlerName = "builtin.s3.fetch"
    private let client: @Sendable () throws -> S3Client

    public init(s3: S3Client) {
        client = { s3 }
    }

    /// The process's shared S3 client; without one (no AWS credentials) every message fails
    /// permanently, saying why.
    public init(services: HandlerServices?) {
        let s3 = services?.s3
        client = {
            guard let s3 else { throw PermanentError("no S3 client: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY") }
            return s3
        }
    }

    public var name: String { Self.handlerName }
    public var transactionMode: TransactionMode { .none }

    public func handle(_ message: Message, context: HandlerContext) async throws -> HandlerOutcome {
        let task = try S3ObjectTask(message: message)
        let s3 = try client()
        var keys = [task.key]
        if let raw = task.rawKey, raw != task.key { keys.append(raw) }
        for key in keys {
            do {
                let (digest, bytes) = try await fetch(s3, bucket: task.bucket, key: key, versionId: task.versionId)
                // Written by hand: JSONSerialization would cost more than the rest of the handler.
                return .success(
                    result: PostgresJSON(
                        text: #"{"sha256":""# + digest + #"","bytes":"# + String(bytes) + #","key":"#
                            + JSONString.quoted(key) + "}"))
            } catch let error as AWSError where error.isNotFound {
                continue
            } catch let error as AWSError {
                throw error.isRetryable
                    ? RetryableError(error.description, delay: error.retryAfter) : PermanentError(error.description)
            }
        }
        context.logger.warning("object not found; skipped", metadata: ["s3.bucket": "\(task.bucket)", "s3.key": "\(task.key)"])
        return .success(result: PostgresJSON(text: #"{"skipped":"object not found","key":"# + JSONString.quoted(task.key) + "}"))
    }

    private func fetch(_ s3: S3Client, bucket: String, key: String, versionId: String?) async throws -> (String, Int) {
        let object = try await s3.getObject(bucket: bucket, key: key, versionId: versionId)
        let hasher = SHA256()
        var bytes = 0
        for try await chunk in object.body {
            hasher.update(chunk)
            bytes += chunk.count
        }
        return (hasher.finalize().hexString, bytes)
    }
}
