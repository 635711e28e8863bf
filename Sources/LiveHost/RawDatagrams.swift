import CLiveSockets
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The nodes' UDP sockets without NIO's channel pipeline: plain non-blocking sockets, read in
/// batches (`recvmmsg`, up to 64 datagrams) by one reader thread that waits on epoll, each batch
/// handed to the cluster's event loop whole; answers leave in batches too (`sendmmsg`). The reader
/// waits for the loop to finish a batch before it reads the next, so the kernel's socket buffer is
/// the only queue and the cluster stays single-threaded. IPv4 only (serve listens on 127.0.0.x).
final class RawDatagrams: @unchecked Sendable {
    /// One datagram read: which socket, from where, what.
    struct Received {
        var socket: Int
        var source: UInt32
        var port: UInt16
        var payload: [UInt8]
    }

    static let batch = 64
    static let slot = 4096

    private let epoll: Int32
    private var descriptors: [Int32] = []
    private let lock = NSLock()
    private var stopped = false
    private let handed = DispatchSemaphore(value: 0)
    /// Outgoing datagrams per socket index, written by the loop, flushed by `flush`.
    private var outgoing: [[(address: sockaddr_in, payload: [UInt8])]] = []
    private var dirty: [Int] = []
    private(set) var sendFailures: UInt64 = 0

    init() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
    }

    /// Binds a non-blocking UDP socket on `address`:`port`; its index, or nil (errno set).
    func bind(address: UInt32, port: UInt16) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        // No SO_REUSEADDR: on UDP it would let a second serve bind the same ports and split the traffic.
        var size: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_port = port.bigEndian
        local.sin_addr.s_addr = address.bigEndian
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            return nil
        }
        lock.lock()
        let index = descriptors.count
        descriptors.append(fd)
        lock.unlock()
        outgoing.append([])
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = UInt64(index)
        epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event)
        return index
    }

    /// Starts the reader thread: each batch goes to `deliver` on `execute`'s thread, and the
    /// reader waits until it returns.
    func start(execute: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void,
               deliver: @escaping @Sendable ([Received]) -> Void) {
        let thread = Thread { [self] in read(execute: execute, deliver: deliver) }
        thread.name = "ddnslab-udp"
        thread.start()
    }

    func stop() {
        lock.lock()
        stopped = true
        let all = descriptors
        lock.unlock()
        handed.signal()
        for fd in all { close(fd) }
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func read(execute: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void,
                      deliver: @escaping @Sendable ([Received]) -> Void) {
        let count = Self.batch
        let buffers = UnsafeMutableRawPointer.allocate(byteCount: count * Self.slot, alignment: 16)
        var slots = (0..<count).map { slot in
            ddnslab_datagram(peer: sockaddr_in(), base: buffers + slot * Self.slot, capacity: Self.slot, length: 0)
        }
        defer {
            buffers.deallocate()
            close(epoll)
        }
        var events = [epoll_event](repeating: epoll_event(), count: 16)
        while !isStopped {
            let ready = epoll_wait(epoll, &events, Int32(events.count), 200)
            guard ready > 0 else { continue }
            var batch: [Received] = []
            for event in events.prefix(Int(ready)) {
                let index = Int(event.data.u64)
                lock.lock()
                let fd = index < descriptors.count ? descriptors[index] : -1
                lock.unlock()
                guard fd >= 0 else { continue }
                let got = ddnslab_receive_batch(fd, &slots, UInt32(count))
                guard got > 0 else { continue }
                for slot in slots.prefix(Int(got)) where slot.length > 0 && slot.peer.sin_family == sa_family_t(AF_INET) {
                    let bytes = UnsafeRawBufferPointer(start: slot.base, count: slot.length)
                    batch.append(Received(socket: index, source: UInt32(bigEndian: slot.peer.sin_addr.s_addr),
                                          port: UInt16(bigEndian: slot.peer.sin_port), payload: Array(bytes)))
                }
            }
            guard !batch.isEmpty else { continue }
            let handed = handed
            let full = batch
            execute {
                deliver(full)
                handed.signal()
            }
            handed.wait()
        }
    }

    // MARK: - Sending (on the loop)

    /// Queues `payload` to `address`:`port` from socket `index`; `flush` sends.
    func queue(_ payload: [UInt8], from index: Int, to address: UInt32, port: UInt16) {
        var destination = sockaddr_in()
        destination.sin_family = sa_family_t(AF_INET)
        destination.sin_port = port.bigEndian
        destination.sin_addr.s_addr = address.bigEndian
        if outgoing[index].isEmpty { dirty.append(index) }
        outgoing[index].append((destination, payload))
    }

    var hasQueued: Bool { !dirty.isEmpty }

    /// Sends everything queued, one `sendmmsg` per socket and batch. A datagram the kernel does not
    /// take (a full buffer) is lost, as on a network, and counted.
    func flush() {
        for index in dirty {
            lock.lock()
            let fd = descriptors[index]
            lock.unlock()
            let sent = send(fd, outgoing[index])
            sendFailures += UInt64(outgoing[index].count - sent)
            outgoing[index].removeAll(keepingCapacity: true)
        }
        dirty.removeAll(keepingCapacity: true)
    }

    /// Sends `items` from `fd` (`ddnslab_send_batch` takes 64 per `sendmmsg`); how many the kernel took.
    private func send(_ fd: Int32, _ items: [(address: sockaddr_in, payload: [UInt8])]) -> Int {
        let total = items.reduce(0) { $0 + $1.payload.count }
        let data = UnsafeMutableRawPointer.allocate(byteCount: max(1, total), alignment: 16)
        defer { data.deallocate() }
        var offset = 0
        var slots: [ddnslab_datagram] = []
        slots.reserveCapacity(items.count)
        for item in items {
            item.payload.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress { (data + offset).copyMemory(from: base, byteCount: bytes.count) }
            }
            slots.append(ddnslab_datagram(peer: item.address, base: data + offset, capacity: item.payload.count,
                                          length: item.payload.count))
            offset += item.payload.count
        }
        return Int(max(0, ddnslab_send_batch(fd, &slots, UInt32(slots.count))))
    }
}
