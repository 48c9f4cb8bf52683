import Foundation

/// A profile's role, assumed at STS `AssumeRole` with the credentials of its
/// `source_profile` (or `credential_source`), signed.
public struct AssumeRoleCredentialProvider: CredentialProvider {
    public let name = "profile"
    public let profile: String
    public let roleARN: String
    let sessionName: String
    let externalID: String?
    let durationSeconds: Int?
    let source: any CredentialProvider
    let sts: STSClient

    public var detail: String {
        "profile \(profile): role \(roleARN) with the credentials of \(source.name) (\(source.detail))"
    }

    public func credentials() async throws -> AWSCredentials {
        do {
            return try await sts.assumeRole(
                roleARN: roleARN, sessionName: sessionName, externalID: externalID, durationSeconds: durationSeconds,
                signedWith: source)
        } catch {
            throw CredentialError(
                source: name, "profile \(profile): STS AssumeRole for \(roleARN) at \(sts.endpoint) failed: \(error)")
        }
    }
}

/// The fourth source: the selected profile of the shared files (`SharedConfigFiles`). Its
/// static keys, or its `role_arn` assumed with `source_profile` (followed to any depth),
/// `credential_source` (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`) or
/// `web_identity_token_file`. SSO and `credential_process` profiles are refused by name.
struct ProfileCredentials {
    let files: SharedConfigFiles
    let environment: CredentialEnvironment
    let sts: STSClient
    let http: CurlHTTPClient
    let containerBase: String

    /// nil when the default profile is absent or holds no credentials (the chain goes on).
    func provider() throws -> (any CredentialProvider)? {
        let name = files.selectedProfile
        guard files.profile(name) != nil else {
            if files.profileWasNamed {
                throw AWSConfigurationError(
                    "AWS_PROFILE names profile \"\(name)\", which is in neither \(files.credentialsPath) nor \(files.configPath)"
                )
            }
            return nil
        }
        let provider = try resolve(name, visited: [])
        if provider == nil && files.profileWasNamed {
            throw AWSConfigurationError("profile \"\(name)\" (AWS_PROFILE) has no credentials and no role_arn")
        }
        return provider
    }

    private func resolve(_ name: String, visited: [String]) throws -> (any CredentialProvider)? {
        guard let profile = files.profile(name) else {
            throw AWSConfigurationError(
                "profile \"\(visited.last ?? name)\" names source_profile \"\(name)\", which is in neither \(files.credentialsPath) nor \(files.configPath)"
            )
        }
        func value(_ key: String) -> String? { profile[key].flatMap { $0.isEmpty ? nil : $0 } }
        let keys = try staticKeys(name, value)
        guard let roleARN = value("role_arn") else {
            if keys == nil,
                let unsupported = ["sso_session", "sso_start_url", "credential_process"].first(where: {
                    value($0) != nil
                })
            {
                throw AWSConfigurationError(
                    "profile \"\(name)\" uses \(unsupported), which Intake does not support: use keys, role_arn or web identity"
                )
            }
            return keys
        }
        guard !visited.contains(name) else {
            throw AWSConfigurationError(
                "profiles \((visited + [name]).joined(separator: " → ")) name each other as source_profile")
        }
        let source: any CredentialProvider
        if let sourceName = value("source_profile") {
            // A profile that is its own source uses its keys to assume its role, as in the CLI.
            if sourceName == name, let keys {
                source = keys
            } else if let resolved = try resolve(sourceName, visited: visited + [name]) {
                source = resolved
            } else {
                throw AWSConfigurationError("profile \"\(name)\": source_profile \"\(sourceName)\" has no credentials")
            }
        } else if let credentialSource = value("credential_source") {
            source = try self.credentialSource(credentialSource, profile: name)
        } else if let tokenFile = value("web_identity_token_file") {
            return WebIdentityCredentialProvider(
                roleARN: roleARN, tokenFile: tokenFile, sessionName: value("role_session_name"), sts: sts)
        } else {
            throw AWSConfigurationError(
                "profile \"\(name)\" has role_arn but none of source_profile, credential_source, web_identity_token_file"
            )
        }
        var duration: Int? = nil
        if let text = value("duration_seconds") {
            guard let seconds = Int(text), seconds >= 900 else {
                throw AWSConfigurationError(
                    "profile \"\(name)\": duration_seconds must be a number of seconds ≥ 900, got \"\(text)\"")
            }
            duration = seconds
        }
        return AssumeRoleCredentialProvider(
            profile: name, roleARN: roleARN,
            sessionName: value("role_session_name") ?? WebIdentityCredentialProvider.defaultSessionName(),
            externalID: value("external_id"), durationSeconds: duration, source: source, sts: sts)
    }

    private func staticKeys(_ name: String, _ value: (String) -> String?) throws -> StaticCredentialProvider? {
        switch (value("aws_access_key_id"), value("aws_secret_access_key")) {
        case (nil, nil): return nil
        case (let accessKey?, let secret?):
            return StaticCredentialProvider(
                AWSCredentials(
                    accessKeyID: accessKey, secretAccessKey: secret, sessionToken: value("aws_session_token")),
                name: "profile", detail: "profile \(name) (\(files.location(of: name)))")
        default:
            throw AWSConfigurationError(
                "profile \"\(name)\" in \(files.location(of: name)) needs both aws_access_key_id and aws_secret_access_key"
            )
        }
    }

    private func credentialSource(_ kind: String, profile: String) throws -> any CredentialProvider {
        let provider: (any CredentialProvider)?
        switch kind {
        case "Environment": provider = try EnvironmentCredentials.provider(environment)
        case "Ec2InstanceMetadata": provider = try InstanceMetadataCredentialProvider.provider(environment, http: http)
        case "EcsContainer":
            provider = try ContainerCredentialProvider.provider(environment, http: http, relativeBase: containerBase)
        default:
            throw AWSConfigurationError(
                "profile \"\(profile)\": credential_source must be Environment, Ec2InstanceMetadata or EcsContainer, got \"\(kind)\""
            )
        }
        guard let provider else {
            throw AWSConfigurationError("profile \"\(profile)\": credential_source \(kind) has no credentials to offer")
        }
        return provider
    }
}
