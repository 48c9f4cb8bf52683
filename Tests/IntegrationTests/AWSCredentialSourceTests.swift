import Foundation
import IntakeAWS
import IntakeHTTP
import IntakeTestSupport
import NIOHTTP1
import Synchronization
import Testing

/// One test per credential source against a real server: moto's STS for web identity and a
/// profile's assumed role, servers of the test's own for the container endpoint, IMDSv2 and a
/// recording STS (to see which requests are signed).
@Suite("AWS credential sources")
struct AWSCredentialSourceTests {
    let scratch: CredentialScratch

    init() throws { scratch = try CredentialScratch() }

    func stsClient(_ configuration: AWSConfiguration) throws -> STSClient {
        try STSClient(configuration: configuration, http: MotoSTS.http)
    }

    @Test(.enabled(if: MotoSTS.available, MotoSTS.skipReason))
    func webIdentityAssumesTheRoleAtSTSAndReadsTheTokenFileOnEveryFetch() async throws {
        let environment = scratch.environment(try scratch.webIdentity())
        let configuration = try AWSConfiguration.fromEnvironment(environment)
        #expect(configuration.credentialProvider.name == "web-identity")
        let credentials = try await configuration.credentialProvider.credentials()
        #expect(credentials.sessionToken != nil)
        #expect(credentials.expiration.map { $0 > Date() } == true)
        let identity = try await stsClient(configuration).getCallerIdentity(
            signedWith: configuration.credentialProvider)
        #expect(identity.account == "123456789012")
        #expect(identity.arn.contains("assumed-role/intake-irsa/intake-test"), "\(identity.arn)")

        // The kubelet rotates the token file: every fetch reads it again.
        let source = try CredentialScratch.source(environment)
        let tokenFile = try #require(environment["AWS_WEB_IDENTITY_TOKEN_FILE"])
        try FileManager.default.removeItem(atPath: tokenFile)
        await #expect { try await source.credentials() } throws: {
            "\($0)".contains(tokenFile) && "\($0)".contains("web-identity")
        }
        _ = try scratch.write("token", "rotated-token\n")
        #expect(try await source.credentials().sessionToken != nil)
    }

    @Test(.enabled(if: MotoSTS.available, MotoSTS.skipReason))
    func aProfilesRoleIsAssumedWithItsSourceProfileAndGivesTheRegion() async throws {
        let config = try scratch.write(
            "config",
            """
            [profile ops]
            role_arn = arn:aws:iam::123456789012:role/intake-ops
            source_profile = base
            role_session_name = ops-session
            region = eu-central-1
            """)
        let credentials = try scratch.write(
            "credentials", "[base]\naws_access_key_id = AKIABASE0000\naws_secret_access_key = base-secret\n")
        var environment = scratch.environment([
            "AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_PROFILE": "ops",
        ])
        environment["AWS_REGION"] = nil
        environment["AWS_DEFAULT_REGION"] = nil
        let configuration = try AWSConfiguration.fromEnvironment(environment)
        #expect(configuration.region == "eu-central-1")
        #expect(configuration.credentialProvider.name == "profile")
        #expect(configuration.credentialProvider.detail.contains("role/intake-ops"))
        let assumed = try await configuration.credentialProvider.credentials()
        #expect(assumed.accessKeyID != "AKIABASE0000" && assumed.sessionToken != nil && assumed.expiration != nil)
        let identity = try await stsClient(configuration).getCallerIdentity(
            signedWith: configuration.credentialProvider)
        #expect(identity.arn.contains("assumed-role/intake-ops/ops-session"), "\(identity.arn)")
    }

    @Test func webIdentityIsUnsignedAndAssumeRoleIsSignedWithTheSourceKeys() async throws {
        let sts = try await LocalCredentialServer { request in
            let action =
                request.body.contains("Action=AssumeRoleWithWebIdentity") ? "AssumeRoleWithWebIdentity" : "AssumeRole"
            let expiration = Date().addingTimeInterval(3600).formatted(.iso8601)
            return .text(
                .ok,
                "<\(action)Response><\(action)Result><Credentials><AccessKeyId>ASIALOCAL</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>\(expiration)</Expiration></Credentials></\(action)Result></\(action)Response>",
                contentType: "text/xml")
        }
        defer { Task { await sts.stop() } }
        let web = try AWSConfiguration.fromEnvironment(
            scratch.environment(try scratch.webIdentity().merging(["AWS_ENDPOINT_URL_STS": sts.url]) { $1 }))
        #expect(try await web.credentialProvider.credentials().accessKeyID == "ASIALOCAL")
        let webRequest = try #require(sts.seen.all.last)
        #expect(webRequest.headers["authorization"] == nil)
        #expect(webRequest.body.contains("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fintake-irsa"))
        #expect(webRequest.body.contains("WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.test-token.signature"))

        let config = try scratch.write(
            "config", "[profile ops]\nrole_arn = arn:aws:iam::123456789012:role/ops\nsource_profile = base\n")
        let credentials = try scratch.write(
            "credentials", "[base]\naws_access_key_id = AKIABASE0000\naws_secret_access_key = base-secret\n")
        let profile = try AWSConfiguration.fromEnvironment(
            scratch.environment([
                "AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_PROFILE": "ops",
                "AWS_ENDPOINT_URL_STS": sts.url,
            ]))
        #expect(try await profile.credentialProvider.credentials().accessKeyID == "ASIALOCAL")
        let assumeRequest = try #require(sts.seen.all.last)
        #expect(assumeRequest.body.contains("Action=AssumeRole&"))
        let authorization = try #require(assumeRequest.headers["authorization"])
        #expect(authorization.contains("Credential=AKIABASE0000/") && authorization.contains("/sts/aws4_request"))
    }

    @Test func containerEndpointWithTokenFileTokenOrRelativeURI() async throws {
        let expected = Mutex("Bearer first-token")
        let server = try await LocalCredentialServer { request in
            if request.path == "/v2/credentials/task-1" {
                return .json(.ok, LocalCredentialServer.credentialsJSON(key: "ASIATASK", expiresIn: 3600))
            }
            guard request.path == "/creds", request.headers["authorization"] == expected.withLock({ $0 }) else {
                return .json(.unauthorized, #"{"code":"AccessDenied","message":"bad token"}"#)
            }
            return .json(.ok, LocalCredentialServer.credentialsJSON(key: "ASIAPOD", expiresIn: 3600))
        }
        defer { Task { await server.stop() } }
        let tokenFile = try scratch.write("pod-token", "Bearer first-token\n")
        let full = scratch.environment([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/creds",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ignored-when-the-file-is-set",
        ])
        let source = try CredentialScratch.source(full)
        #expect(source.name == "container")
        let first = try await source.credentials()
        #expect(first.accessKeyID == "ASIAPOD" && first.sessionToken == "token-ASIAPOD" && first.expiration != nil)

        // EKS Pod Identity rotates the token file: the next fetch sends the new token.
        expected.withLock { $0 = "Bearer second-token" }
        _ = try scratch.write("pod-token", "Bearer second-token\n")
        #expect(try await source.credentials().accessKeyID == "ASIAPOD")
        #expect(
            server.seen.all.map { $0.headers["authorization"] ?? "" } == ["Bearer first-token", "Bearer second-token"])

        var inline = full
        inline["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = nil
        inline["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "Bearer wrong"
        let refused = try CredentialScratch.source(inline)
        await #expect { try await refused.credentials() } throws: {
            "\($0)".contains("container") && "\($0)".contains("401")
        }

        let relative = scratch.environment(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/task-1"])
        let ecs = try CredentialScratch.source(relative, containerBase: server.url)
        #expect(try await ecs.credentials().accessKeyID == "ASIATASK")
        #expect(server.seen.all.last?.headers["authorization"] == nil)
    }

    @Test func instanceMetadataIsIMDSv2Only() async throws {
        let refuseTokens = Mutex(false)
        let server = try await LocalCredentialServer { request in
            if request.method == "PUT" && request.path == "/latest/api/token" {
                guard !refuseTokens.withLock({ $0 }), request.headers["x-aws-ec2-metadata-token-ttl-seconds"] != nil
                else {
                    return .status(.forbidden)
                }
                return .text(.ok, "imds-session-token")
            }
            guard request.headers["x-aws-ec2-metadata-token"] == "imds-session-token" else {
                return .status(.unauthorized)
            }
            switch request.path {
            case "/latest/meta-data/iam/security-credentials/": return .text(.ok, "intake-node-role\n")
            case "/latest/meta-data/iam/security-credentials/intake-node-role":
                return .text(.ok, LocalCredentialServer.credentialsJSON(key: "ASIANODE", expiresIn: 6 * 3600))
            default: return .status(.notFound)
            }
        }
        defer { Task { await server.stop() } }
        // Without the session token the service refuses, as IMDSv2-only instances do.
        let tokenless = try await MotoSTS.http.execute(
            IntakeAWS.HTTPRequest(method: "GET", url: server.url + "/latest/meta-data/iam/security-credentials/"))
        #expect(tokenless.status == 401)

        var environment = scratch.environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url])
        environment["AWS_EC2_METADATA_DISABLED"] = nil
        let configuration = try AWSConfiguration.fromEnvironment(environment)
        #expect(configuration.credentialProvider.name == "imds")
        let credentials = try await configuration.credentialProvider.credentials()
        #expect(credentials.accessKeyID == "ASIANODE" && credentials.sessionToken == "token-ASIANODE")
        let seen = server.seen.all.dropFirst()  // the tokenless probe above
        #expect(seen.map(\.method) == ["PUT", "GET", "GET"])
        #expect(seen.dropFirst().allSatisfy { $0.headers["x-aws-ec2-metadata-token"] == "imds-session-token" })

        // No token, no fallback to IMDSv1: the fetch fails without a tokenless GET.
        refuseTokens.withLock { $0 = true }
        let before = server.seen.count
        let source = try CredentialScratch.source(environment)
        await #expect { try await source.credentials() } throws: { "\($0)".contains("imds") && "\($0)".contains("403") }
        #expect(server.seen.all.dropFirst(before).map(\.method) == ["PUT"])
    }

    @Test(.enabled(if: MotoSTS.available, MotoSTS.skipReason))
    func intakectlAWSWhoamiNamesTheSourceTheExpiryAndTheIdentity() throws {
        let (status, output) = try runWhoami(scratch.environment(try scratch.webIdentity()))
        #expect(status == 0, "\(output)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
        #expect(report["source"] as? String == "web-identity")
        #expect((report["detail"] as? String)?.contains(CredentialScratch.roleARN) == true)
        #expect(report["account"] as? String == "123456789012")
        #expect((report["arn"] as? String)?.contains("assumed-role/intake-irsa/intake-test") == true)
        #expect(report["expires_at"] is String)
        #expect(report["error"] is NSNull)

        let (failed, message) = try runWhoami(scratch.environment([:]), json: false)
        #expect(failed != 0)
        #expect(message.contains("no AWS credentials"), "\(message)")
    }

    func runWhoami(_ environment: [String: String], json: Bool = true) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = TestDatabase.productsDirectory.appendingPathComponent("intakectl")
        process.arguments = ["aws", "whoami"] + (json ? ["--json"] : [])
        process.environment = environment
        process.currentDirectoryURL = scratch.directory
        let out = Pipe()
        process.standardOutput = out
        process.standardError = json ? FileHandle.nullDevice : out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
