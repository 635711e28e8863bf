import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// gzip files through zlib's `gz*` functions (RFC 1952). zlib writes a header without a file name
/// and with modification time 0, so the same input gives the same bytes on every run.
enum Gzip {
    /// Compresses `source` into `destination` (through `destination.partial` and a rename).
    static func compress(_ source: String, to destination: String, level: Int32 = 6) throws(BackupError) {
        let partial = destination + ".partial"
        guard let output = gzopen(partial, "wb\(level)") else {
            throw .io(operation: "gzopen", path: partial, errno: errno)
        }
        var closed = false
        defer { if !closed { gzclose(output); _ = unlink(partial) } }
        try FileOps.forEachBlock(of: source) { block throws(BackupError) in
            guard block.count > 0 else { return }
            let written = gzwrite(output, block.baseAddress, UInt32(block.count))
            guard written == Int32(block.count) else { throw .io(operation: "gzwrite", path: partial, errno: errno) }
        }
        closed = true
        guard gzclose(output) == Z_OK else {
            _ = unlink(partial)
            throw .io(operation: "gzclose", path: partial, errno: errno)
        }
        try FileOps.rename(partial, to: destination)
    }

    /// Decompresses `source` into `destination` (through `destination.partial` and a rename).
    /// A damaged stream is an `.io` error with operation `gzread`.
    static func decompress(_ source: String, to destination: String) throws(BackupError) {
        guard let input = gzopen(source, "rb") else { throw .io(operation: "gzopen", path: source, errno: errno) }
        defer { gzclose(input) }
        let partial = destination + ".partial"
        var writer = try FileWriter(path: partial)
        var buffer = [UInt8](repeating: 0, count: FileOps.blockSize)
        do throws(BackupError) {
            while true {
                let count = buffer.withUnsafeMutableBytes { gzread(input, $0.baseAddress, UInt32(FileOps.blockSize)) }
                if count < 0 { throw .io(operation: "gzread", path: source, errno: EIO) }
                if count == 0 {
                    // A stream cut short reads as an early end of file: gzerror tells.
                    var code: Int32 = Z_OK
                    _ = gzerror(input, &code)
                    if code != Z_OK && code != Z_STREAM_END {
                        throw .io(operation: "gzread", path: source, errno: EIO)
                    }
                    break
                }
                try buffer.withBytes(0..<Int(count)) { raw throws(BackupError) in try writer.write(raw) }
            }
            try writer.close()
        } catch {
            writer.abandon()
            throw error
        }
        try FileOps.rename(partial, to: destination)
    }
}
