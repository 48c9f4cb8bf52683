import Foundation
import Testing

@testable import IntakeAWS

/// Which source the chain picks from configuration alone (no network): the order, the errors
/// for half-configured sources, and the profile files. The sources themselves are exercised
/// against real servers in IntegrationTests (AWSCredentialSourceTests).
@Suite("AWS credential chain")
struct CredentialChainTests {
    let directory: URL
    let sts = STSClient(
        endpoint: AWSEndpoint(scheme: "http", host: "127.0.0.1", port: 9), region: "us-east-1", http: CurlHTTPClient())

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-chain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// An environment with an empty HOME, so the machine's own ~/.aws never counts.
    func environment(_ values: [String: String] = [:]) -> [String: String] {
        ["HOME": directory.path].merging(values) { $1 }
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func source(_ values: [String: String]) throws -> any CredentialProvider {
        try CredentialChain(.init(environment: environment(values))).source(sts: sts)
    }

    @Test func eachSourceIsTriedOnlyWhenTheOnesBeforeItHaveNothing() throws {
        let credentials = try write(
            "credentials", "[default]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = profile-secret\n")
        var values = [
            "AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "env-secret",
            "AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/token", "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/irsa",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/creds",
            "AWS_SHARED_CREDENTIALS_FILE": credentials,
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:2",
        ]
        #expect(try source(values).name == "environment")
        values["AWS_ACCESS_KEY_ID"] = ""  // empty counts as unset, as in a manifest
        values["AWS_SECRET_ACCESS_KEY"] = nil
        #expect(try source(values).name == "web-identity")
        values["AWS_WEB_IDENTITY_TOKEN_FILE"] = nil
        #expect(try source(values).name == "container")
        values["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = nil
        let profile = try source(values)
        #expect(profile.name == "profile")
        #expect(profile.detail.contains("profile default"))
        values["AWS_SHARED_CREDENTIALS_FILE"] = nil
        let imds = try source(values)
        #expect(imds.name == "imds")
        #expect(imds.detail == "http://127.0.0.1:2")
        values["AWS_EC2_METADATA_DISABLED"] = "true"
        #expect {
            try source(values)
        } throws: { "\($0)".contains("no AWS credentials") && "\($0)".contains("AWS_EC2_METADATA_DISABLED") }
    }

    @Test func halfConfiguredSourcesNameWhatIsMissing() throws {
        #expect { try source(["AWS_ACCESS_KEY_ID": "AKIA"]) } throws: { "\($0)".contains("AWS_SECRET_ACCESS_KEY") }
        #expect { try source(["AWS_WEB_IDENTITY_TOKEN_FILE": "/t"]) } throws: { "\($0)".contains("AWS_ROLE_ARN") }
        #expect {
            try source(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://credentials.example.com/creds"])
        } throws: { "\($0)".contains("must be https") }
        #expect(
            try source(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "https://credentials.example.com/creds"]).name
                == "container")
        #expect(
            try source(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials"]).name
                == "container")
        let relative = try source(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"])
        #expect(relative.detail == "http://169.254.170.2/v2/credentials/abc")
        #expect { try source(["AWS_PROFILE": "nope"]) } throws: { "\($0)".contains("\"nope\"") }
    }

