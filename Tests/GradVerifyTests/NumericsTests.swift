import GradVerify
import Testing

/// The numerical building blocks: compensated summation, complex-step arithmetic and the running
/// rounding-error bound. Reference values were computed with mpmath at 200 bits and rounded once to
/// Double (or split as hi + lo where the test needs the exact value).
@Suite struct NumericsTests {
  static let u = RoundingBoundNumber.unitRoundoff

  /// |a − b| in units of b's ulp (b is the correctly rounded reference).
  static func ulps(_ a: Double, from b: Double) -> Double { abs(a - b) / b.ulp }

  // MARK: - NeumaierSum

  @Test("Neumaier summation recovers [1, 1e100, 1, −1e100] = 2 where the naive sum gives 0")
  func neumaierIllConditioned() {
    let terms = [1.0, 1e100, 1.0, -1e100]
    var naive = 0.0
    for x in terms { naive += x }
    #expect(naive == 0)  // both 1s are absorbed by 1e100
    var s = NeumaierSum()
    for x in terms { s.add(x) }
    #expect(s.value == 2)
    #expect(terms.compensatedSum() == 2)
  }

  @Test("Neumaier summation of 10⁶ copies of 0.1 is the correctly rounded 100000")
  func neumaierManyTerms() {
    // The double 0.1 is 0.1000000000000000055511151231257827…, so the exact sum is 100000 + 5.55e-12,
    // less than half an ulp of 100000 (ulp = 1.46e-11) above it: the correctly rounded total is 100000.
    // Neumaier's error is u|S| + O(n u²) Σ|xᵢ| before the final rounding; the O(n u²) part is ~1e-21 here,
    // so the final s + c rounds to 100000. The naive sum drifts by about n²u/2·0.1 ≈ 1e-6.
    let terms = [Double](repeating: 0.1, count: 1_000_000)
    var naive = 0.0
    for x in terms { naive += x }
    #expect(naive != 100_000)
    #expect(terms.compensatedSum() == 100_000)
  }

  @Test("An empty Neumaier sum is 0, and summing exact integers is exact")
  func neumaierTrivial() {
    #expect(NeumaierSum().value == 0)
    #expect([Double]().compensatedSum() == 0)
    #expect((1...1000).map(Double.init).compensatedSum() == 500_500)
  }

  // MARK: - ComplexStepNumber

  /// A function of one real variable, evaluated in complex-step arithmetic, with its derivative.
  enum Function: String, Sendable, CaseIterable {
    case exp, log, log1p, tanh, rational, reciprocal

    func callAsFunction(_ z: ComplexStepNumber) -> ComplexStepNumber {
      switch self {
      case .exp: .exp(z)
      case .log: .log(z)
      case .log1p: .log1p(z)
      case .tanh: .tanh(z)
      case .rational: (z * 2 + 1) / (z - 5)  // f = (2x + 1)/(x − 5), f' = −11/(x − 5)²
      case .reciprocal: ComplexStepNumber(1) / z  // f' = −1/x²
      }
    }
  }

  struct DerivativeRow: Sendable, CustomTestStringConvertible {
    var function: Function
    var x: Double
    /// f'(x), correctly rounded (mpmath, 200 bits).
    var derivative: Double
    var testDescription: String { "\(function.rawValue)'(\(x))" }
  }

