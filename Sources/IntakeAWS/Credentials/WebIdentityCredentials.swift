import Foundation

/// The second source (EKS IAM Roles for Service Accounts): `AWS_WEB_IDENTITY_TOKEN_FILE` +
/// `AWS_ROLE_ARN` (+ `AWS_ROLE_SESSION_NAME`) exchanged at STS `AssumeRoleWithWebIdentity`.
/// The token file is read again at every refresh: the kubelet rotates it.
public struct WebIdentityCredentialProvider: CredentialProvider {
    public let name = "web-identity"
    public let roleARN: String
    public let tokenFile: String
    public let sessionName: String
    let sts: STSClient

    public init(roleARN: String, tokenFile: String, sessionName: String? = nil, sts: STSClient) {
        self.roleARN = roleARN
        self.tokenFile = tokenFile
        self.sessionName = sessionName ?? Self.defaultSessionName()
        self.sts = sts
    }

    public var detail: String { "role \(roleARN), token file \(tokenFile)" }

    /// nil when `AWS_WEB_IDENTITY_TOKEN_FILE` is unset.
    static func provider(_ environment: CredentialEnvironment, sts: STSClient) throws -> WebIdentityCredentialProvider?
    {
        guard let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"] else { return nil }
        guard let roleARN = environment["AWS_ROLE_ARN"] else {
            throw AWSConfigurationError(
                "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: set both (EKS IRSA sets both)")
        }
        return WebIdentityCredentialProvider(
            roleARN: roleARN, tokenFile: tokenFile, sessionName: environment["AWS_ROLE_SESSION_NAME"], sts: sts)
    }

    /// Role session names allow `[\w+=,.@-]{2,64}`; this one says who and when.
    static func defaultSessionName() -> String { "intake-\(Int(Date().timeIntervalSince1970 * 1000))" }

    public func credentials() async throws -> AWSCredentials {
        let token: String
        do {
            token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(
                in: .whitespacesAndNewlines)
        } catch {
            throw CredentialError(
                source: name,
                "cannot read the token file \(tokenFile) (AWS_WEB_IDENTITY_TOKEN_FILE): \(error.localizedDescription)")
        }
        guard !token.isEmpty else {
            throw CredentialError(source: name, "the token file \(tokenFile) (AWS_WEB_IDENTITY_TOKEN_FILE) is empty")
        }
        do {
            return try await sts.assumeRoleWithWebIdentity(roleARN: roleARN, sessionName: sessionName, token: token)
        } catch {
            throw CredentialError(
                source: name, "STS AssumeRoleWithWebIdentity for \(roleARN) at \(sts.endpoint) failed: \(error)")
        }
    }
}
