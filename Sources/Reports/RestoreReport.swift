import Determinism

/// One `restore` step of a run and what it cost (`backups.restores` in report.json; docs/backups.md).
public struct RestoreReport: Sendable {
    /// An update a client was told was stored, committed after the restored snapshot: gone.
    public struct LostUpdate: Sendable, Equatable {
        public var host: String
        public var type: String
        public var value: String
        public var acknowledgedAt: Instant
        /// The zone serial the commit made.
        public var serial: UInt32
        /// The updater population the host belongs to.
        public var updater: String

        public init(host: String, type: String, value: String, acknowledgedAt: Instant, serial: UInt32, updater: String) {
            self.host = host
            self.type = type
            self.value = value
            self.acknowledgedAt = acknowledgedAt
            self.serial = serial
            self.updater = updater
        }
    }

    /// A host whose served address is not its router's current address.
    public struct WrongHost: Sendable, Equatable {
        public var host: String
        public var type: String
        public var served: [String]
        public var actual: String
        public var updater: String
        /// The actual address is one of the restore's lost updates: the router reported it, was
        /// told it was stored, and will not send it again until its address changes (or a forced
        /// update is due).
        public var lostByRestore: Bool

        public init(host: String, type: String, served: [String], actual: String, updater: String, lostByRestore: Bool) {
            self.host = host
            self.type = type
            self.served = served
            self.actual = actual
            self.updater = updater
            self.lostByRestore = lostByRestore
        }
    }

    /// A zone as restored and as served afterwards.
    public struct ZoneSerial: Sendable, Equatable {
        public var zone: String
        /// The serial in the snapshot.
        public var restored: UInt32
        /// The serial served after the restore: past every serial any nameserver had served.
        public var served: UInt32

        public init(zone: String, restored: UInt32, served: UInt32) {
            self.zone = zone
            self.restored = restored
            self.served = served
        }
    }

    /// The database fault this restore repaired (`lose_database ns1`), if any, and when it struck.
    public var fault: String?
    public var faultAt: Instant?
    public var at: Instant
    public var host: String
    /// The snapshot restored; nil when the restore failed.
    public var snapshot: Int?
    public var snapshotAt: Instant?
    /// Newer verified snapshots passed over because their file no longer matched its checksum.
    public var skippedSnapshots: [Int] = []
    public var failure: String?
    public var serials: [ZoneSerial] = []
    /// Acknowledged updates committed after the snapshot and before the fault, in commit order.
    public var lostUpdates: [LostUpdate] = []
    /// Every commit of the primary after the snapshot (customer updates and other changes).
    public var lostCommits: UInt64 = 0
    /// Disagreements between the three accounts of what was lost: by acknowledgement time, by
    /// commit serial against the snapshot's serial, and the restored file's content. Must be empty.
    public var oracleMismatches: [String] = []
    /// Hosts served wrong right after the restore, and `laterAt` (an hour later, or the run's end).
    public var wrongAtRestore: [WrongHost] = []
    public var wrongLater: [WrongHost] = []
    public var laterAt: Instant?
    /// From the fault (or the restore, without one) until every nameserver served the restored
    /// serials; nil when some never did.
    public var recovery: SimDuration?

    public init(at: Instant, host: String) {
        self.at = at
        self.host = host
    }

    /// The window of acknowledged work lost: from the snapshot to the fault.
    public var pointObjective: SimDuration? {
        guard let snapshotAt else { return nil }
        return (faultAt ?? at) - snapshotAt
    }

    /// Distinct hosts with a lost update.
    public var lostHosts: Int {
        Set(lostUpdates.map(\.host)).count
    }
}
