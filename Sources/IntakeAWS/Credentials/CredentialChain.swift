import Foundation
import Logging

/// Finds credentials as the AWS SDKs do, trying each source only when the ones before it have
/// nothing:
///
/// 1. environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`);
/// 2. web identity (`AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN`, EKS IRSA);
/// 3. container (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` / `_FULL_URI`, ECS and EKS Pod Identity);
/// 4. the shared files' profile (`AWS_PROFILE`, `~/.aws/credentials`, `~/.aws/config`);
/// 5. EC2 instance metadata, IMDSv2 (unless `AWS_EC2_METADATA_DISABLED=true`).
///
/// The choice is made from configuration alone, at start-up: a source that is configured but
/// fails (an unreadable token file, STS refusing the role) reports its error rather than
/// passing silently to the next. The chosen source sits behind a `RefreshingCredentialProvider`.
/// docs/DEPLOYMENT.md ("AWS credentials") describes the same order for operators.
public struct CredentialChain: Sendable {
    public struct Settings: Sendable {
        public var environment: [String: String]
        /// For STS (web identity, `AssumeRole`), the container endpoint and IMDS. Its own small
        /// client: a credential fetch never queues behind long polls and downloads.
        public var http: CurlHTTPClient
        public var logger: Logger
        /// 169.254.170.2, the base of `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`; tests point
        /// it at a server of their own.
        public var containerBase: String

        public init(
            environment: [String: String], http: CurlHTTPClient? = nil,
            logger: Logger = Logger(label: "intake.aws.credentials"),
            containerBase: String = ContainerCredentialProvider.ecsHost
        ) {
            self.environment = environment
            self.http =
                http ?? CurlHTTPClient(configuration: .init(maxConcurrentTransfers: 2, connectTimeout: .seconds(2)))
            self.logger = logger
            self.containerBase = containerBase
        }
    }

    public let settings: Settings
    let environment: CredentialEnvironment
    let files: SharedConfigFiles

    public init(_ settings: Settings) throws {
        self.settings = settings
        self.environment = CredentialEnvironment(values: settings.environment)
        self.files = try SharedConfigFiles.load(environment)
    }

    /// The selected profile's `region` (the last place the region comes from).
    public var profileRegion: String? { files.region }

    /// The first configured source, behind a refreshing cache. `sts` is the STS endpoint and
    /// region that web identity and assumed roles use. Throws when a source is configured
    /// wrongly, or when none is and IMDS is disabled.
    public func provider(sts: STSClient) throws -> RefreshingCredentialProvider {
        RefreshingCredentialProvider(source: try source(sts: sts), logger: settings.logger)
    }

    /// The first configured source itself, without the cache (for callers that want their own
    /// `RefreshingCredentialProvider` timing).
    public func source(sts: STSClient) throws -> any CredentialProvider {
        if let environment = try EnvironmentCredentials.provider(environment) { return environment }
        if let webIdentity = try WebIdentityCredentialProvider.provider(environment, sts: sts) { return webIdentity }
        if let container = try ContainerCredentialProvider.provider(
            environment, http: settings.http, relativeBase: settings.containerBase)
        {
            return container
        }
        let profiles = ProfileCredentials(
            files: files, environment: environment, sts: sts, http: settings.http, containerBase: settings.containerBase
        )
        if let profile = try profiles.provider() { return profile }
        let sources =
            "AWS_ACCESS_KEY_ID, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_CONTAINER_CREDENTIALS_*_URI, profile \"\(files.selectedProfile)\" in \(files.credentialsPath) or \(files.configPath)"
        if let imds = try InstanceMetadataCredentialProvider.provider(
            environment, http: settings.http,
            fallbackNote: "instance metadata was tried because no other source is configured (\(sources))")
        {
            return imds
        }
        throw AWSConfigurationError(
            "no AWS credentials: no source is configured (\(sources)), and AWS_EC2_METADATA_DISABLED=true turns off instance metadata"
        )
    }
}
