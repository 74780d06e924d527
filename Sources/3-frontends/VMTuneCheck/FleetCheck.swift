import Dispatch
import FoundationEssentials
import Synchronization
import VMTuneFrontend
import VMTuneHost
import VMTuneKernel
import VMTunePlan
import VMTuneProfile

/// Output formats of `vmtune check`.
public enum CheckFormat: String, CaseIterable, Sendable {
  case text, json, junit, prometheus
}

/// `vmtune check PROFILE --snapshot DIR`: every `*.json` snapshot in DIR checked against one
/// profile, decoded and planned on all cores.
public enum FleetCheck {
  struct Output: Encodable {
    var formatVersion = 1
    var profile: String
    var checked: Int
    var drifted: Int
    var errors: [String]
    var hosts: [CheckReport]
  }

  /// Prints the report and returns the exit status: 0 in sync, 2 drift, 1 unreadable snapshots.
  public static func run(
    profile: Profile, directory: String, format: CheckFormat, terminal: Terminal, timestamp: Int64
  ) throws(VMTuneError) -> Int32 {
    let names = HostFiles.plain.list(directory).filter { $0.hasSuffix(".json") }
    let (reports, errors) = check(profile, directory: directory, names: names, timestamp: timestamp)
    let drifted = reports.filter { $0.drifted > 0 }
    switch format {
    case .text: print(text(drifted, of: reports.count, profile: profile.name, terminal: terminal))
    case .json:
      let output = Output(
        profile: profile.name, checked: reports.count, drifted: drifted.count, errors: errors, hosts: reports)
      print(try JSONFile.string(output))
    case .junit: print(CheckReport.junit(reports), terminator: "")
    case .prometheus: print(CheckReport.prometheus(reports, fleet: true), terminator: "")
    }
    for e in errors { Terminal.error("vmtune: error: cannot check \(e)") }
    if names.isEmpty { Terminal.error("vmtune: error: no *.json snapshots in \(directory)") }
    if !errors.isEmpty || names.isEmpty { return 1 }
    return drifted.isEmpty ? 0 : 2
  }

  /// Decodes and plans every snapshot on all cores; reports and errors in path order.
  static func check(
    _ profile: Profile, directory: String, names: [String], timestamp: Int64
  ) -> (reports: [CheckReport], errors: [String]) {
    let results = Mutex<[(String, Result<CheckReport, any Error>)]>([])
    let decoder = JSONDecoder()
    decoder.userInfo[DriftFields.keysInfo] = DriftFields.keys(of: profile)
    DispatchQueue.concurrentPerform(iterations: names.count) { i in
      let path = ProfilePath.join(directory, names[i])
      let result = Result { () throws -> CheckReport in
        var snap = try decoder.decode(DriftFields.self, from: Data(try HostFiles.plain.read(path))).snapshot
        guard snap.formatVersion == HostSnapshot.formatVersion else {
          throw VMTuneError.other(
            "snapshot format \(snap.formatVersion); this vmtune reads \(HostSnapshot.formatVersion)")
        }
        if snap.hostname == nil { snap.hostname = ProfilePath.stem(names[i].replacingJSON()) }
        return CheckReport(plan: Planner.plan(profile, on: snap), timestamp: timestamp)
      }
      results.withLock { $0.append((path, result)) }
    }
    var reports: [CheckReport] = []
    var errors: [String] = []
    for (path, r) in results.withLock({ $0 }).sorted(by: { $0.0 < $1.0 }) {
      switch r {
      case .success(let report): reports.append(report)
      case .failure(let e): errors.append("\(path): \(e)")
      }
    }
    return (reports, errors)
  }

  /// The drifted hosts' table and the rollup line (`3/120 hosts drifted from kvm-host`).
  static func text(_ drifted: [CheckReport], of checked: Int, profile: String, terminal: Terminal) -> String {
    var out = ""
    if !drifted.isEmpty {
      let width = max(4, drifted.map(\.host.count).max() ?? 4)
      out += "\(pad("HOST", width))  DRIFTED  OK   KEYS\n"
      for r in drifted {
        let keys = r.keys.filter { $0.status == "drift" }.map { "\($0.key) (\($0.live ?? "?"))" }
        out += "\(pad(r.host, width))  \(pad(String(r.drifted), 7))  \(pad(String(r.inSync), 3))  "
        out += keys.joined(separator: ", ") + "\n"
      }
      out += "\n"
    }
    let verdict = "\(drifted.count)/\(checked) hosts drifted from \(profile)"
    return out + (drifted.isEmpty ? terminal.paint(verdict, .green) : terminal.paint(verdict, .red))
  }
}

/// The parts of a snapshot a drift check reads: the profile's keys (and their exclusive
/// partners) of `values`/`unreadable`, MemTotal, kernel, NUMA and CPUs. Decoding only these (the
/// keys come through `userInfo`) skips the zone and buddy tables and most dictionaries, which
/// were most of the time spent per host.
struct DriftFields: Decodable {
  static let keysInfo = CodingUserInfoKey(rawValue: "vmtune.keys")!

  struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  enum Keys: String, CodingKey {
    case formatVersion, hostname, kernelRelease, values, unreadable, memInfo, numaNodes, cpus
  }

  var formatVersion: Int
  var snapshot: HostSnapshot

  init(from decoder: any Decoder) throws {
    let wanted = decoder.userInfo[Self.keysInfo] as? [String] ?? []
    let c = try decoder.container(keyedBy: Keys.self)
    formatVersion = try c.decode(Int.self, forKey: .formatVersion)
    func pick(_ key: Keys) throws -> [String: String] {
      guard c.contains(key) else { return [:] }
      let inner = try c.nestedContainer(keyedBy: AnyKey.self, forKey: key)
      var out: [String: String] = [:]
      for k in wanted {
        if let v = try inner.decodeIfPresent(String.self, forKey: AnyKey(k)) { out[k] = v }
      }
      return out
    }
    let mem = try c.nestedContainer(keyedBy: AnyKey.self, forKey: .memInfo)
      .nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("values"))
    var memInfo = MemInfo(values: [:])
    memInfo.values["MemTotal"] = try mem.decodeIfPresent(UInt64.self, forKey: AnyKey("MemTotal"))
    snapshot = HostSnapshot(
      hostname: try c.decodeIfPresent(String.self, forKey: .hostname),
      kernelRelease: try c.decodeIfPresent(String.self, forKey: .kernelRelease),
      values: try pick(.values), unreadable: try pick(.unreadable), memInfo: memInfo,
      numaNodes: try c.decode(Int.self, forKey: .numaNodes), cpus: try c.decode(Int.self, forKey: .cpus))
    snapshot.formatVersion = formatVersion
  }

  /// The keys a drift check of `profile` reads.
  static func keys(of profile: Profile) -> [String] {
    var keys = Set(profile.settings.map(\.key))
    for s in profile.settings { if let p = s.knob.exclusiveWith { keys.insert(p) } }
    return keys.sorted()
  }
}

extension String {
  fileprivate func replacingJSON() -> String { hasSuffix(".json") ? String(dropLast(5)) : self }
}
