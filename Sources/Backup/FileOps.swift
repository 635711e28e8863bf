#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Determinism

/// The few file operations a backup folder needs, on the C library (no Foundation in core
/// targets). Directory listings come back sorted, so nothing depends on the file system's order.
/// Writes go to `path.partial` first and are renamed into place, so a reader never sees half a file.
enum FileOps {
    /// Bytes read or written per system call.
    static let blockSize = 64 * 1024

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Creates `path` (one level) unless it is already a directory.
    static func makeDirectory(_ path: String) throws(BackupError) {
        if mkdir(path, 0o755) == 0 { return }
        let code = errno
        var info = stat()
        if code == EEXIST, stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { return }
        throw .io(operation: "mkdir", path: path, errno: code)
    }

    /// Removes a file; a file that is not there is not an error.
    static func remove(_ path: String) throws(BackupError) {
        if unlink(path) == 0 || errno == ENOENT { return }
        throw .io(operation: "unlink", path: path, errno: errno)
    }

    static func rename(_ from: String, to: String) throws(BackupError) {
        guard Glibc.rename(from, to) == 0 else { throw .io(operation: "rename", path: from, errno: errno) }
    }

    /// The size of a file in octets.
    static func size(_ path: String) throws(BackupError) -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .io(operation: "stat", path: path, errno: errno) }
        return Int64(info.st_size)
    }

    /// The names in a directory except `.` and `..`, sorted by their UTF-8 bytes.
    static func list(_ path: String) throws(BackupError) -> [String] {
        guard let directory = opendir(path) else { throw .io(operation: "opendir", path: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// The whole file.
    static func read(_ path: String) throws(BackupError) -> [UInt8] {
        var bytes: [UInt8] = []
        try forEachBlock(of: path) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Calls `body` with each block of the file in order.
    static func forEachBlock(of path: String, _ body: (UnsafeRawBufferPointer) throws(BackupError) -> Void)
        throws(BackupError)
    {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: blockSize)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, blockSize) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "read", path: path, errno: errno)
            }
            if count == 0 { return }
            try buffer.withBytes(0..<count, body)
        }
    }

    /// Writes `bytes` to `path` through `path.partial` and a rename.
    static func write(_ bytes: [UInt8], to path: String) throws(BackupError) {
        let partial = path + ".partial"
        var writer = try FileWriter(path: partial)
        do throws(BackupError) {
            try bytes.withBytes(0..<bytes.count) { raw throws(BackupError) in try writer.write(raw) }
            try writer.close()
        } catch {
            writer.abandon()
            throw error
        }
        try rename(partial, to: path)
    }

    /// Copies `source` to `destination` through `destination.partial`; returns the SHA-256 (hex)
    /// and the size of what was copied.
    static func copy(_ source: String, to destination: String) throws(BackupError) -> (sha256: String, size: Int64) {
        let partial = destination + ".partial"
        var writer = try FileWriter(path: partial)
        var hasher = SHA256Hasher()
        var size: Int64 = 0
        do throws(BackupError) {
            try forEachBlock(of: source) { block throws(BackupError) in
                hasher.update(block)
                size += Int64(block.count)
                try writer.write(block)
            }
            try writer.close()
        } catch {
            writer.abandon()
            throw error
        }
        try rename(partial, to: destination)
        return (SHA256.hex(hasher.finalize()), size)
    }

    /// SHA-256 (hex) and size of a file.
    static func checksum(_ path: String) throws(BackupError) -> (sha256: String, size: Int64) {
        var hasher = SHA256Hasher()
        var size: Int64 = 0
        try forEachBlock(of: path) { block in
            hasher.update(block)
            size += Int64(block.count)
        }
        return (SHA256.hex(hasher.finalize()), size)
    }
}

/// A file open for writing, created or truncated.
struct FileWriter {
    let path: String
    private var descriptor: Int32

    init(path: String) throws(BackupError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(BackupError) {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "write", path: path, errno: errno)
            }
            offset += written
        }
    }

    mutating func close() throws(BackupError) {
        precondition(descriptor >= 0, "a file closed twice")
        let result = Glibc.close(descriptor)
        descriptor = -1
        guard result == 0 else { throw .io(operation: "close", path: path, errno: errno) }
    }

    /// Closes (if still open) and removes the file after a failure.
    mutating func abandon() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
        _ = unlink(path)
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` over `range` for a body with a typed error.
    func withBytes(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws(BackupError) -> Void)
        throws(BackupError)
    {
        var failure: BackupError?
        withUnsafeBytes { raw in
            do throws(BackupError) {
                try body(UnsafeRawBufferPointer(rebasing: raw[range]))
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }
}
