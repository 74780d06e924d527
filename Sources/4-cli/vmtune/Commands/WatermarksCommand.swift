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
    help: ArgumentHelp("Exit 1 unless the live watermarks equal those a saved plan predicted.", valueName: "PLAN"),
    completion: .file(extensions: ["json"]))
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

    var name: String { "Node \(node) \(zone)" }
  }

  func validate() throws {
    // What-ifs only for values the kernel accepts (it refuses the others with EINVAL).
    for (key, value) in [("min_free_kbytes", minFreeKbytes), ("watermark_scale_factor", scaleFactor)] {
      guard let value, let knob = KnobCatalog.knob(key) else { continue }
      if let why = knob.rejection(of: Int64(clamping: value)) {
        throw ValidationError("--\(key.replacingUnderscores()) \(value): \(why)")
      }
    }
    if verify, minFreeKbytes != nil || scaleFactor != nil {
      throw ValidationError("--verify compares the live settings; drop --min-free-kbytes/--watermark-scale-factor")
    }
  }

  func run() throws {
    let snap = try host.frontend().readHost()
    guard let info = snap.zoneInfo, !info.zones.isEmpty else {
      throw VMTuneError.other("no /proc/zoneinfo under \(host.files.rootDescription)")
    }
    let settings = (
      min: minFreeKbytes ?? snap.values["min_free_kbytes"].flatMap { UInt64($0) } ?? 0,
      wsf: scaleFactor ?? snap.values["watermark_scale_factor"].flatMap { UInt64($0) } ?? 10
    )
    let kernel = snap.kernelRelease.flatMap { KernelVersion(parsing: $0) }
    let rule = WatermarkForecast.rule(kernel)
    let ruleText = kernel == nil ? "\(rule.rawValue) (assumed: the kernel release is unknown)" : rule.rawValue
    let predicted = WatermarkModel.predict(
      WatermarkForecast.zones(info), minFreeKbytes: settings.min, scaleFactor: settings.wsf, rule: rule,
      pageShift: snap.pageSize.shift)
    let rows = zip(info.zones, predicted).map { z, p in
      Row(node: z.node, zone: z.name, managed: z.managedPages, free: z.free, now: z.unboosted, predicted: p)
    }
    if format == .json {
      print(try JSONFile.string(rows))
    } else {
      print(
        "min_free_kbytes \(settings.min), watermark_scale_factor \(settings.wsf), rule \(ruleText), "
          + "page size \(snap.pageSize)\n")
      print(table(rows))
    }
    for warning in capacityWarnings(rows) { Terminal.error("warning: \(warning)") }
    guard verify || expect != nil else { return }
    let promo = info.hasPromo
    let same = { (a: Watermarks, b: Watermarks) in a.matches(b, promo: promo) }
    var mismatches =
      verify
      ? rows.filter { !same($0.now, $0.predicted) }.map {
        "\($0.name): kernel \($0.now.text(promo: promo)), model \($0.predicted.text(promo: promo))"
      } : []
    if let expect { mismatches += try expectationMismatches(expect, rows, same, promo: promo) }
    guard mismatches.isEmpty else {
      throw VMTuneError.other(mismatches.map { "mismatch: \($0)" }.joined(separator: "\n"))
    }
    print("\nall \(rows.count) zones match")
  }

  func table(_ rows: [Row]) -> String {
    var lines = [
      "\(pad("ZONE", 16)) \(pad("MANAGED", 10)) \(pad("FREE", 10)) \(pad("NOW min/low/high", 26)) "
        + "PREDICTED min/low/high"
    ]
    for r in rows {
      let now = "\(r.now.min)/\(r.now.low)/\(r.now.high)"
      let next = "\(r.predicted.min)/\(r.predicted.low)/\(r.predicted.high)"
      lines.append(
        "\(pad(r.name, 16)) \(pad(String(r.managed), 10)) \(pad(String(r.free), 10)) \(pad(now, 26)) \(next)")
    }
    return lines.joined(separator: "\n")
  }

  /// Predicted watermarks a zone cannot hold: high at or above its managed pages (kswapd could
  /// never finish), or above the pages free now (kswapd would start reclaiming at once).
  func capacityWarnings(_ rows: [Row]) -> [String] {
    rows.filter { $0.managed > 0 }.compactMap { r in
      if r.predicted.high >= r.managed {
        return "\(r.name): the predicted high watermark (\(r.predicted.high) pages) reaches the zone's size "
          + "(\(r.managed) managed pages); kswapd could never finish and allocations would stall at min"
      }
      if r.predicted.high > r.free, r.predicted.high > r.now.high {
        return "\(r.name): the predicted high watermark (\(r.predicted.high) pages) is above the \(r.free) pages "
          + "free now; kswapd would start reclaiming as soon as it is written"
      }
      return nil
    }
  }

  /// Zones whose live watermarks differ from those the saved plan at `path` predicted.
  func expectationMismatches(
    _ path: String, _ rows: [Row], _ same: (Watermarks, Watermarks) -> Bool, promo: Bool
  ) throws -> [String] {
    let plan: Plan = try JSONFile.decode(path, what: "plan")
    guard let forecast = plan.watermarks else {
      throw VMTuneError.other(
        "\(path) predicts no watermarks (it changes neither min_free_kbytes nor watermark_scale_factor)")
    }
    return forecast.compactMap { f in
      guard let r = rows.first(where: { $0.node == f.node && $0.zone == f.zone }) else {
        return "Node \(f.node) \(f.zone): in the plan, not on this host"
      }
      return same(r.now, f.after)
        ? nil : "\(r.name): kernel \(r.now.text(promo: promo)), plan predicted \(f.after.text(promo: promo))"
    }
  }
}

extension Watermarks {
  /// `min/low/high`, and `/promo` where the kernel prints one (6.x with memory tiering).
  func text(promo: Bool) -> String { "\(min)/\(low)/\(high)" + (promo ? "/\(self.promo)" : "") }

  /// Equal min, low and high (and promo when the kernel prints one).
  func matches(_ other: Watermarks, promo: Bool) -> Bool {
    min == other.min && low == other.low && high == other.high && (!promo || self.promo == other.promo)
  }
}

extension String {
  /// `min_free_kbytes` → `min-free-kbytes`, as the option is spelled.
  fileprivate func replacingUnderscores() -> String { String(map { $0 == "_" ? "-" : $0 }) }
}
