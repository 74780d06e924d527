import ArgumentParser
import Dispatch
import FoundationEssentials
import Synchronization
import VMTuneKernel
import VMTunePlan
import VMTuneProfile

/// `vmtune check PROFILE --snapshot DIR`: every `*.json` snapshot in DIR checked against one
/// profile, decoded and planned on all cores.
struct FleetCheck {
  struct Output: Encodable {
    var formatVersion = 1
    var profile: String
    var checked: Int
    var drifted: Int
    var errors: [String]
    var hosts: [CheckReport]
  }

  static func run(profile: Profile, directory: String, format: CheckFormat, terminal: Terminal, timestamp: Int64) throws -> Int32 {
    let names = HostFiles.plain.list(directory).filter { $0.hasSuffix(".json") }
    let results = Mutex<[(String, Result<CheckReport, any Error>)]>([])
    DispatchQueue.concurrentPerform(iterations: names.count) { i in
      let path = ProfilePath.join(directory, names[i])
      let result: Result<CheckReport, any Error>
      do {
        let bytes = try HostFiles.plain.read(path)
        var snap = try JSONDecoder().decode(DriftFields.self, from: Data(bytes)).snapshot
        guard snap.formatVersion == HostSnapshot.formatVersion else {
          throw ValidationError("snapshot format \(snap.formatVersion); this vmtune reads \(HostSnapshot.formatVersion)")
        }
        if snap.hostname == nil { snap.hostname = ProfilePath.stem(names[i].replacingJSON()) }
        result = .success(CheckReport(plan: Planner.plan(profile, on: snap), timestamp: timestamp))
      } catch {
        result = .failure(error)
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
    let drifted = reports.filter { $0.drifted > 0 }
    switch format {
    case .text:
      if !drifted.isEmpty {
        let width = max(4, drifted.map(\.host.count).max() ?? 4)
        print("\(pad("HOST", width))  DRIFTED  OK   KEYS")
        for r in drifted {
          let keys = r.keys.filter { $0.status == "drift" }.map { "\($0.key) (\($0.live ?? "?"))" }.joined(separator: ", ")
          print("\(pad(r.host, width))  \(pad(String(r.drifted), 7))  \(pad(String(r.inSync), 3))  \(keys)")
        }
        print("")
      }
      let verdict = "\(drifted.count)/\(reports.count) hosts drifted from \(profile.name)"
      print(drifted.isEmpty ? terminal.paint(verdict, .green) : terminal.paint(verdict, .red))
    case .json:
      print(try JSONOutput.string(Output(profile: profile.name, checked: reports.count, drifted: drifted.count, errors: errors, hosts: reports)))
    case .junit:
      print(CheckReport.junit(reports), terminator: "")
    case .prometheus:
      print(CheckReport.prometheus(reports, fleet: true), terminator: "")
    }
    for e in errors { Terminal.error("vmtune: error: cannot check \(e)") }
    if !errors.isEmpty || names.isEmpty {
      if names.isEmpty { Terminal.error("vmtune: error: no *.json snapshots in \(directory)") }
      return 1
    }
    return drifted.isEmpty ? 0 : 2
  }
}

/// The parts of a snapshot a drift check reads (values, kernel, memory, NUMA): decoding only
/// these skips the zone and buddy tables, which are most of the bytes and most of the time.
struct DriftFields: Decodable {
  var formatVersion: Int
  var hostname: String?
  var kernelRelease: String?
  var values: [String: String]
  var unreadable: [String: String]?
  var memInfo: MemInfo
  var numaNodes: Int
  var cpus: Int

  var snapshot: HostSnapshot {
    var s = HostSnapshot(
      hostname: hostname, kernelRelease: kernelRelease, values: values, unreadable: unreadable ?? [:],
      memInfo: memInfo, numaNodes: numaNodes, cpus: cpus)
    s.formatVersion = formatVersion
    return s
  }
}

extension String {
  fileprivate func replacingJSON() -> String { hasSuffix(".json") ? String(dropLast(5)) : self }
}
