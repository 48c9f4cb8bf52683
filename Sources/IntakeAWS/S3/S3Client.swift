import Foundation
import IntakeCrypto
import IntakeSupport
import Logging

/// Amazon S3 (REST-XML). Keys are given decoded and percent-encoded once per path segment.
public struct S3Client: Sendable {
    let sender: AWSRequestSender
    public let endpoint: AWSEndpoint
    public let pathStyle: Bool
    public let region: String

    public init(
        configuration: AWSConfiguration, http: CurlHTTPClient, retry: RetryPolicy = .awsDefault,
        logger: Logger = Logger(label: "intake.s3")
    ) throws {
        self.endpoint = try configuration.resolvedEndpoint(for: "s3")
        self.pathStyle = configuration.s3PathStyle
        self.region = configuration.region
        self.sender = AWSRequestSender(
            http: http, credentials: configuration.credentialProvider, region: configuration.region, service: "s3",
            retry: retry, logger: logger)
    }

    /// Endpoint and encoded path for a bucket and optional key. Buckets with dots stay path
    /// style: their virtual host name would not match the TLS certificate.
    func location(bucket: String, key: String? = nil) -> (endpoint: AWSEndpoint, path: String) {
        let encodedKey = key.map { AWSURIEncoding.encode($0, keepSlash: true) }
        if pathStyle || bucket.contains(".") {
            return (endpoint, "/" + AWSURIEncoding.encode(bucket) + (encodedKey.map { "/" + $0 } ?? ""))
        }
        var virtual = endpoint
        virtual.host = bucket + "." + endpoint.host
        return (virtual, "/" + (encodedKey ?? ""))
    }

    func request(
        _ operation: String, _ method: String, bucket: String, key: String? = nil, query: [(name: String, value: String)] = [],
        headers: HTTPHeaders = [:], body: [UInt8]? = nil
    ) -> AWSRequestSender.Request {
        let (endpoint, path) = location(bucket: bucket, key: key)
        return AWSRequestSender.Request(
            operation: "S3.\(operation)", method: method, endpoint: endpoint, path: path, query: query, headers: headers,
            body: body)
    }

    /// Streams an object. A missing bucket, key or version throws `AWSError` with
    /// `isNotFound` (kind `.notFound`), which is not retryable.
    /// - Parameter bufferBytes: how much of the body may wait in memory for the reader.
    public func getObject(
        bucket: String, key: String, range: S3ByteRange? = nil, versionId: String? = nil, bufferBytes: Int? = nil
    ) async throws -> S3GetObjectResponse {
        var headers: HTTPHeaders = [:]
        if let range { headers.add("Range", range.headerValue) }
        let query = versionId.map { [(name: "versionId", value: $0)] } ?? []
        let response = try await sender.stream(
            request("GetObject", "GET", bucket: bucket, key: key, query: query, headers: headers), bufferBytes: bufferBytes)
        let h = response.headers
        return S3GetObjectResponse(
            status: response.status, eTag: h["ETag"], contentLength: h["Content-Length"].flatMap { Int64($0) },
            contentRange: h["Content-Range"], versionId: h["x-amz-version-id"], contentType: h["Content-Type"],
            lastModified: h["Last-Modified"], headers: h, body: response.body)
    }

    public func headObject(bucket: String, key: String, versionId: String? = nil) async throws -> S3ObjectHead {
        let query = versionId.map { [(name: "versionId", value: $0)] } ?? []
        let h = try await sender.send(request("HeadObject", "HEAD", bucket: bucket, key: key, query: query)).headers
        var metadata: [String: String] = [:]
        for (name, value) in h where name.lowercased().hasPrefix("x-amz-meta-") {
            metadata[String(name.lowercased().dropFirst("x-amz-meta-".count))] = value
        }
        return S3ObjectHead(
            eTag: h["ETag"], contentLength: h["Content-Length"].flatMap { Int64($0) }, versionId: h["x-amz-version-id"],
            contentType: h["Content-Type"], lastModified: h["Last-Modified"], metadata: metadata)
    }

