import ArgumentParser
import Foundation
import IntakeAWS

struct AWS: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aws", abstract: "Check the AWS credentials and region Intake's processes would use.",
        subcommands: [WhoAmI.self])
}

/// Which credential source the chain chose (docs/DEPLOYMENT.md, "AWS credentials"), when its
/// credentials expire, and whom AWS takes them for. Run it in a pod with the pod's environment
/// to see what the workers there get.
struct WhoAmI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract:
            "Which credential source answered, when its credentials expire, and STS GetCallerIdentity's account and ARN."
    )
    @OptionGroup var global: GlobalOptions

    struct Report: Encodable {
        var source: String
        var detail: String
        var region: String
        var stsEndpoint: String
        var accessKeyID: String?
        var expiresAt: Date?
        var account: String?
        var arn: String?
        var userID: String?
        var error: String?

        enum CodingKeys: String, CodingKey {
            case source, detail, region, error, account, arn
            case stsEndpoint = "sts_endpoint", accessKeyID = "access_key_id", expiresAt = "expires_at", userID =
                "user_id"
        }

        // `expires_at` and the identity are null rather than absent, so scripts can test them.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(source, forKey: .source)
            try container.encode(detail, forKey: .detail)
            try container.encode(region, forKey: .region)
            try container.encode(stsEndpoint, forKey: .stsEndpoint)
            try container.encode(accessKeyID, forKey: .accessKeyID)
            try container.encode(expiresAt, forKey: .expiresAt)
            try container.encode(account, forKey: .account)
            try container.encode(arn, forKey: .arn)
            try container.encode(userID, forKey: .userID)
            try container.encode(error, forKey: .error)
        }
    }

    func run() async throws {
        let clients = try SQSReplay.clients(configuration: try global.loadConfiguration())
        let provider = clients.configuration.credentialProvider
        var report = Report(
            source: provider.name, detail: provider.detail, region: clients.configuration.region,
            stsEndpoint: clients.sts.endpoint.description)
        do {
            let credentials = try await provider.credentials()
            report.accessKeyID = credentials.accessKeyID
            report.expiresAt = credentials.expiration
            let identity = try await clients.sts.getCallerIdentity(signedWith: provider)
            report.account = identity.account
            report.arn = identity.arn
            report.userID = identity.userID
        } catch {
            report.error = "\(error)"
        }
        if global.json {
            try printJSON(report)
        } else {
            var rows = [["source", report.source], ["detail", report.detail], ["region", report.region]]
            rows.append(["access key", report.accessKeyID ?? "-"])
            let expiry = report.expiresAt.map { "\(formatDate($0)) (in \(formatAge($0.timeIntervalSinceNow)))" }
            rows.append(["expires", expiry ?? (report.accessKeyID == nil ? "-" : "never (long-lived keys)")])
            rows.append(["account", report.account ?? "-"])
            rows.append(["arn", report.arn ?? "-"])
            rows.append(["sts endpoint", report.stsEndpoint])
            for row in rows { print(row[0].padding(toLength: 14, withPad: " ", startingAt: 0) + row[1]) }
        }
        if let error = report.error {
            FileHandle.standardError.write(Data("intakectl: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
