import Foundation

/// Prints rows as an aligned table for people.
func printTable(_ header: [String], _ rows: [[String]]) {
    guard !rows.isEmpty else {
        print("(none)")
        return
    }
    var widths = header.map(\.count)
    for row in rows {
        for (index, cell) in row.enumerated() where index < widths.count {
            widths[index] = max(widths[index], cell.count)
        }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }
    print(line(header))
    print(line(widths.map { String(repeating: "-", count: $0) }))
    for row in rows { print(line(row)) }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Prints a JSON text (from the database) re-indented for reading.
func prettyJSON(_ text: String?) -> String {
    guard let text, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]),
        let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed])
    else { return text ?? "null" }
    return String(decoding: data, as: UTF8.self)
}

func formatAge(_ seconds: Double?) -> String {
    guard let seconds else { return "-" }
    if seconds < 120 { return String(format: "%.0fs", seconds) }
    if seconds < 7200 { return String(format: "%.0fm", seconds / 60) }
    if seconds < 172_800 { return String(format: "%.1fh", seconds / 3600) }
    return String(format: "%.1fd", seconds / 86_400)
}

func formatDate(_ date: Date?) -> String {
    guard let date else { return "-" }
    let formatter = ISO8601DateFormatter()
    return formatter.string(from: date)
}

/// A progress bar on stderr, drawn only when stderr is a terminal (never in scripts or logs).
struct ProgressBar {
    let total: Int
    let label: String
    let enabled = isatty(STDERR_FILENO) == 1

    func update(_ done: Int) {
        guard enabled, total > 0 else { return }
        // Counts are approximate (SQS's): never draw past the end.
        let done = min(max(done, 0), total)
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total)".utf8))
        if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
