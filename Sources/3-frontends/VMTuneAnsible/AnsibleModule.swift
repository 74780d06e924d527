import FoundationEssentials
import VMTuneFrontend
import VMTuneKernel

/// vmtune as an Ansible module: Ansible copies the binary to the target and runs it with the path
/// of a JSON arguments file; the module answers with one JSON object on stdout
/// (`changed`, `failed`/`msg`, `warnings`, `diff`), honouring check mode and diff mode.
///
/// Arguments (see ``ModuleArguments``; documented for `ansible-doc` in
/// examples/ansible/library/vmtune.yml): `profile`, `root` (default /), `profile_dir` (list),
/// `persist`, `force`, `state` (`applied`, `checked`, `rolled_back` or `off`), `generation`.
public struct AnsibleModule {
  let raw: [String: JSONValue]

  /// Nil unless `argsPath` is a readable JSON object carrying Ansible's `_ansible_*` keys. Any
  /// such file is the module's: a problem with its arguments is a failed task, never a usage
  /// error from the command line parser (which Ansible cannot read).
  public init?(argsPath: String) {
    guard !argsPath.hasPrefix("-"), HostFiles.plain.kind(argsPath) == .file,
      let bytes = try? HostFiles.plain.read(argsPath, limit: 1 << 20),
      bytes.first == UInt8(ascii: "{"),
      let raw = try? JSONDecoder().decode([String: JSONValue].self, from: Data(bytes)),
      raw.keys.contains(where: { $0.hasPrefix("_ansible_") })
    else { return nil }
    self.raw = raw
  }

  /// Runs the task and prints its result; the exit status (0, or 1 when the task failed).
  public func run() -> Int32 {
    var warnings: [String] = []
    do {
      let args = try ModuleArguments(raw)
      warnings = args.warnings
      var result =
        switch args.state {
        case .applied, .checked: try AppliedState.run(args)
        case .rolledBack: try RolledBackState.run(args)
        case .off: try OffState.run(args)
        }
      warnings += result.warnings ?? []
      result.warnings = warnings.isEmpty ? nil : warnings
      if !args.diff { result.diff = nil }
      emit(result)
      return 0
    } catch {
      emit(.failure(error.description, warnings: warnings))
      return 1
    }
  }

  func emit(_ result: ModuleResult) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let text =
      (try? encoder.encode(result)).map { String(decoding: $0, as: UTF8.self) }
      ?? "{\"failed\": true, \"msg\": \"encoding failed\"}"
    print(text)
  }
}
