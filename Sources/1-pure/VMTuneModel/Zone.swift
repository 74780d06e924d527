/// The memory of one zone as the watermark code sees it (pages of 4 KiB).
public struct ZoneMemory: Sendable, Hashable, Codable {
  public var node: Int
  /// `DMA`, `DMA32`, `Normal`, `HighMem`, `Movable`, `Device`.
  public var name: String
  public var managed: UInt64
  public var present: UInt64

  public init(node: Int, name: String, managed: UInt64, present: UInt64) {
    self.node = node
    self.name = name
    self.managed = managed
    self.present = present
  }

  public var isHighMem: Bool { name == "HighMem" }
  public var isMovable: Bool { name == "Movable" }
  /// Zones a GFP_USER allocation may use (everything up to Normal).
  public var isUserZone: Bool { ["DMA", "DMA32", "Normal"].contains(name) }
}

/// The four watermarks of a zone, in pages, without the transient boost.
public struct Watermarks: Sendable, Hashable, Codable {
  public var min: UInt64
  public var low: UInt64
  public var high: UInt64
  public var promo: UInt64

  public init(min: UInt64, low: UInt64, high: UInt64, promo: UInt64) {
    self.min = min
    self.low = low
    self.high = high
    self.promo = promo
  }
}