    @discardableResult
    public func putObject(
        bucket: String, key: String, body: [UInt8], contentType: String = "application/octet-stream",
        metadata: [String: String] = [:]
    ) async throws -> S3PutObjectResult {
        var headers: HTTPHeaders = ["Content-Type": contentType]
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) { headers.add("x-amz-meta-\(name)", value) }
        let h = try await sender.send(request("PutObject", "PUT", bucket: bucket, key: key, headers: headers, body: body)).headers
        return S3PutObjectResult(eTag: h["ETag"], versionId: h["x-amz-version-id"])
    }

    /// Server-side copy; returns the new object's ETag.
    @discardableResult
    public func copyObject(
        sourceBucket: String, sourceKey: String, destinationBucket: String, destinationKey: String,
        sourceVersionId: String? = nil
    ) async throws -> String? {
        var source = "/" + AWSURIEncoding.encode(sourceBucket) + "/" + AWSURIEncoding.encode(sourceKey, keepSlash: true)
        if let sourceVersionId { source += "?versionId=" + AWSURIEncoding.encode(sourceVersionId) }
        let response = try await sender.send(
            request("CopyObject", "PUT", bucket: destinationBucket, key: destinationKey, headers: ["x-amz-copy-source": source]))
        let text = String(decoding: response.body, as: UTF8.self)
        // S3 can answer 200 and still report a failure in the body.
        if text.contains("<Error>") {
            throw AWSErrorParser.error(
                from: HTTPResponse(status: 500, headers: response.headers, body: response.body), operation: "S3.CopyObject")
        }
        return XMLText.firstElement("ETag", in: text)
    }

    /// Deleting a key that does not exist succeeds, as in S3.
    public func deleteObject(bucket: String, key: String, versionId: String? = nil) async throws {
        let query = versionId.map { [(name: "versionId", value: $0)] } ?? []
        _ = try await sender.send(request("DeleteObject", "DELETE", bucket: bucket, key: key, query: query))
    }

    public func listObjectsV2(
        bucket: String, prefix: String? = nil, delimiter: String? = nil, continuationToken: String? = nil,
        maxKeys: Int? = nil
    ) async throws -> S3ListObjectsResult {
        var query: [(name: String, value: String)] = [("list-type", "2")]
        if let prefix { query.append(("prefix", prefix)) }
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        if let maxKeys { query.append(("max-keys", String(maxKeys))) }
        let response = try await sender.send(request("ListObjectsV2", "GET", bucket: bucket, query: query))
        let text = String(decoding: response.body, as: UTF8.self)
        let objects = XMLText.elements("Contents", in: text).map { entry in
            S3ObjectSummary(
                key: XMLText.firstElement("Key", in: String(entry)) ?? "",
                size: Int64(XMLText.firstElement("Size", in: String(entry)) ?? "") ?? 0,
                eTag: XMLText.firstElement("ETag", in: String(entry)),
                lastModified: XMLText.firstElement("LastModified", in: String(entry)))
        }
        let prefixes = XMLText.elements("CommonPrefixes", in: text).compactMap {
            XMLText.firstElement("Prefix", in: String($0))
        }
        return S3ListObjectsResult(
            objects: objects, commonPrefixes: prefixes, isTruncated: XMLText.firstElement("IsTruncated", in: text) == "true",
            nextContinuationToken: XMLText.firstElement("NextContinuationToken", in: text))
    }

    /// Creates the bucket in the client's region. An existing bucket you own is not an error.
    public func createBucket(bucket: String) async throws {
        var body: [UInt8]? = nil
        if region != "us-east-1" {
            body = Array(
                ("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>"
                    + XMLText.escape(region) + "</LocationConstraint></CreateBucketConfiguration>").utf8)
        }
        do {
            _ = try await sender.send(request("CreateBucket", "PUT", bucket: bucket, body: body))
        } catch let error as AWSError where error.code == "BucketAlreadyOwnedByYou" {
            return
        }
    }

    public func deleteBucket(bucket: String) async throws {
        _ = try await sender.send(request("DeleteBucket", "DELETE", bucket: bucket))
    }

    /// Replaces the bucket's notification configuration with these queue targets.
    public func putBucketNotificationConfiguration(bucket: String, queues: [S3QueueNotification]) async throws {
        var xml = "<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for queue in queues {
            xml += "<QueueConfiguration>"
            if let id = queue.id { xml += "<Id>\(XMLText.escape(id))</Id>" }
            xml += "<Queue>\(XMLText.escape(queue.queueARN))</Queue>"
            for event in queue.events { xml += "<Event>\(XMLText.escape(event))</Event>" }
            if queue.prefix != nil || queue.suffix != nil {
                xml += "<Filter><S3Key>"
                if let prefix = queue.prefix {
                    xml += "<FilterRule><Name>prefix</Name><Value>\(XMLText.escape(prefix))</Value></FilterRule>"
                }
                if let suffix = queue.suffix {
                    xml += "<FilterRule><Name>suffix</Name><Value>\(XMLText.escape(suffix))</Value></FilterRule>"
                }
                xml += "</S3Key></Filter>"
            }
            xml += "</QueueConfiguration>"
        }
        xml += "</NotificationConfiguration>"
        _ = try await sender.send(
            request(
                "PutBucketNotificationConfiguration", "PUT", bucket: bucket, query: [("notification", "")],
                headers: ["Content-Type": "application/xml"], body: Array(xml.utf8)))
    }
}
