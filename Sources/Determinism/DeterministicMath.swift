/// Logarithm and exponential computed by our own code, so that sampling gives the same bits on
/// every machine: libm implementations may differ in the last bit between C libraries and
/// versions, and one differing bit in a delay changes the whole trace. Only IEEE-754 basic
/// operations (+ - * / and the correctly rounded `squareRoot`) are used.
public enum DeterministicMath {
    static let ln2Hi = 6.931_471_803_691_238_164_90e-01
    static let ln2Lo = 1.908_214_929_270_587_700_02e-10

    /// Natural logarithm for x > 0 (x <= 0 gives -infinity or nan).
    public static func log(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return x == 0 ? -.infinity : (x.isNaN || x < 0 ? .nan : x) }
        // x = m * 2^e with m in [sqrt(1/2), sqrt(2)).
        var exponent = Double(x.exponent)
        var mantissa = x.significand  // [1, 2)
        if mantissa > 1.414_213_562_373_095_1 {
            mantissa *= 0.5
            exponent += 1
        }
        // log(m) = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716: series to s^21 is below 1e-17.
        let s = (mantissa - 1) / (mantissa + 1)
        let s2 = s * s
        var term = s2
        var sum = 0.0
        var k = 3.0
        while k <= 21 {
            sum += term / k
            term *= s2
            k += 2
        }
        let logMantissa = 2 * s + 2 * s * sum
        return exponent * ln2Hi + (exponent * ln2Lo + logMantissa)
    }

    /// e^x; overflows to +infinity above about 709.78 and underflows to 0 below about -745.
    public static func exp(_ x: Double) -> Double {
        guard x.isFinite else { return x.isNaN ? .nan : (x > 0 ? .infinity : 0) }
        if x > 709.78 { return .infinity }
        if x < -745.2 { return 0 }
        // x = k ln2 + r, |r| <= ln2 / 2.
        let k = (x * 1.442_695_040_888_963_4).rounded(.toNearestOrEven)
        let r = (x - k * ln2Hi) - k * ln2Lo
        // Taylor series of e^r to r^18 (|r| < 0.35): error below 1e-17.
        var term = 1.0
        var sum = 1.0
        var n = 1.0
        while n <= 18 {
            term *= r / n
            sum += term
            n += 1
        }
        return scaleByPowerOfTwo(sum, Int(k))
    }

    /// x^y for x > 0.
    public static func pow(_ x: Double, _ y: Double) -> Double { exp(y * log(x)) }

    static func scaleByPowerOfTwo(_ value: Double, _ power: Int) -> Double {
        var result = value
        var remaining = power
        while remaining > 1000 { result *= 0x1p1000; remaining -= 1000 }
        while remaining < -1000 { result *= 0x1p-1000; remaining += 1000 }
        return result * Double(sign: .plus, exponent: remaining, significand: 1)
    }
}
