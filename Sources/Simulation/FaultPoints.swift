import Determinism

/// Fault points inside our own components that a seed sweep may switch on (`ddnslab sweep
/// --fault-points`); off in every normal run. Each draws from its own stream of the run's seed, so a
/// run with fault points is as reproducible as one without.
public enum FaultPoint: String, Sendable, CaseIterable, Hashable {
    /// The web host's group commit takes up to 500 ms more (uniform) before the group's answers go
    /// out: requests wait uncommitted and unanswered longer, and a crash loses more of them.
    case slowCommit = "slow-commit"
    /// Every NOTIFY a primary sends is dropped with probability 1/2 (its retries and the
    /// secondaries' refresh must still bring the change).
    case dropNotify = "drop-notify"
    /// Every UDP health probe of a balancer leaves up to 2 s late (uniform), so a probe may time
    /// out and a healthy backend be marked down.
    case delayHealthCheck = "delay-health-check"

    /// The stream of this fault point on the node `name`.
    func random(seed: UInt64, node name: String) -> SeededRandom {
        SeededRandom(seed: seed, label: "fault-point.\(rawValue).\(name)")
    }
}
