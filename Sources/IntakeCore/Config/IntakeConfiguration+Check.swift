import Foundation
import Yams

extension IntakeConfiguration {
    /// Every problem in the file, in every section, for `intakectl config check`: what each
    /// process would refuse at start-up, found offline and in one run.
    ///
    /// Unlike ``parse(yaml:for:knownHandlers:environment:file:)`` nothing is filtered by process:
    /// a problem in `sqs:` is reported even when the file is also read by the receiver. A
    /// process's required sections are demanded only when the file configures that process
    /// (`sources:` for the receiver and inbox worker, `sqs:` or `routes:` for the SQS worker),
    /// so a file for one kind of deployment is not told to configure every other kind.
    public static func check(
        yaml: String,
        knownHandlers: Set<String>?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        file: String? = nil
    ) -> [ConfigurationIssue] {
        let reader = ConfigReader(environment: environment)
        let root: Node?
        do {
            root = try Self.compose(yaml: yaml, file: file)
        } catch {
            return error.issues
        }
        let configuration = Self.decode(root: root, reader: reader)
        var issues = reader.issues
        var processes: [IntakeProcess] = [.notifyWorker]
        if root?.mapping?["sources"] != nil { processes += [.receiver, .inboxWorker] }
        if root?.mapping?["sqs"] != nil || root?.mapping?["routes"] != nil { processes.append(.sqsWorker) }
        // "needs at least one source" after every source failed to decode only repeats them.
        let sectionsWithProblems = Set(reader.issues.map { Self.section(of: $0.path) })
        for process in processes {
            for issue in configuration.issues(for: process, knownHandlers: knownHandlers)
            where !issues.contains(issue) && !(sectionsWithProblems.contains(issue.path)) {
                issues.append(issue)
            }
        }
        return issues
    }

    /// ``check(yaml:knownHandlers:environment:file:)`` of the file at `path`.
    public static func check(
        path: String, knownHandlers: Set<String>?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [ConfigurationIssue] {
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            return check(yaml: text, knownHandlers: knownHandlers, environment: environment, file: path)
        } catch {
            return Self.unreadable(path: path, error: error).issues
        }
    }
}
