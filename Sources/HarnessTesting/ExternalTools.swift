import Foundation

/// Runs the external programs of the interop tests (pdns_server, dig) with bounded waits. Test
/// support only: the library targets never start processes.
public enum ExternalTools {
    /// The path of an executable found on PATH or in the sbin folders (pdns_server lives in /usr/sbin).
    public static func find(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/local/sbin"]
        for folder in folders where FileManager.default.isExecutableFile(atPath: folder + "/" + program) {
            return folder + "/" + program
        }
        return nil
    }

    /// PowerDNS's SQLite backend module, wherever the distribution's multiarch folder is.
    public static func findPowerDNSModule(_ file: String) -> String? {
        for lib in ["/usr/lib", "/usr/lib64", "/usr/local/lib"] {
            let folders = ((try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? []).sorted()
            let candidates = [lib + "/pdns/" + file] + folders.map { "\(lib)/\($0)/pdns/\(file)" }
            if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        }
        return nil
    }

    /// A loopback port that is free for both UDP and TCP right now.
    public static func freeLoopbackPort() -> UInt16? {
        for _ in 0..<20 {
            guard let port = bindEphemeral(SOCK_DGRAM, port: 0) else { continue }
            if bindEphemeral(SOCK_STREAM, port: port) != nil { return port }
        }
        return nil
    }

    /// Binds a socket of `kind` to 127.0.0.1:`port` (0: any), returns the port and closes it.
    private static func bindEphemeral(_ kind: __socket_type, port: UInt16) -> UInt16? {
        let socketFD = socket(AF_INET, Int32(kind.rawValue), 0)
        guard socketFD >= 0 else { return nil }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(socketFD, generic, length) == 0 && getsockname(socketFD, generic, &length) == 0
            }
        }
        return bound ? UInt16(bigEndian: address.sin_port) : nil
    }

    /// Starts `executable` with its output in `logPath`.
    public static func start(_ executable: String, _ arguments: [String], logPath: String) throws -> Process {
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Stops a process we started, by its PID, with SIGKILL: the test runner's threads block
    /// SIGTERM and a spawned process inherits that mask, so pdns_server would never see a SIGTERM.
    /// With `viaChildren`, the process is a wrapper (`timeout`): its children are killed first, so
    /// that the wrapper reaps them and exits (no zombies), then the wrapper itself if still there.
    public static func stop(_ process: Process, viaChildren: Bool = false, waitSeconds: Double = 10) {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        if viaChildren {
            let path = "/proc/\(pid)/task/\(pid)/children"
            let children = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: " ")
            for child in children.compactMap({ pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
                kill(child, SIGKILL)
            }
            if waitForExit(process, seconds: waitSeconds) { return }
        }
        kill(pid, SIGKILL)
        _ = waitForExit(process, seconds: waitSeconds)
    }

    /// True when the process exited within `seconds`.
    public static func waitForExit(_ process: Process, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return !process.isRunning
    }

    /// Runs a program to completion within `timeoutSeconds`; nil when it had to be killed.
    public static func run(_ executable: String, _ arguments: [String], outputPath: String, timeoutSeconds: Double) throws
        -> (status: Int32, output: String)?
    {
        let process = try start(executable, arguments, logPath: outputPath)
        guard waitForExit(process, seconds: timeoutSeconds) else {
            stop(process)
            return nil
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return (process.terminationStatus, output)
    }
}
