import Foundation

/// One seed's check: which invariants applied and what broke, each violation as [invariant, detail].
struct SeedResult: Codable, Equatable {
    var seed: UInt64
    var checked: [String]
    var violations: [[String]]
}

/// A sweep's results (`sweep run` writes one per shard; `sweep merge` combines them).
struct SweepFile: Codable, Equatable {
    var scenario: String
    var faults: String
    var injectedBug: String?
    var seeds: String
    var shard: String?
    var results: [SeedResult]
}

enum SweepJSON {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func write(_ file: SweepFile, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let encoder = encoder
        encoder.outputFormatting.insert(.prettyPrinted)
        try (encoder.encode(file) + Data("\n".utf8)).write(to: URL(fileURLWithPath: path))
    }

    /// "A..B" with A <= B.
    static func seedRange(_ text: String) -> ClosedRange<UInt64>? {
        let parts = text.components(separatedBy: "..")
        guard parts.count == 2, let low = UInt64(parts[0]), let high = UInt64(parts[1]), low <= high else { return nil }
        return low...high
    }

    /// "I/N" with 0 <= I < N.
    static func shard(_ text: String) -> (index: Int, count: Int)? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count > 0, (0..<count).contains(index)
        else { return nil }
        return (index, count)
    }
}

/// Runs `ddnslab ARGUMENTS…` once per seed in child processes, `jobs` at a time, and reads the JSON
/// line each prints. A child that dies (a signal, or no result line) is a `crash` violation with the
/// end of what it wrote to standard error.
enum SweepChildren {
    /// This executable, which every child runs.
    static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static func run(seeds: [UInt64], jobs: Int, arguments: @escaping @Sendable (UInt64) -> [String]) -> [SeedResult] {
        let executable = executable
        let results = Results(count: seeds.count)
        DispatchQueue.concurrentPerform(iterations: min(jobs, max(1, seeds.count))) { worker in
            var index = worker
            while index < seeds.count {
                results.set(index, one(executable: executable, seed: seeds[index], arguments: arguments(seeds[index])))
                index += jobs
            }
        }
        return results.values
    }

    static func one(executable: String, seed: UInt64, arguments: [String]) -> SeedResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            return SeedResult(seed: seed, checked: [], violations: [["crash", "could not start \(executable): \(error)"]])
        }
        // Standard error is drained on its own thread so that neither pipe fills up.
        let errorText = ErrorText()
        let reader = Thread { errorText.value = errors.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorText.done { usleep(1_000) }
        let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        if process.terminationReason == .exit, [0, 1].contains(process.terminationStatus),
            let result = try? JSONDecoder().decode(SeedResult.self, from: Data(line.utf8)) {
            return result
        }
        let stderr = String(decoding: errorText.value.suffix(400), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let how = process.terminationReason == .uncaughtSignal
            ? "killed by signal \(process.terminationStatus)" : "exited with status \(process.terminationStatus)"
        return SeedResult(seed: seed, checked: [], violations: [["crash", "the run \(how): \(stderr)"]])
    }

    /// Results written by several workers, each to its own index.
    final class Results: @unchecked Sendable {
        private var slots: [SeedResult?]
        private let lock = NSLock()
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: SeedResult) { lock.withLock { slots[index] = value } }
        var values: [SeedResult] { lock.withLock { slots.compactMap { $0 } } }
    }

    final class ErrorText: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        private var finished = false
        var value: Data {
            get { lock.withLock { data } }
            set { lock.withLock { data = newValue; finished = true } }
        }
        var done: Bool { lock.withLock { finished } }
    }
}