    @Test func profilesFollowSourceProfileAndRefuseWhatIsUnsupported() throws {
        let config = try write(
            "config",
            """
            # comment
            [default]
            region = eu-north-1

            [profile ops]
            role_arn = arn:aws:iam::123456789012:role/ops
            source_profile = base
            region = eu-central-1
            s3 =
              max_concurrent_requests = 4
            [profile loop-a]
            role_arn = arn:aws:iam::123456789012:role/a
            source_profile = loop-b
            [profile loop-b]
            role_arn = arn:aws:iam::123456789012:role/b
            source_profile = loop-a
            [profile sso]
            sso_session = corp
            [profile half]
            aws_access_key_id = AKIAHALF
            [not-a-profile]
            region = ap-south-1
            """)
        let credentials = try write(
            "credentials", "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n")
        let files = ["AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": credentials]
        let ops = try source(files.merging(["AWS_PROFILE": "ops"]) { $1 })
        let assume = try #require(ops as? AssumeRoleCredentialProvider)
        #expect(assume.roleARN == "arn:aws:iam::123456789012:role/ops")
        #expect(assume.source.name == "profile" && assume.source.detail.contains("profile base"))
        #expect(
            try CredentialChain(.init(environment: environment(files.merging(["AWS_PROFILE": "ops"]) { $1 })))
                .profileRegion == "eu-central-1")
        #expect(try CredentialChain(.init(environment: environment(files))).profileRegion == "eu-north-1")
        #expect { try source(files.merging(["AWS_PROFILE": "loop-a"]) { $1 }) } throws: {
            "\($0)".contains("name each other")
        }
        #expect { try source(files.merging(["AWS_PROFILE": "sso"]) { $1 }) } throws: { "\($0)".contains("sso_session") }
        #expect { try source(files.merging(["AWS_PROFILE": "half"]) { $1 }) } throws: {
            "\($0)".contains("aws_secret_access_key")
        }
        #expect { try source(files.merging(["AWS_PROFILE": "not-a-profile"]) { $1 }) } throws: {
            "\($0)".contains("neither")
        }
    }

    @Test func regionComesFromTheConfigThenTheEnvironmentThenTheProfile() throws {
        let config = try write("config", "[default]\nregion = eu-north-1\n")
        var values = environment(["AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "s", "AWS_CONFIG_FILE": config])
        #expect(try AWSConfiguration.fromEnvironment(values).region == "eu-north-1")
        values["AWS_DEFAULT_REGION"] = "us-west-1"
        #expect(try AWSConfiguration.fromEnvironment(values).region == "us-west-1")
        values["AWS_REGION"] = "us-west-2"
        #expect(try AWSConfiguration.fromEnvironment(values).region == "us-west-2")
        #expect(try AWSConfiguration.fromEnvironment(values, region: "ap-south-1").region == "ap-south-1")
    }

    @Test func stsEndpointFollowsTheSDKVariables() throws {
        var values = environment(["AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "s", "AWS_REGION": "eu-west-1"])
        #expect(
            try AWSConfiguration.fromEnvironment(values).resolvedEndpoint(for: "sts").description
                == "https://sts.eu-west-1.amazonaws.com/")
        values["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566"
        #expect(try AWSConfiguration.fromEnvironment(values).resolvedEndpoint(for: "sts").port == 4566)
        values["AWS_ENDPOINT_URL_STS"] = "http://127.0.0.1:4599"
        #expect(try AWSConfiguration.fromEnvironment(values).resolvedEndpoint(for: "sts").port == 4599)
        #expect(try AWSConfiguration.fromEnvironment(values).resolvedEndpoint(for: "sqs").port == 4566)
    }

    @Test func refreshStartsAheadOfExpiryAndNeverTooLate() {
        let now = Date()
        let hour = RefreshingCredentialProvider.held(
            AWSCredentials(accessKeyID: "A", secretAccessKey: "s", expiration: now.addingTimeInterval(3600)),
            fetchedAt: now,
            refreshAhead: 300, expiryMargin: 10)
        #expect(hour.refreshAt == now.addingTimeInterval(3300))
        #expect(hour.usableUntil == now.addingTimeInterval(3590))
        let short = RefreshingCredentialProvider.held(
            AWSCredentials(accessKeyID: "A", secretAccessKey: "s", expiration: now.addingTimeInterval(8)),
            fetchedAt: now,
            refreshAhead: 300, expiryMargin: 10)
        #expect(short.refreshAt == now.addingTimeInterval(4))
        #expect(short.usableUntil == now.addingTimeInterval(6))
        let forever = RefreshingCredentialProvider.held(
            AWSCredentials(accessKeyID: "A", secretAccessKey: "s"), fetchedAt: now, refreshAhead: 300, expiryMargin: 10)
        #expect(forever.refreshAt == nil && forever.usableUntil == nil)
    }

    @Test func credentialDocumentsAndTimestamps() throws {
        #expect(
            abs((AWSTimestamp.parse("2026-12-02T13:24:34.862597Z")?.timeIntervalSince1970 ?? 0) - 1_796_217_874.862597)
                < 0.001)
        #expect(AWSTimestamp.parse("2026-12-02T13:24:34Z") == Date(timeIntervalSince1970: 1_796_217_874))
        let document =
            #"{"Code":"Success","AccessKeyId":"ASIA1","SecretAccessKey":"top-secret","Token":"tok","Expiration":"2026-12-02T13:24:34Z"}"#
        let parsed = try CredentialsDocument.parse(Array(document.utf8), source: "imds")
        #expect(parsed.accessKeyID == "ASIA1" && parsed.sessionToken == "tok" && parsed.expiration != nil)
        #expect(!"\(parsed)".contains("top-secret") && !"\(parsed)".contains("tok\""))
        let broken = #"{"AccessKeyId":"ASIA1","SecretAccessKey":"top-secret","Expiration":"tomorrow"}"#
        #expect {
            try CredentialsDocument.parse(Array(broken.utf8), source: "container")
        } throws: { !"\($0)".contains("top-secret") && "\($0)".contains("Expiration") }
        #expect {
            try CredentialsDocument.parse(Array("not json top-secret".utf8), source: "container")
        } throws: { !"\($0)".contains("top-secret") }
    }
}
