import Foundation
import IntakeAWS
import IntakeCore

/// The S3 calls an import makes, with SPEC §4's rules: a key that is not found is tried once
/// more as the event gave it (`rawKey`) when that differs, and an object that is gone is
/// reported as nil (a `skipped` import), never as an error to retry.
struct S3ObjectAccess: Sendable {
    let s3: S3Client
    let bucket: String

    /// The object's current identity, from a HEAD: which key answered (the decoded key or the
    /// raw one), its version or ETag and its size. Nil when neither key exists.
    func head(key: String, rawKey: String?, versionId: String?) async throws -> (key: String, head: S3ObjectHead)? {
        for candidate in Self.candidates(key: key, rawKey: rawKey) {
            do {
                return (candidate, try await s3.headObject(bucket: bucket, key: candidate, versionId: versionId))
            } catch let error as AWSError where error.isNotFound {
                continue
            } catch let error as AWSError {
                throw Self.classified(error)
            }
        }
        return nil
    }

    /// Opens the object's body (from `fromByte` when resuming); nil when it is gone.
    func open(key: String, rawKey: String?, versionId: String?, fromByte: Int64, lastByte: Int64? = nil) async throws
        -> (key: String, response: S3GetObjectResponse)?
    {
        let range: S3ByteRange? = fromByte > 0 || lastByte != nil ? .bytes(first: fromByte, last: lastByte) : nil
        for candidate in Self.candidates(key: key, rawKey: rawKey) {
            do {
                let response = try await s3.getObject(bucket: bucket, key: candidate, range: range, versionId: versionId)
                return (candidate, response)
            } catch let error as AWSError where error.isNotFound {
                continue
            } catch let error as AWSError {
                throw Self.classified(error)
            }
        }
        return nil
    }

    /// SPEC §5 `archive_prefix`: copy to `prefix + key`, then delete the original. Both steps
    /// are idempotent, so a retry after a failure between them is harmless.
    func archive(key: String, versionId: String?, prefix: String) async throws -> String {
        let destination = prefix + key
        do {
            try await s3.copyObject(
                sourceBucket: bucket, sourceKey: key, destinationBucket: bucket, destinationKey: destination,
                sourceVersionId: versionId)
            try await s3.deleteObject(bucket: bucket, key: key)
        } catch let error as AWSError where error.isNotFound {
            // The original is gone already: archived by an earlier attempt, or deleted by its owner.
            return destination
        } catch let error as AWSError {
            throw Self.classified(error)
        }
        return destination
    }

    static func candidates(key: String, rawKey: String?) -> [String] {
        guard let rawKey, rawKey != key, !rawKey.isEmpty else { return [key] }
        return [key, rawKey]
    }

    /// AWS failures as the runtime classifies them: throttling, 5xx and network trouble are
    /// retried (honouring Retry-After), the rest (access denied, bad request) is permanent.
    static func classified(_ error: AWSError) -> any Error {
        if error.isRetryable { return RetryableError(error.description, delay: error.retryAfter) }
        return PermanentError(error.description)
    }
}
