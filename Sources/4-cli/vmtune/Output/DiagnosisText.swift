import VMTuneDiagnose
import VMTuneFrontend
import VMTuneHost
import VMTuneModel
import VMTunePlan
import VMTuneProfile

#if canImport(Glibc)
  import Glibc
#endif

/// Renders a diagnosis for a terminal: a block per zone, then log findings, counters, advice.
struct DiagnosisText {
  var terminal: Terminal

  /// One character per order: the log of the pages held at that order, scaled to the zone's
  /// largest order (· for none).
  static func bars(_ counts: [UInt64]) -> String {
    let pages = counts.enumerated().map { Double($0.element << UInt64($0.offset)) }
    let top = pages.max() ?? 0
    let glyphs = Array("▁▂▃▄▅▆▇█")
    return String(
      pages.map { p -> Character in
        if p == 0 { return "·" }
        if top <= 1 { return glyphs[7] }
        let level = Int((log(max(p, 1)) / log(top)) * 7.0 + 0.5)
        return glyphs[min(7, max(0, level))]
      })
  }

  func index(_ i: Int) -> String { i == -1000 ? "-1.000" : Fragmentation.debugfsText(i) }

  func decision(_ d: CompactionDecision?) -> String {
    switch d {
    case .alreadyAvailable?: return "a free block exists"
    case .compact(let i)?: return terminal.paint("compaction would help (index \(index(i)))", .yellow)
    case .reclaimShortOfMemory(let i)?:
      return terminal.paint("short of memory: reclaim, not compaction (index \(index(i)))", .red)
    case .reclaimTooLittleFree(let f, let n)?:
      return terminal.paint("too little free to compact (\(f) ≤ \(n - 1)): reclaim first", .red)
    case nil: return ""
    }
  }

  func render(_ d: Diagnosis) -> String {
    var out = header(d)
    if d.zones.isEmpty { out += "\nNo /proc/buddyinfo under this root and no buddy lines in the log.\n" }
    out += states(d)
    out += nodes(d.nodes) + unusable(d.unusable) + profile(d.profile) + kernelLog(d)
    if !d.counters.isEmpty {
      let nonzero = d.counters.sorted { $0.key < $1.key }.filter { $0.value > 0 }
      out += "\nvmstat since boot: " + nonzero.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
    }
    return out + advice(d.advice)
  }

  /// Each host state under its title (this host now, then the log's reports), then any zone of
  /// no state.
  func states(_ d: Diagnosis) -> String {
    var out = ""
    let titled = d.states.count > 1 || d.states.contains { $0.kind == .logged }
    for s in d.states {
      if titled { out += "\n" + terminal.paint(s.title, .bold) + "\n" }
      for z in d.zones where z.source == s.source { out += zone(z, pageSize: s.pages.pageSize) }
    }
    let sources = Set(d.states.map(\.source))
    for z in d.zones where !sources.contains(z.source) { out += zone(z, pageSize: d.pages.pageSize) }
    if d.loggedStatesOmitted > 0 {
      out += "\n(\(d.loggedStatesOmitted) earlier Mem-Info report(s) in the log not shown)\n"
    }
    return out
  }

  func header(_ d: Diagnosis) -> String {
    guard d.live else {
      return (d.hostNote ?? "No live host: the log alone.") + "\n"
        + "Log: Linux \(d.host.kernelRelease ?? "?"), pages \(d.pages.pageSize)"
        + "\(d.pages.pageSize.source == .assumed ? "" : " (from \(d.pages.pageSize.source.rawValue))"), "
        + "buddy orders 0 … \(d.pages.orderCount - 1), huge page order \(d.pages.hugePageOrder)\n"
        + d.assumptions.map { terminal.paint("Assumed: ", .yellow) + $0 + "\n" }.joined()
    }
    let h = d.host
    let minFree = d.minFreeKbytes.map(String.init) ?? "?"
    let scale = d.watermarkScaleFactor.map(String.init) ?? "?"
    return "Host \(h.hostname ?? "?"), Linux \(h.kernelRelease ?? "?"), \(humanKB(h.memTotalKB)) RAM, "
      + "\(h.numaNodes) NUMA node(s)\n"
      + "min_free_kbytes \(minFree), watermark_scale_factor \(scale), extfrag_threshold \(d.extfragThreshold)\n"
      + "pages \(d.pages.pageSize)\(d.pages.pageSize.source == .assumed ? "" : " (from \(d.pages.pageSize.source.rawValue))"), "
      + "buddy orders 0 … \(d.pages.orderCount - 1), huge page order \(d.pages.hugePageOrder)\n"
      + d.assumptions.map { terminal.paint("Assumed: ", .yellow) + $0 + "\n" }.joined()
      + (d.hostNote.map { $0 + "\n" } ?? "")
  }

