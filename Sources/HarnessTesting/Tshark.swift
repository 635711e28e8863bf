import Foundation

/// Runs Debian's tshark for the capture tests (test support only: Foundation's `Process`).
public enum Tshark {
    public static let path = "/usr/bin/tshark"

    /// Whether tshark is installed.
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// `tshark -n -r FILE ARGUMENTS…`: its exit status and its standard output's lines (standard
    /// error is discarded).
    public static func run(file: String, _ arguments: [String]) throws -> (status: Int32, lines: [Substring]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-n", "-r", file] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        return (process.terminationStatus, text.split(whereSeparator: \.isNewline))
    }
}
