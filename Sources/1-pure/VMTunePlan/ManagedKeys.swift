import VMTuneHost
import VMTuneProfile

/// What vmtune manages on a host, as its applied journals say: the keys it wrote and has not
/// released since, and each recorded key's baseline, the value it had before vmtune first
/// changed it (the oldest applied journal's original; history compaction keeps the first).
public struct ManagedKeys: Sendable, Hashable {
  /// Keys vmtune wrote and has not released, in the order they were first written.
  public var managed: [Knob]
  /// Baselines of every key the applied journals recorded (exclusive partners included).
  public var baseline: [Knob: SysctlValue]

  public init(managed: [Knob] = [], baseline: [Knob: SysctlValue] = [:]) {
    self.managed = managed
    self.baseline = baseline
  }
}

extension Planner {
  /// Release entries: each managed key that `profile` neither sets nor writes through its
  /// exclusive partner goes back to its baseline. Of an exclusive pair the side that was in
  /// force before vmtune is written (the kernel zeroes the other). Keys already at their
  /// baseline need nothing; an `unmanage:` key vmtune never changed here is shown as skipped.
  static func releases(_ profile: Profile, managed: ManagedKeys, snapshot: HostSnapshot, kernel: KernelVersion?)
    -> [PlanEntry]
  {
    let set = Set(profile.settings.flatMap { [$0.knob.name] + ($0.knob.exclusiveWith.map { [$0] } ?? []) })
    let location = ProfileLocation(file: "journal", mark: Mark(line: 0, column: 0))
    var entries: [PlanEntry] = []
    var done: Set<Knob> = []
    for knob in managed.managed where !set.contains(knob.name) && !done.contains(knob) {
      guard var value = managed.baseline[knob] else { continue }
      var target = knob
      done.insert(knob)
      if let partner = knob.partner, let other = managed.baseline[partner] {
        done.insert(partner)
        if Knob.partnerWasInForce(knob, value, partner, other) { (target, value) = (partner, other) }
      }
      var e = PlanEntry(
        knob: target, action: .skipped, current: nil, desired: nil, target: "baseline \(value) (before vmtune)",
        location: location, profile: profile.name)
      e.released = true
      guard let text = snapshot.values[target.name], let live = target.parse(text) else {
        e.reason = "cannot read the live value to release it"
        entries.append(e)
        continue
      }
      if target.same(text, value) { continue }
      e.current = live
      if let why = rejection(of: value, knob: target, kernel: kernel) {
        e.action = .blocked
        e.reason = "the baseline cannot be written back: \(why)"
      } else {
        e.action = .change
        e.desired = value
        e.note = note(target, snapshot: snapshot)
      }
      entries.append(e)
    }
    for name in profile.unmanaged {
      guard let knob = KnobCatalog.decodingName(name), !done.contains(knob),
        !entries.contains(where: { $0.knob == knob || $0.knob == knob.partner })
      else { continue }
      var e = PlanEntry(
        knob: knob, action: .skipped, current: nil, desired: nil, target: "unmanaged", location: location,
        profile: profile.name)
      e.released = true
      e.reason =
        managed.baseline[knob] == nil
        ? "unmanage: vmtune has not changed it on this host; nothing to release"
        : "unmanage: already at its baseline"
      entries.append(e)
    }
    return entries
  }
}

extension Knob {
  /// Of an exclusive pair like dirty_ratio/dirty_bytes only one value was in force: the non-zero
  /// one. Writing it makes the kernel zero the other. When both were 0, the side that accepts 0
  /// is written (writing 0 to dirty_bytes is EINVAL).
  public static func partnerWasInForce(_ knob: Knob, _ mine: SysctlValue, _ partner: Knob, _ theirs: SysctlValue)
    -> Bool
  {
    let zero = SysctlValue.int(0)
    guard mine == zero else { return false }
    return theirs != zero || (!knob.acceptsZero && partner.acceptsZero)
  }
}
