// wirecheck: a developer tool for the codec's differential tests against dnspython.
//
//   wirecheck generate SEED COUNT FILE   write COUNT random messages, each with a 2-byte length prefix
//   wirecheck print FILE                 decode each length-prefixed message and print its DiffText,
//                                        or "error REASON OFFSET" when it does not decode
//   wirecheck reencode FILE OUT          decode each message and write our encoding of it to OUT
import DNSWire
import Foundation
import HarnessTesting

func readFrames(_ path: String) -> [[UInt8]] {
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
        exit(2)
    }
    var decoder = TCPFrameDecoder()
    decoder.feed([UInt8](data))
    var frames: [[UInt8]] = []
    while let frame = decoder.nextMessage() { frames.append(frame) }
    return frames
}

func write(_ frames: [[UInt8]], to path: String) {
    let bytes = frames.flatMap(TCPFraming.frame)
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
        FileHandle.standardError.write(Data("cannot write \(path)\n".utf8))
        exit(2)
    }
}

let arguments = CommandLine.arguments
switch (arguments.count > 1 ? arguments[1] : "", arguments.count) {
case ("generate", 5):
    guard let seed = UInt64(arguments[2]), let count = Int(arguments[3]) else { exit(2) }
    var generator = MessageGenerator(seed: seed)
    var frames: [[UInt8]] = []
    for _ in 0..<count {
        do { frames.append(try generator.message().wire()) } catch { print("encode failed: \(error)"); exit(1) }
    }
    write(frames, to: arguments[4])
case ("print", 3):
    var output = ""
    for (index, frame) in readFrames(arguments[2]).enumerated() {
        output += "message \(index)\n"
        do {
            for line in DiffText.render(try Message(wire: frame)) { output += line + "\n" }
        } catch {
            output += "error \(error.reasonName) \(error.offset)\n"
        }
    }
    FileHandle.standardOutput.write(Data(output.utf8))
case ("reencode", 4):
    var frames: [[UInt8]] = []
    for frame in readFrames(arguments[2]) {
        do { frames.append(try Message(wire: frame).wire()) } catch { frames.append([]) }
    }
    write(frames, to: arguments[3])
default:
    FileHandle.standardError.write(Data("usage: wirecheck generate SEED COUNT FILE | print FILE | reencode FILE OUT\n".utf8))
    exit(2)
}
