import Foundation

/// The last source: the EC2 instance profile's role through the instance metadata service,
/// IMDSv2 only (a session token from `PUT /latest/api/token` on every request; no fallback to
/// the tokenless v1). Off when `AWS_EC2_METADATA_DISABLED=true`; the address comes from
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`
/// (`IPv4`, `IPv6`).
public struct InstanceMetadataCredentialProvider: CredentialProvider {
    public let name = "imds"
    public let endpoint: String
    let http: CurlHTTPClient
    /// Said in errors when no other source was configured, so "not on EC2" reads as the
    /// whole story.
    let fallbackNote: String?

    public var detail: String { endpoint }

    static let tokenTTLSeconds = 21_600
    static let timeout = Duration.seconds(3)

    /// nil when IMDS is disabled.
    static func provider(
        _ environment: CredentialEnvironment, http: CurlHTTPClient, fallbackNote: String? = nil
    ) throws -> InstanceMetadataCredentialProvider? {
        if environment.isTrue("AWS_EC2_METADATA_DISABLED") { return nil }
        var endpoint = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"]
        if endpoint == nil {
            endpoint =
                environment["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"]?.lowercased() == "ipv6"
                ? "http://[fd00:ec2::254]" : "http://169.254.169.254"
        }
        guard let endpoint, (try? AWSEndpoint(url: endpoint)) != nil else {
            throw AWSConfigurationError("AWS_EC2_METADATA_SERVICE_ENDPOINT '\(endpoint ?? "")' is not an http(s) URL")
        }
        return InstanceMetadataCredentialProvider(
            endpoint: endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint, http: http,
            fallbackNote: fallbackNote)
    }

    public func credentials() async throws -> AWSCredentials {
        let token = try await fetch(
            "PUT", "/latest/api/token", headers: ["X-aws-ec2-metadata-token-ttl-seconds": String(Self.tokenTTLSeconds)],
            what: "the IMDSv2 session token")
        let session: HTTPHeaders = ["X-aws-ec2-metadata-token": String(decoding: token, as: UTF8.self)]
        let path = "/latest/meta-data/iam/security-credentials/"
        let roles = String(
            decoding: try await fetch("GET", path, headers: session, what: "the instance's IAM role"), as: UTF8.self)
        guard let role = roles.split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty else {
            throw failure("the instance has no IAM role (attach an instance profile)")
        }
        let document = try await fetch(
            "GET", path + AWSURIEncoding.encode(role), headers: session, what: "the credentials of role \(role)")
        return try CredentialsDocument.parse(document, source: name)
    }

    private func fetch(_ method: String, _ path: String, headers: HTTPHeaders, what: String) async throws -> [UInt8] {
        let response: HTTPResponse
        do {
            response = try await http.execute(
                HTTPRequest(method: method, url: endpoint + path, headers: headers, timeout: Self.timeout))
        } catch {
            throw failure("\(method) \(endpoint)\(path) for \(what) failed: \(error)")
        }
        switch response.status {
        case 200: return response.body
        case 404 where path.hasSuffix("/security-credentials/"):
            throw failure("the instance has no IAM role (attach an instance profile)")
        default:
            throw failure("\(method) \(endpoint)\(path) for \(what) answered HTTP \(response.status)")
        }
    }

    private func failure(_ message: String) -> CredentialError {
        CredentialError(source: name, message + (fallbackNote.map { "; \($0)" } ?? ""))
    }
}
