/// The kernel's integer helpers, so formulas read like their C originals.
public enum KernelMath {
  /// `mult_frac(x, n, d)`: `(x/d)*n + ((x%d)*n)/d` — floor(x*n/d) without overflowing.
  public static func multFrac(_ x: UInt64, _ n: UInt64, _ d: UInt64) -> UInt64 {
    guard d != 0 else { return 0 }
    return (x / d) * n + ((x % d) * n) / d
  }

  /// `int_sqrt(x)`: floor of the square root.
  public static func intSqrt(_ x: UInt64) -> UInt64 {
    if x < 2 { return x }
    // Start from the floating-point estimate, then correct it exactly (no overflow: r < 2^32).
    var r = Swift.min(UInt64(Double(x).squareRoot()), 4_294_967_295)
    while r * r > x { r -= 1 }
    while r < 4_294_967_295, (r + 1) * (r + 1) <= x { r += 1 }
    return r
  }
}
