import Foundation

/// The third source (ECS tasks, EKS Pod Identity): `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`
/// (against 169.254.170.2), else `AWS_CONTAINER_CREDENTIALS_FULL_URI` with the token from
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read again at every refresh) or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
public struct ContainerCredentialProvider: CredentialProvider {
    public let name = "container"
    public let url: String
    let token: String?
    let tokenFile: String?
    let http: CurlHTTPClient

    /// The ECS agent's address for relative URIs.
    public static let ecsHost = "http://169.254.170.2"
    /// Hosts a full URI may name over plain http, as the SDKs allow: loopback, the ECS agent,
    /// the EKS Pod Identity agent. Anything else must be https.
    static let plainHTTPHosts: Set<String> = ["localhost", "169.254.170.2", "169.254.170.23", "fd00:ec2::23", "::1"]

    public var detail: String { url }

    /// nil when neither URI variable is set. `relativeBase` replaces 169.254.170.2 in tests.
    static func provider(
        _ environment: CredentialEnvironment, http: CurlHTTPClient, relativeBase: String = ecsHost
    ) throws -> ContainerCredentialProvider? {
        let url: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            url = relativeBase + (relative.hasPrefix("/") ? relative : "/" + relative)
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            guard let components = URLComponents(string: full), let scheme = components.scheme?.lowercased(),
                let host = components.host?.lowercased()
            else {
                throw AWSConfigurationError("AWS_CONTAINER_CREDENTIALS_FULL_URI '\(full)' is not a URL")
            }
            let allowed =
                scheme == "https"
                || (scheme == "http"
                    && (plainHTTPHosts.contains(host.trimmingCharacters(in: ["[", "]"])) || host.hasPrefix("127.")))
            guard allowed else {
                throw AWSConfigurationError(
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI '\(full)' must be https, or http to a loopback address, 169.254.170.2 or 169.254.170.23"
                )
            }
            url = full
        } else {
            return nil
        }
        return ContainerCredentialProvider(
            url: url, token: environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"],
            tokenFile: environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], http: http)
    }

    init(url: String, token: String?, tokenFile: String?, http: CurlHTTPClient) {
        self.url = url
        self.token = token
        self.tokenFile = tokenFile
        self.http = http
    }

    /// The token file wins over the token, as in the SDKs.
    func authorization() throws -> String? {
        var value = token
        if let tokenFile {
            do {
                value = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(
                    in: .whitespacesAndNewlines)
            } catch {
                throw CredentialError(
                    source: name,
                    "cannot read \(tokenFile) (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE): \(error.localizedDescription)")
            }
        }
        if let value, value.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw CredentialError(source: name, "the authorization token contains a line break")
        }
        return value
    }

    public func credentials() async throws -> AWSCredentials {
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if let authorization = try authorization() { headers.add("Authorization", authorization) }
        let response: HTTPResponse
        do {
            response = try await http.execute(
                HTTPRequest(method: "GET", url: url, headers: headers, timeout: .seconds(5)))
        } catch {
            throw CredentialError(source: name, "GET \(url) failed: \(error)")
        }
        guard response.status == 200 else {
            let error = AWSErrorParser.error(from: response, operation: "GET \(url)")
            throw CredentialError(source: name, "\(error)")
        }
        return try CredentialsDocument.parse(response.body, source: name)
    }
}