  /// A zone's block: free memory, watermarks and headroom, free blocks by order, then each order.
  func zone(_ z: ZoneDiagnosis, pageSize: PageSize) -> String {
    var out = "\n" + terminal.paint("Node \(z.node) \(z.zone)", .bold) + "  (\(z.source))\n"
    out += "  free \(z.freePages) pages (\(humanKB(pageSize.kilobytes(z.freePages))))"
    if let m = z.managed { out += " of \(m) managed" }
    out += "\n"
    if let w = z.watermarks, let head = z.headroomPages {
      let headText =
        head >= 0
        ? "+\(head) pages above low" : terminal.paint("\(head) pages: under low, kswapd is reclaiming", .red)
      let boost = z.boost.map { $0 > 0 ? " (boost \($0))" : "" } ?? ""
      out += "  watermarks min \(w.min) / low \(w.low) / high \(w.high)\(boost); headroom \(headText)\n"
    }
    out += "  free by order  \(Self.bars(z.freeBlocks))   \(z.freeBlocks.map(String.init).joined(separator: " "))\n"
    for o in z.orders { out += order(o) + "\n" }
    return out
  }

  func order(_ o: OrderDiagnosis) -> String {
    var s =
      "  order \(o.order): index \(index(o.fragmentationIndex)), unusable \(index(o.unusableIndex)), "
      + "\(o.suitableBlocks) block(s)"
    if o.failuresInLog > 0 { s += terminal.paint(", \(o.failuresInLog) failure(s) in log", .red) }
    let dec = decision(o.decision)
    if !dec.isEmpty { s += " — " + dec }
    return s
  }

  func nodes(_ nodes: [NodeDiagnosis]) -> String {
    var out = ""
    for n in nodes {
      out += "\nNode \(n.node) proactive-compaction score \(n.fragmentationScore)"
      out +=
        n.proactiveThreshold.map { " (kcompactd acts above \($0): \(n.kcompactdWouldRun ? "yes" : "no"))" }
        ?? " (proactive compaction off)"
    }
    return nodes.isEmpty ? out : out + "\n"
  }

  /// The unusable free space findings, strongest first.
  func unusable(_ shares: [UnusableShare]) -> String {
    guard !shares.isEmpty else { return "" }
    var out = "\nUnusable free memory (above 50% a finding, above 80% strong):\n"
    for u in shares {
      out += "  " + terminal.paint(u.text, u.strong ? .red : .yellow) + "\n"
    }
    return out
  }

  /// The `--profile` actions and whether each would run now.
  func profile(_ p: ProfileDiagnosis?) -> String {
    guard let p else { return "" }
    let orders = p.orders.map(String.init).joined(separator: ", ")
    var out = "\nProfile \(p.name)" + (p.orders.isEmpty ? ":\n" : ", its actions protect order(s) \(orders):\n")
    if p.actions.isEmpty { out += "  no actions\n" }
    for a in p.actions {
      let now = a.wouldRun == true ? terminal.paint(a.now, .yellow) : a.now
      out += "  \(a.action)\n    \(now)\n"
    }
    return out
  }

  func kernelLog(_ d: Diagnosis) -> String {
    guard !d.failures.isEmpty || d.oomKills > 0 else { return "" }
    var out = "\nKernel log:\n"
    for f in d.failures {
      out +=
        "  \(f.count) order-\(f.order) allocation failure(s)\(f.atomic ? " (atomic)" : "")"
        + (f.processes.isEmpty ? "" : " by \(f.processes.prefix(5).joined(separator: ", "))")
        + " — first at line \(f.firstLine)\n"
    }
    if d.oomKills > 0 {
      let listed = d.ooms.suffix(5).map { k in
        "\(k.comm) (pid \(k.pid), line \(k.line)"
          + (k.invoker.map { ", invoked by \($0)" + (k.order.map { " at order \($0)" } ?? "") } ?? "")
          + (k.cgroup ? ", memory cgroup limit" : "") + ")"
      }
      out += "  \(d.oomKills) OOM kill(s)" + (listed.isEmpty ? "" : ": " + listed.joined(separator: ", ")) + "\n"
    }
    return out
  }

  func advice(_ advice: [Advice]) -> String {
    var out = "\n" + terminal.paint("Advice", .bold) + "\n"
    for (i, a) in advice.enumerated() {
      out += "\(i + 1). \(a.title)\n     \(a.evidence)\n"
      for c in a.commands { out += "     $ \(c)\n" }
      if !a.profile.isEmpty {
        let fits = a.fits.map { " (the shipped \($0) profile has this: vmtune plan \($0))" } ?? ""
        out += "     profile\(fits):\n" + a.profile.map { "       \($0)\n" }.joined()
      }
    }
    return out
  }
}
