import DNSWire
import DNSZone

/// Sizes of the zone's building blocks, printed with the figures (where the memory goes).
func printSizes() {
    print("sizes: RData \(MemoryLayout<RData>.stride) B, ResourceRecord \(MemoryLayout<ResourceRecord>.stride) B, "
          + "RRset \(MemoryLayout<RRset>.stride) B, ZoneNode \(MemoryLayout<ZoneNode>.stride) B, "
          + "DNSName \(MemoryLayout<DNSName>.stride) B")
}
