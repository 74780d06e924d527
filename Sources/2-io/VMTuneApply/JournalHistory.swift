extension JournalStore {
  /// Keeps at most ``keep`` journal files without losing what rollback needs: finished history
  /// (rolled-back, failed, corrupt) goes first, oldest first; then the applied generations after
  /// the first one are folded, oldest first, into one record (``Journal/fold(_:)``). The first
  /// applied generation — the host before vmtune — and the newest are never touched, so
  /// `rollback --to` the first one always works. Best effort: on any failure the history stays
  /// longer than ``keep``, never wrong.
  public func compact() {
    guard generations().count > Self.keep else { return }
    let scan = self.scan()
    var removed: Set<Int> = []
    func remove(_ generation: Int) {
      if (try? files.remove(Self.relativePath(generation))) != nil { removed.insert(generation) }
    }
    // Generations a fold already holds (a compaction interrupted between writing the fold and
    // removing what it folded).
    for fold in scan.journals where fold.through != nil {
      for j in scan.journals where j.generation > fold.generation && j.generation <= fold.through! {
        remove(j.generation)
      }
    }
    var journals = scan.journals.filter { !removed.contains($0.generation) }
    let baseline = journals.first { $0.state == .applied }?.generation
    let newest = generations().last
    var count = journals.count + scan.corrupt.count
    let finished =
      (journals.filter { $0.state == .rolledBack || $0.state == .failed }.map(\.generation)
      + scan.corrupt.map(\.generation)).sorted()
    for g in finished where count > Self.keep && g != baseline && g != newest {
      remove(g)
      if removed.contains(g) { count -= 1 }
    }
    guard count > Self.keep else { return }
    journals.removeAll { removed.contains($0.generation) }
    let applied = journals.filter { $0.state == .applied && $0.generation != baseline }
    // Fold enough of the oldest into one to get back to `keep`, leaving the newest whole.
    let folding = Array(applied.dropLast().prefix(count - Self.keep + 1))
    guard folding.count >= 2, let first = folding.first, let last = folding.last else { return }
    var folded = first
    folded.entries = Journal.fold(folding)
    folded.through = last.through ?? last.generation
    folded.profile = folding.map(\.profile).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
      .joined(separator: ", ")
    folded.files = folding.flatMap(\.files).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    folded.kernelRelease = last.kernelRelease
    folded.persisted = folding.compactMap(\.persisted).first
    folded.note = "generations \(first.generation)…\(folded.through!) folded by history compaction"
    do { try save(folded) } catch { return }
    for j in folding.dropFirst() { try? files.remove(Self.relativePath(j.generation)) }
  }
}
