import ArgumentParser
import VMTuneFrontend
import VMTuneHost
import VMTuneKernel
import VMTuneModel
import VMTunePlan
import VMTuneProfile

struct WatermarksCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "watermarks",
    abstract: "Show each zone's watermarks now and as the kernel would compute them for other settings.",
    discussion: """
      Computes __setup_per_zone_wmarks() for this host's zones (managed pages from
      /proc/zoneinfo) with the given min_free_kbytes and watermark_scale_factor (default: the
      live values), next to what the kernel shows now (boost excluded). Read-only.

      --verify exits 1 unless the model reproduces the kernel's current watermarks exactly;
      --expect PLAN exits 1 unless the watermarks a saved plan predicted are the live ones
      (run it after 'vmtune apply --plan PLAN').
      """)

  @OptionGroup var host: HostOptions

  @Option(
    name: .customLong("min-free-kbytes"), help: ArgumentHelp("Predict for this min_free_kbytes.", valueName: "KB"))
  var minFreeKbytes: UInt64?

  @Option(
    name: .customLong("watermark-scale-factor"),
    help: ArgumentHelp("Predict for this watermark_scale_factor.", valueName: "N"))
  var scaleFactor: UInt64?

  @Flag(help: "Exit 1 unless the model reproduces the live watermarks from the live settings.")
  var verify = false

  @Option(
    name: .long,
    help: ArgumentHelp("Exit 1 unless the live watermarks equal those a saved plan predicted.", valueName: "PLAN"))
  var expect: String?

  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

  struct Row: Encodable {
    var node: Int
    var zone: String
    var managed: UInt64
    var free: UInt64
    var now: Watermarks
    var predicted: Watermarks
  }

  func run() throws {
    let snap = try host.frontend().readHost()
    guard let info = snap.zoneInfo, !info.zones.isEmpty else {
      throw VMTuneError.other("no /proc/zoneinfo under \(host.files.rootDescription)")
    }
    let live = (
      min: snap.values["min_free_kbytes"].flatMap { UInt64($0) } ?? 0,
      wsf: snap.values["watermark_scale_factor"].flatMap { UInt64($0) } ?? 10
    )
    let kernel = snap.kernelRelease.flatMap { KernelVersion(parsing: $0) }
    let rule = kernel.map { WatermarkRule.forKernel(major: $0.major, minor: $0.minor) } ?? .movableCapped
    let zones = info.zones.map {
      ZoneMemory(node: $0.node, name: $0.name, managed: $0.managedPages, present: $0.present)
    }
    let predicted = WatermarkModel.predict(
      zones, minFreeKbytes: minFreeKbytes ?? live.min, scaleFactor: scaleFactor ?? live.wsf, rule: rule)
    let rows = info.zones.indices.map { i -> Row in
      let z = info.zones[i]
      return Row(
        node: z.node, zone: z.name, managed: z.managedPages, free: z.free, now: z.unboosted, predicted: predicted[i])
    }
    if format == .json {
      print(try JSONFile.string(rows))
    } else {
      print(
        "min_free_kbytes \(minFreeKbytes ?? live.min), watermark_scale_factor \(scaleFactor ?? live.wsf), rule "
          + "\(rule.rawValue)\n"
      )
      print(
        "\(pad("ZONE", 16)) \(pad("MANAGED", 10)) \(pad("FREE", 10)) \(pad("NOW min/low/high", 26)) PREDICTED "
          + "min/low/high"
      )
      for r in rows {
        print(
          "\(pad("Node \(r.node) \(r.zone)", 16)) \(pad(String(r.managed), 10)) \(pad(String(r.free), 10)) "
            + "\(pad("\(r.now.min)/\(r.now.low)/\(r.now.high)", 26)) "
            + "\(r.predicted.min)/\(r.predicted.low)/\(r.predicted.high)"
        )
      }
    }
    var mismatches: [String] = []
    func same(_ a: Watermarks, _ b: Watermarks) -> Bool {
      a.min == b.min && a.low == b.low && a.high == b.high && (!info.hasPromo || a.promo == b.promo)
    }
    if verify {
      guard minFreeKbytes == nil, scaleFactor == nil else {
        throw ValidationError("--verify compares the live settings; drop --min-free-kbytes/--watermark-scale-factor")
      }
      for r in rows where !same(r.now, r.predicted) {
        mismatches.append(
          "Node \(r.node) \(r.zone): kernel \(r.now.min)/\(r.now.low)/\(r.now.high)/\(r.now.promo), model "
            + "\(r.predicted.min)/\(r.predicted.low)/\(r.predicted.high)/\(r.predicted.promo)"
        )
      }
    }
    if let expect {
      let plan: Plan = try JSONFile.decode(expect, what: "plan")
      guard let forecast = plan.watermarks else {
        throw VMTuneError.other(
          "\(expect) predicts no watermarks (it changes neither min_free_kbytes nor watermark_scale_factor)")
      }
      for f in forecast {
        guard let r = rows.first(where: { $0.node == f.node && $0.zone == f.zone }) else {
          mismatches.append("Node \(f.node) \(f.zone): in the plan, not on this host")
          continue
        }
        if !same(r.now, f.after) {
          mismatches.append(
            "Node \(f.node) \(f.zone): kernel \(r.now.min)/\(r.now.low)/\(r.now.high)/\(r.now.promo), plan predicted "
              + "\(f.after.min)/\(f.after.low)/\(f.after.high)/\(f.after.promo)"
          )
        }
      }
    }
    if verify || expect != nil {
      if mismatches.isEmpty {
        print("\nall \(rows.count) zones match")
      } else {
        for m in mismatches { Terminal.error("mismatch: \(m)") }
        throw ExitCode.failure
      }
    }
  }
}