  static let derivativeRows: [DerivativeRow] = [
    // exp' = exp
    .init(function: .exp, x: -3.5, derivative: 0.0301973834223185),
    .init(function: .exp, x: -0.75, derivative: 0.4723665527410147),
    .init(function: .exp, x: 0, derivative: 1),
    .init(function: .exp, x: 0.5, derivative: 1.6487212707001282),
    .init(function: .exp, x: 2, derivative: 7.38905609893065),
    .init(function: .exp, x: 10.25, derivative: 28282.541920334977),
    .init(function: .exp, x: 700, derivative: 1.0142320547350045e+304),
    // log' = 1/x (x is the double nearest 0.1 etc.; 1/x computed for that double)
    .init(function: .log, x: 0.1, derivative: 10),
    .init(function: .log, x: 0.75, derivative: 1.3333333333333333),
    .init(function: .log, x: 1, derivative: 1),
    .init(function: .log, x: 3, derivative: 0.3333333333333333),
    .init(function: .log, x: 1e-5, derivative: 99999.99999999999),
    .init(function: .log, x: 1e10, derivative: 1e-10),
    // log1p' = 1/(1 + x)
    .init(function: .log1p, x: -0.75, derivative: 4),
    .init(function: .log1p, x: -0.5, derivative: 2),
    .init(function: .log1p, x: 0x1p-30, derivative: 0.9999999990686774),
    .init(function: .log1p, x: 0.5, derivative: 0.6666666666666666),
    .init(function: .log1p, x: 3, derivative: 0.25),
    .init(function: .log1p, x: 1e6, derivative: 9.99999000001e-07),
    // tanh' = sech²; |x| > 20 takes the saturated branch, where sech² x = 4e^{−2|x|}/(1 + e^{−2|x|})²
    // differs from the branch's 4e^{−2|x|} by a relative 2e^{−2|x|} < 1e-17: below half an ulp.
    .init(function: .tanh, x: -19.5, derivative: 4.6192896692063144e-17),
    .init(function: .tanh, x: -2, derivative: 0.07065082485316447),
    .init(function: .tanh, x: -0.3, derivative: 0.9151369618266292),
    .init(function: .tanh, x: 0, derivative: 1),
    .init(function: .tanh, x: 0.625, derivative: 0.692419147969988),
    .init(function: .tanh, x: 1, derivative: 0.4199743416140261),
    .init(function: .tanh, x: 5, derivative: 0.0001815832309438067),
    .init(function: .tanh, x: 20, derivative: 1.6993417021166355e-17),
    .init(function: .tanh, x: 20.5, derivative: 6.251528757339955e-18),
    .init(function: .tanh, x: 25, derivative: 7.714999391855671e-22),
    .init(function: .tanh, x: -25, derivative: 7.714999391855671e-22),
    .init(function: .tanh, x: 30, derivative: 3.502604305078608e-26),
    // division (Smith's algorithm): (2x + 1)/(x − 5) and 1/x
    .init(function: .rational, x: 0.5, derivative: -0.5432098765432098),
    .init(function: .rational, x: 3, derivative: -2.75),
    .init(function: .rational, x: 7.25, derivative: -2.1728395061728394),
    .init(function: .rational, x: -2, derivative: -0.22448979591836735),
    .init(function: .reciprocal, x: 3, derivative: -0.1111111111111111),
    .init(function: .reciprocal, x: 0.1, derivative: -99.99999999999999),
    .init(function: .reciprocal, x: -7, derivative: -0.02040816326530612),
  ]

  /// Im f(x + ih)/h with h = 1e-20 has truncation error ~h²|f'''| (relative ~1e-40) and involves no
  /// cancellation: its error is a handful of roundings (libm ≤ 1 ulp each, then × and ÷ by h), so it
  /// must agree with the correctly rounded derivative to within 4 ulps.
  @Test("Complex step Im f(x + ih)/h matches the analytic derivative to ≤ 4 ulps", arguments: derivativeRows)
  func complexStepDerivative(_ row: DerivativeRow) {
    let h = 1e-20
    let fx = row.function(ComplexStepNumber(row.x, h))
    let cs = fx.im / h
    let error = Self.ulps(cs, from: row.derivative)
    #expect(error <= 4, "Im f/h = \(cs), f' = \(row.derivative): \(error) ulps")
  }

  @Test("Complex step leaves the real part of f at f(x)", arguments: [-25.0, -2, -0.3, 0.5, 3, 25])
  func complexStepRealPart(_ x: Double) {
    // With h = 1e-20 every h² term is below 1e-40 relative, so the real parts are f(x) up to the few
    // roundings of the complex formulas: compare with the Double evaluation to 4 ulps.
    let z = ComplexStepNumber(x, 1e-20)
    #expect(Self.ulps(ComplexStepNumber.exp(z).re, from: Double.exp(x)) <= 4)
    #expect(Self.ulps(ComplexStepNumber.tanh(z).re, from: Double.tanh(x)) <= 4)
    if x > 0 {
      #expect(Self.ulps(ComplexStepNumber.log(z).re, from: Double.log(x)) <= 4)
    }
    if x > -1 {
      #expect(Self.ulps(ComplexStepNumber.log1p(z).re, from: Double.log1p(x)) <= 4)
    }
  }

  /// Reference values: log(1 + a) for the double a, to 17 digits (mpmath at 200 bits).
  @Test(
    "Complex log1p keeps its real part for huge a and near a = −1",
    arguments: [
      (1e155, 356.90068941407708), (1e200, 460.51701859880914), (-1 + 1e-10, -23.025850847200089),
      (-1 + 1e-6, -13.815510557935518),
    ])
  func complexLog1pRealPart(a: Double, expected: Double) {
    let z = ComplexStepNumber.log1p(ComplexStepNumber(a, 1e-20))
    #expect(Swift.abs(z.re - expected) <= 4 * expected.ulp, "log1p(\(a)).re = \(z.re), expected \(expected)")
  }

