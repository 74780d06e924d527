import VMTuneHost
import VMTuneModel

extension ZoneStats {
  /// The zone's watermarks as the kernel computed them: zoneinfo's values include the transient
  /// `boost`, which the recompute resets to 0. Kernels that print no `promo` line get
  /// high + (high − low), the 4.6+ rule's next step.
  public var unboosted: Watermarks {
    let b = boost ?? 0
    return Watermarks(min: min &- b, low: low &- b, high: high &- b, promo: (promo ?? (high + (high &- low))) &- b)
  }
}
