import VMTuneKernel
import VMTuneProfile

extension Frontend {
  /// `vmtune import sysctl`: the vm settings of sysctl.conf / sysctl.d `files`, later files
  /// winning as they do for `sysctl --system` given in that order.
  public func importSysctl(_ files: [String], name: String?) throws(VMTuneError) -> ProfileImport {
    let first = files.first.map { ProfilePath.stem($0) } ?? "imported"
    let stem = first.hasSuffix(".conf") ? String(first.dropLast(5)) : first
    var result = ProfileImport(
      name: name ?? stem, description: "Imported from \(files.joined(separator: ", "))",
      origin: "vmtune import sysctl")
    for path in files {
      let text: String
      do { text = try HostFiles.plain.readText(path) } catch {
        throw .file(path: path, what: "sysctl file", reason: error.description)
      }
      result.addSource(path)
      let parsed = SysctlConf.parse(text, file: path)
      for finding in parsed.findings { result.report(finding) }
      for assignment in parsed.assignments { result.add(assignment) }
    }
    return result
  }

  /// tuned's profile directories under the root, after `extra` ones, highest priority first.
  public func tunedDirectories(extra: [String]) -> [String] {
    extra + TunedImporter.standardDirectories.map(files.path)
  }

  /// `vmtune import tuned`: a tuned profile (directory, tuned.conf or name) with its includes.
  public func importTuned(_ nameOrPath: String, tunedDirs: [String]) throws(VMTuneError) -> ProfileImport {
    let importer = TunedImporter(reader: DiskProfileReader(), profileDirectories: tunedDirectories(extra: tunedDirs))
    do { return try importer.importProfile(at: nameOrPath) } catch { throw .other(error.description, hint: error.hint) }
  }

  /// The imported profile's YAML, loaded once with the project's own loader before anyone sees
  /// it: an import that does not load is a bug in vmtune, said as one.
  public static func loadableYAML(_ imported: ProfileImport) throws(VMTuneError) -> String {
    let yaml = imported.yaml()
    let path = imported.name + ".yaml"
    do {
      _ = try ProfileLoader(reader: MemoryProfileReader([path: yaml])).load(path: path)
    } catch {
      throw .other(
        "the imported profile does not load (a bug in vmtune import): \(error.description)",
        hint: "please report it with the files you imported")
    }
    return yaml
  }
}