  @Test("Smith's division is correct in both branches (|re b| ≥ |im b| and <)")
  func smithDivision() {
    // (1 + 2i)/(3 + 4i) = (1 + 2i)(3 − 4i)/25 = (11 + 2i)/25;  (1 + 2i)/(1 + 4i) = (1 + 2i)(1 − 4i)/17 = (9 − 2i)/17.
    // A few roundings each (ratio, denominator, numerator, quotient): 4 ulps.
    let q1 = ComplexStepNumber(1, 2) / ComplexStepNumber(3, 4)
    #expect(Self.ulps(q1.re, from: 0.44) <= 4 && Self.ulps(q1.im, from: 0.08) <= 4, "\(q1)")
    let q2 = ComplexStepNumber(1, 2) / ComplexStepNumber(1, 4)
    #expect(Self.ulps(q2.re, from: 0.5294117647058824) <= 4, "\(q2)")
    #expect(Self.ulps(q2.im, from: -0.11764705882352941) <= 4, "\(q2)")
    // No overflow from squaring |b|: (1e300 + 1e300 i)/(1e300 + 1e300 i) = 1.
    let q3 = ComplexStepNumber(1e300, 1e300) / ComplexStepNumber(1e300, 1e300)
    #expect(q3.re == 1 && q3.im == 0, "\(q3)")
  }

  @Test("Complex-step arithmetic: +, −, × and negation follow (a + ib)(c + id) = (ac − bd) + i(ad + bc)")
  func complexArithmetic() {
    let a = ComplexStepNumber(1.5, -2)
    let b = ComplexStepNumber(-0.5, 4)
    #expect(a + b == ComplexStepNumber(1, 2))
    #expect(a - b == ComplexStepNumber(2, -6))
    #expect(a * b == ComplexStepNumber(-0.75 + 8, 6 + 1))
    #expect(-a == ComplexStepNumber(-1.5, 2))
    #expect(a * 2.0 == ComplexStepNumber(3, -4))
    #expect(ComplexStepNumber(2.5).im == 0 && ComplexStepNumber(2.5).real == 2.5)
  }

  // MARK: - RoundingBoundNumber

  @Test("Exact inputs carry a zero bound, through negation too", arguments: [0.0, 1, -3.7, 0.1, 1e300, -Double.leastNonzeroMagnitude])
  func exactInputs(_ x: Double) {
    #expect(RoundingBoundNumber(x).bound == 0)
    #expect((-RoundingBoundNumber(x)).bound == 0)
    #expect(RoundingBoundNumber(x).real == x)
  }

  /// Σₖ aₖbₖ with aₖ = 1 + cₖ·2⁻³⁰, bₖ = 1 − dₖ·2⁻³⁰ (cₖ, dₖ < 2²⁰ seeded integers): every product
  /// 1 + (cₖ − dₖ)2⁻³⁰ − cₖdₖ2⁻⁶⁰ needs ~60 bits, so the products and the running sums all round,
  /// yet the exact sum is n + [2³⁰ Σ(cₖ − dₖ) − Σ cₖdₖ]·2⁻⁶⁰, an integer times 2⁻⁶⁰, computed in Int.
  @Test("The running bound covers the actual error of a 1000-term dot product, and is no looser than γₙΣ|xᵢ|")
  func dotProductBound() {
    let n = 1000
    var rng = PhiloxStream(seed: 5, name: "tests/rounding-bound")
    var c: [Int] = []
    var d: [Int] = []
    for _ in 0..<n {
      c.append(Int(rng.nextBounded(1 << 20)))
      d.append(Int(rng.nextBounded(1 << 20)))
    }
    var s = RoundingBoundNumber(0)
    var absSum = 0.0
    for k in 0..<n {
      let a = RoundingBoundNumber(1 + Double(c[k]) * 0x1p-30)  // exact: 1 + (≤ 20 bits)·2⁻³⁰ fits in 51 bits
      let b = RoundingBoundNumber(1 - Double(d[k]) * 0x1p-30)
      let p = a * b
      absSum += abs(p.value)
      s = s + p
    }
    var linear = 0
    var quadratic = 0
    for k in 0..<n {
      linear += c[k] - d[k]
      quadratic += c[k] * d[k]
    }
    // Exact sum − n, in units of 2⁻⁶⁰ (|·| < 2⁵⁰·2¹⁰: fits Int).
    let exactOffset = linear << 30 - quadratic
    // s.value lies in [n/2, 2n], so s.value − n is exact (Sterbenz), and a multiple of ulp(1000) = 2⁻⁴³.
    let computedOffset = Int((s.value - Double(n)) * 0x1p60)
    let actualError = Double(abs(computedOffset - exactOffset)) * 0x1p-60
    #expect(actualError > 0, "the test must exercise rounding")
    #expect(actualError <= s.bound, "actual \(actualError) > bound \(s.bound)")
    // Running bound ≤ u Σ|pₖ| + u Σₖ|sₖ| ≤ (n + 1) u Σ|pₖ| (all terms positive): never worse than a priori.
    #expect(s.bound <= Double(n + 1) * Self.u * absSum * (1 + 1e-12), "bound \(s.bound)")
  }

