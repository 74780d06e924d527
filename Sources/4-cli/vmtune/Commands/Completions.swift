import ArgumentParser
import VMTuneFrontend
import VMTuneKernel
import VMTuneProfile

#if canImport(Glibc)
  import Glibc
#endif

/// Shell completions computed by vmtune itself: the generated bash, zsh and fish scripts call
/// `vmtune ---completion SUBCOMMAND -- ARGUMENT …` when the user presses TAB on an argument whose
/// completion is `.custom`, and offer the lines printed.
enum Completions {
  /// A profile name from the search path `--root` and `--profile-dir` on the command line give
  /// (as `vmtune profiles` lists them), or a path to a profile file when the word looks like a
  /// path or no name starts with it.
  static let profile = CompletionKind.custom { words, _, prefix in profiles(words: words, prefix: prefix) }

  /// A knob from the catalog (`vmtune explain` lists them), with `vm.` when the word has it.
  static let knob = CompletionKind.custom { _, _, prefix in knobs(prefix: prefix) }

  static func profiles(words: [String], prefix: String) -> [String] {
    let names: [String]
    if let frontend = try? Frontend(
      root: optionValues("--root", in: words).last ?? "/", profileDirs: optionValues("--profile-dir", in: words))
    {
      names = frontend.profileFiles().map(\.name).filter { $0.hasPrefix(prefix) }
    } else {
      names = []
    }
    let looksLikePath = prefix.contains("/") || prefix.hasPrefix(".") || prefix.hasPrefix("~")
    return looksLikePath || names.isEmpty ? names + profilePaths(prefix: prefix) : names
  }

  static func knobs(prefix: String) -> [String] {
    let spelled = prefix.hasPrefix("vm.") ? "vm." : ""
    return KnobCatalog.all.keys.sorted().map { spelled + $0 }.filter { $0.hasPrefix(prefix) }
  }

  /// Directories (with a trailing `/`) and YAML files whose path starts with `prefix`.
  static func profilePaths(prefix: String) -> [String] {
    let slash = prefix.lastIndex(of: "/")
    let typedDir = slash.map { String(prefix[...$0]) } ?? ""
    let stem = slash.map { String(prefix[prefix.index(after: $0)...]) } ?? prefix
    var dir = typedDir.isEmpty ? "." : typedDir
    if dir.hasPrefix("~/"), let home = getenv("HOME").map({ String(cString: $0) }) {
      dir = home + dir.dropFirst()
    }
    return HostFiles.plain.list(dir).compactMap { name in
      guard name.hasPrefix(stem), !name.hasPrefix(".") || stem.hasPrefix(".") else { return nil }
      let path = dir == "." ? name : ProfilePath.join(dir, name)
      if HostFiles.plain.isDirectory(following: path) { return typedDir + name + "/" }
      return name.hasSuffix(".yaml") || name.hasSuffix(".yml") ? typedDir + name : nil
    }
  }

  /// Every value given to `option` in shell words (`--root DIR` and `--root=DIR`).
  static func optionValues(_ option: String, in words: [String]) -> [String] {
    var values: [String] = []
    for (i, word) in words.enumerated() {
      if word == option, i + 1 < words.count {
        values.append(words[i + 1])
      } else if word.hasPrefix(option + "=") {
        values.append(String(word.dropFirst(option.count + 1)))
      }
    }
    return values
  }
}
