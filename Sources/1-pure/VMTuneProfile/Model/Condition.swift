/// Facts about a host: what `when:` conditions test, what plans and diagnoses print.
public struct HostFacts: Sendable, Hashable, Codable {
  public var hostname: String?
  /// `uname -r`, as the host printed it.
  public var kernelRelease: String?
  public var memTotalKB: Int64
  public var numaNodes: Int
  public var cpus: Int

  public init(
    hostname: String? = nil, kernelRelease: String?, memTotalKB: Int64, numaNodes: Int, cpus: Int = 1
  ) {
    self.hostname = hostname
    self.kernelRelease = kernelRelease
    self.memTotalKB = memTotalKB
    self.numaNodes = numaNodes
    self.cpus = cpus
  }

  public init(numaNodes: Int, memTotalKB: Int64, kernel: KernelVersion?, cpus: Int = 1) {
    self.init(kernelRelease: kernel?.description, memTotalKB: memTotalKB, numaNodes: numaNodes, cpus: cpus)
  }

  /// The kernel release as a version, when it parses.
  public var kernel: KernelVersion? { kernelRelease.flatMap { KernelVersion(parsing: $0) } }
}

/// `>=`, `<=`, `>`, `<`, `==`, `!=`.
public enum Comparison: String, Sendable, Hashable, Codable, CaseIterable {
  case ge = ">="
  case le = "<="
  case gt = ">"
  case lt = "<"
  case eq = "=="
  case ne = "!="

  public func holds<T: Comparable>(_ lhs: T, _ rhs: T) -> Bool {
    switch self {
    case .ge: return lhs >= rhs
    case .le: return lhs <= rhs
    case .gt: return lhs > rhs
    case .lt: return lhs < rhs
    case .eq: return lhs == rhs
    case .ne: return lhs != rhs
    }
  }
}

/// One test of a `when:` mapping; all tests of a mapping must hold.
public enum Condition: Sendable, Hashable, Codable, CustomStringConvertible {
  case numaNodes(Comparison, Int64)
  /// Compared in kB, as MemTotal is printed.
  case memTotal(Comparison, Int64)
  case kernel(Comparison, KernelVersion)
  case cpus(Comparison, Int64)

  /// Whether the host satisfies this test. An unknown kernel version fails `kernel` tests.
  public func holds(on host: HostFacts) -> Bool {
    switch self {
    case .numaNodes(let op, let n): return op.holds(Int64(host.numaNodes), n)
    case .memTotal(let op, let kb): return op.holds(host.memTotalKB, kb)
    case .kernel(let op, let v):
      guard let k = host.kernel else { return false }
      return op.holds(k, v)
    case .cpus(let op, let n): return op.holds(Int64(host.cpus), n)
    }
  }

  public var description: String {
    switch self {
    case .numaNodes(let op, let n): return "numa_nodes \(op.rawValue) \(n)"
    case .memTotal(let op, let kb): return "mem_total \(op.rawValue) \(formatKB(kb))"
    case .kernel(let op, let v): return "kernel \(op.rawValue) \(v)"
    case .cpus(let op, let n): return "cpus \(op.rawValue) \(n)"
    }
  }
}

/// `1048576` kB → `1GiB`; keeps exact values exact.
public func formatKB(_ kb: Int64) -> String {
  let units = ["KiB", "MiB", "GiB", "TiB"]
  var value = kb
  var i = 0
  while i < units.count - 1, value != 0, value % 1024 == 0 {
    value /= 1024
    i += 1
  }
  return "\(value)\(units[i])"
}

/// `24684084` kB → `23.5 GiB`, `1000000` → `976 MiB`, `15728` → `15 MiB` (truncated, as free(1)).
public func humanKB(_ kb: Int64) -> String {
  if kb >= 1 << 30 {
    let tenths = kb * 10 / (1 << 30)
    return "\(tenths / 10).\(tenths % 10) TiB"
  }
  if kb >= 1 << 20 {
    let tenths = kb * 10 / (1 << 20)
    return "\(tenths / 10).\(tenths % 10) GiB"
  }
  if kb >= 1024 { return "\(kb / 1024) MiB" }
  return "\(kb) KiB"
}
