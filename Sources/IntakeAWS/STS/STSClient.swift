import IntakeSupport
import Foundation
import Logging

/// Who the credentials belong to, as STS `GetCallerIdentity` says.
public struct STSCallerIdentity: Sendable, Equatable {
    public var account: String
    public var arn: String
    public var userID: String
}

/// AWS STS over its query protocol (form-encoded POST, XML answers): the calls the credential
/// sources and `intakectl aws whoami` need.
public struct STSClient: Sendable {
    public let endpoint: AWSEndpoint
    let http: CurlHTTPClient
    let region: String
    let retry: RetryPolicy
    let logger: Logger

    /// - Parameter retry: the credential sources pass `.none`: `RefreshingCredentialProvider`
    ///   retries them with its own backoff.
    public init(
        endpoint: AWSEndpoint, region: String, http: CurlHTTPClient, retry: RetryPolicy = .awsDefault,
        logger: Logger = Logger(label: "intake.sts")
    ) {
        self.endpoint = endpoint
        self.region = region
        self.http = http
        self.retry = retry
        self.logger = logger
    }

    public init(
        configuration: AWSConfiguration, http: CurlHTTPClient, retry: RetryPolicy = .awsDefault,
        logger: Logger = Logger(label: "intake.sts")
    ) throws {
        self.init(
            endpoint: try configuration.resolvedEndpoint(for: "sts"), region: configuration.region, http: http,
            retry: retry,
            logger: logger)
    }

    /// Unsigned: the web identity token is the proof (docs/DEPLOYMENT.md, "AWS credentials").
    public func assumeRoleWithWebIdentity(roleARN: String, sessionName: String, token: String) async throws
        -> AWSCredentials
    {
        let answer = try await call(
            "AssumeRoleWithWebIdentity",
            [("RoleArn", roleARN), ("RoleSessionName", sessionName), ("WebIdentityToken", token)], signedWith: nil)
        return try Self.credentials(in: answer, action: "AssumeRoleWithWebIdentity")
    }

    /// Signed with `source`'s credentials (a profile's `source_profile`).
    public func assumeRole(
        roleARN: String, sessionName: String, externalID: String? = nil, durationSeconds: Int? = nil,
        signedWith source: any CredentialProvider
    ) async throws -> AWSCredentials {
        var parameters = [("RoleArn", roleARN), ("RoleSessionName", sessionName)]
        if let externalID { parameters.append(("ExternalId", externalID)) }
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        let answer = try await call("AssumeRole", parameters, signedWith: source)
        return try Self.credentials(in: answer, action: "AssumeRole")
    }

    public func getCallerIdentity(signedWith credentials: any CredentialProvider) async throws -> STSCallerIdentity {
        let answer = try await call("GetCallerIdentity", [], signedWith: credentials)
        guard let account = XMLText.firstElement("Account", in: answer),
            let arn = XMLText.firstElement("Arn", in: answer)
        else {
            throw AWSError(
                kind: .invalidResponse, message: "GetCallerIdentity answered without Account or Arn",
                operation: "STS.GetCallerIdentity")
        }
        return STSCallerIdentity(account: account, arn: arn, userID: XMLText.firstElement("UserId", in: answer) ?? "")
    }

    private func call(
        _ action: String, _ parameters: [(String, String)], signedWith credentials: (any CredentialProvider)?
    ) async throws -> String {
        var body = "Action=\(action)&Version=2011-06-15"
        for (name, value) in parameters { body += "&" + name + "=" + AWSURIEncoding.encode(value) }
        let sender = AWSRequestSender(
            http: http, credentials: credentials, region: region, service: "sts", retry: retry, logger: logger)
        let response = try await sender.send(
            AWSRequestSender.Request(
                operation: "STS.\(action)", method: "POST", endpoint: endpoint, path: "/",
                headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"], body: Array(body.utf8),
                timeout: .seconds(15)))
        return String(decoding: response.body, as: UTF8.self)
    }

    /// The `<Credentials>` of an assume-role answer. Errors never quote the answer: it holds
    /// the secret.
    static func credentials(in answer: String, action: String) throws -> AWSCredentials {
        guard let found = XMLText.elements("Credentials", in: answer).first else {
            throw AWSError(
                kind: .invalidResponse, message: "\(action) answered without credentials", operation: "STS.\(action)")
        }
        let block = String(found)
        guard let accessKey = XMLText.firstElement("AccessKeyId", in: block),
            let secret = XMLText.firstElement("SecretAccessKey", in: block), !accessKey.isEmpty, !secret.isEmpty
        else {
            throw AWSError(
                kind: .invalidResponse, message: "\(action) answered without credentials", operation: "STS.\(action)")
        }
        let expiration = XMLText.firstElement("Expiration", in: block)
        return AWSCredentials(
            accessKeyID: accessKey, secretAccessKey: secret,
            sessionToken: XMLText.firstElement("SessionToken", in: block),
            expiration: expiration.flatMap(AWSTimestamp.parse))
    }
}