  struct LibmRow: Sendable, CustomTestStringConvertible {
    var name: String
    var value: RoundingBoundNumber
    /// The exact result as hi + lo (mpmath, 200 bits).
    var hi: Double
    var lo: Double
    var testDescription: String { name }
  }

  static let libmRows: [LibmRow] = [
    .init(name: "exp(1)", value: .exp(RoundingBoundNumber(1)), hi: 2.718281828459045, lo: 1.4456468917292502e-16),
    .init(name: "exp(-3.5)", value: .exp(RoundingBoundNumber(-3.5)), hi: 0.0301973834223185, lo: -1.2760102183793106e-19),
    .init(name: "log(2)", value: .log(RoundingBoundNumber(2)), hi: 0.6931471805599453, lo: 2.3190468138462996e-17),
    .init(name: "log(3)", value: .log(RoundingBoundNumber(3)), hi: 1.0986122886681098, lo: -9.07129723500153e-17),
    .init(name: "log1p(0.5)", value: .log1p(RoundingBoundNumber(0.5)), hi: 0.4054651081081644, lo: -2.8811380259626426e-18),
    .init(name: "tanh(0.5)", value: .tanh(RoundingBoundNumber(0.5)), hi: 0.46211715726000974, lo: 2.1916603238260928e-17),
    .init(
      name: "tanh(0.75·0.5 + 0.25)", value: .tanh(RoundingBoundNumber(0.75) * RoundingBoundNumber(0.5) + RoundingBoundNumber(0.25)),
      hi: 0.5545997223493823, lo: 3.145617845100655e-17),
    // The stable cross-entropies log1p(e^{−z}) + (1 − y)z at z = 2 and −y z + log1p(e^z) at z = −3.5.
    .init(
      name: "CE(z=2, y=1)", value: BinaryCrossEntropy.loss(margin: RoundingBoundNumber(2), target: 1),
      hi: 0.1269280110429725, lo: 2.5167876693038718e-18),
    .init(
      name: "CE(z=2, y=0)", value: BinaryCrossEntropy.loss(margin: RoundingBoundNumber(2), target: 0),
      hi: 2.1269280110429727, lo: -1.9177224164009852e-16),
    .init(
      name: "CE(z=-3.5, y=1)", value: BinaryCrossEntropy.loss(margin: RoundingBoundNumber(-3.5), target: 1),
      hi: 3.5297504182726205, lo: 8.275429533074528e-17),
    .init(
      name: "CE(z=-3.5, y=0)", value: BinaryCrossEntropy.loss(margin: RoundingBoundNumber(-3.5), target: 0),
      hi: 0.029750418272620566, lo: -5.124315161414611e-19),
  ]

  @Test("The bound covers the actual error of libm-based expressions", arguments: libmRows)
  func libmBound(_ row: LibmRow) {
    // value − hi is exact (Sterbenz: both within a factor 2), so (value − hi) − lo is the actual error
    // up to one rounding of that tiny number.
    let actual = abs((row.value.value - row.hi) - row.lo)
    #expect(actual <= row.value.bound, "actual \(actual), bound \(row.value.bound)")
    // And the bound is of the size the model claims: a few ulps of the result, not a vacuous one.
    #expect(row.value.bound <= 32 * Self.u * abs(row.hi), "bound \(row.value.bound)")
  }

  @Test("A logarithm or quotient whose argument's bound reaches 0 has an infinite bound")
  func unresolvableBounds() {
    let nearZero = RoundingBoundNumber(1e-300, bound: 1e-299)
    #expect(RoundingBoundNumber.log(nearZero).bound == .infinity)
    #expect((RoundingBoundNumber(1) / nearZero).bound == .infinity)
    #expect(RoundingBoundNumber.log1p(RoundingBoundNumber(-1 + 0x1p-40, bound: 0x1p-39)).bound == .infinity)
  }
}
