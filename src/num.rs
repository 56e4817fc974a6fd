//! The numeric type the cash-flow model is written against, so that one model serves both the
//! exact reported ledger (`rust_decimal::Decimal`) and the Monte Carlo hot loop (`f64`).

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;
use std::fmt::Debug;
use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub, SubAssign};
use std::str::FromStr;

/// Arithmetic the ledger needs. Implemented for `Decimal` (exact, reported), `f64` (fast) and
/// [`Lanes`] (several Monte Carlo paths in lockstep).
///
/// There is deliberately no `PartialOrd`: a comparison of lanes has no single answer, so every
/// decision the model takes on a value goes through a method here that says what it means for
/// lanes — applied lane by lane (`max0`, `min`, `zero_if_within`, `map2`), or a guard that
/// holds for every lane (`is_zero`, `all_positive`), used only where either branch gives the
/// same figures for a lane the guard does not describe.
pub trait Num:
    Copy
    + Debug
    + PartialEq
    + Default
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + Send
    + Sync
{
    /// One number of the kind: `Self` for the scalar types, `f64` for lanes.
    type Elem: Scalar;

    fn zero() -> Self;
    fn one() -> Self;
    /// Converts an input number. For `Decimal` this goes through the shortest decimal text of the
    /// float, so `0.1` in a scenario is exactly 0.1, as the analyst typed it.
    fn from_f64(v: f64) -> Self;
    fn from_usize(v: usize) -> Self;
    /// The value as f64 (the first lane of lanes).
    fn to_f64(self) -> f64;
    /// `f` applied to each pair of elements: a rule with branches (the 土地增值税 tiers)
    /// written once for scalars.
    fn map2(a: Self, b: Self, f: impl Fn(Self::Elem, Self::Elem) -> Self::Elem) -> Self;
    /// `f` of the elements when it gives a value for each: a figure reported per object (the
    /// LAT ratio), which lanes do not report.
    fn ratio_of(
        a: Self,
        b: Self,
        f: impl Fn(Self::Elem, Self::Elem) -> Option<Self::Elem>,
    ) -> Option<Self>;
    /// True when the value is zero (for lanes: in every lane).
    fn is_zero(self) -> bool {
        self == Self::zero()
    }
    /// True when the value is above zero (for lanes: in every lane).
    fn all_positive(self) -> bool;
    /// True when the value is finite (for lanes: in every lane); a `Decimal` always is.
    fn all_finite(self) -> bool;
    fn max0(self) -> Self;
    fn min(self, other: Self) -> Self;
    fn abs(self) -> Self;
    /// Zero when |self| ≤ eps, else self.
    fn zero_if_within(self, eps: f64) -> Self;
    /// `self / d`, or zero when `d` is zero (a `Decimal` division by zero would panic; every
    /// ratio of the model is a share of something that may legitimately be empty).
    fn ratio(self, d: Self) -> Self;
    /// An amount of money as the ledger books it. `Decimal` rounds to [`MONEY_DP`] places of a
    /// yuan (half to even): every product or quotient that yields an amount passes through
    /// here, so the ledger is fixed-point and its sums are exact. Floats and lanes are left as
    /// they are (Monte Carlo is the f64 model, tested to agree with the ledger).
    #[inline(always)]
    fn money(self) -> Self {
        self
    }
    /// `self^k` by repeated multiplication (k is a small count of years).
    fn powu(self, k: usize) -> Self {
        let mut r = Self::one();
        for _ in 0..k {
            r = r * self;
        }
        r
    }
}

/// A single number (`f64` or `Decimal`): ordered, its own element.
pub trait Scalar: Num<Elem = Self> + PartialOrd {}
impl Scalar for f64 {}
impl Scalar for Decimal {}

/// The methods of [`Num`] whose meaning follows from the order, for the scalar types.
macro_rules! scalar_order {
    () => {
        #[inline(always)]
        fn map2(a: Self, b: Self, f: impl Fn(Self, Self) -> Self) -> Self {
            f(a, b)
        }
        #[inline(always)]
        fn ratio_of(a: Self, b: Self, f: impl Fn(Self, Self) -> Option<Self>) -> Option<Self> {
            f(a, b)
        }
        #[inline(always)]
        fn all_positive(self) -> bool {
            self > Self::zero()
        }
        #[inline(always)]
        fn max0(self) -> Self {
            if self > Self::zero() {
                self
            } else {
                Self::zero()
            }
        }
        #[inline(always)]
        fn min(self, other: Self) -> Self {
            if other < self {
                other
            } else {
                self
            }
        }
        #[inline(always)]
        fn abs(self) -> Self {
            if self < Self::zero() {
                -self
            } else {
                self
            }
        }
        #[inline(always)]
        fn zero_if_within(self, eps: f64) -> Self {
            if Num::abs(self) <= <Self as Num>::from_f64(eps) {
                Self::zero()
            } else {
                self
            }
        }
        #[inline(always)]
        fn ratio(self, d: Self) -> Self {
            if d.is_zero() {
                Self::zero()
            } else {
                self / d
            }
        }
    };
}

impl Num for f64 {
    type Elem = f64;
    scalar_order!();
    #[inline(always)]
    fn all_finite(self) -> bool {
        self.is_finite()
    }
    #[inline(always)]
    fn zero() -> Self {
        0.0
    }
    #[inline(always)]
    fn one() -> Self {
        1.0
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v
    }
    #[inline(always)]
    fn from_usize(v: usize) -> Self {
        v as f64
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
}

/// How many Monte Carlo paths run the ledger in lockstep: eight f64 fill one AVX-512 register
/// or two AVX2 ones, and keep the per-year columns of a 50-year ledger in the L1 cache.
pub const LANES: usize = 8;

/// [`LANES`] paths' values of one quantity, operated on lane by lane with exactly the f64
/// operations of the scalar model, so each lane's figures equal that path's scalar run bit
/// for bit. The arrays let the compiler use the machine's vector instructions.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Lanes(pub [f64; LANES]);

impl Lanes {
    #[inline(always)]
    pub fn splat(v: f64) -> Lanes {
        Lanes([v; LANES])
    }
    #[inline(always)]
    fn map(self, f: impl Fn(f64) -> f64) -> Lanes {
        let mut o = self.0;
        for v in o.iter_mut() {
            *v = f(*v);
        }
        Lanes(o)
    }
    #[inline(always)]
    fn zip(self, b: Lanes, f: impl Fn(f64, f64) -> f64) -> Lanes {
        let mut o = self.0;
        for (v, w) in o.iter_mut().zip(b.0) {
            *v = f(*v, w);
        }
        Lanes(o)
    }
}

macro_rules! lane_op {
    ($tr:ident, $m:ident, $atr:ident, $am:ident, $op:tt) => {
        impl $tr for Lanes {
            type Output = Lanes;
            #[inline(always)]
            fn $m(self, b: Lanes) -> Lanes {
                self.zip(b, |x, y| x $op y)
            }
        }
        impl $atr for Lanes {
            #[inline(always)]
            fn $am(&mut self, b: Lanes) {
                *self = *self $op b;
            }
        }
    };
}
lane_op!(Add, add, AddAssign, add_assign, +);
lane_op!(Sub, sub, SubAssign, sub_assign, -);
impl Mul for Lanes {
    type Output = Lanes;
    #[inline(always)]
    fn mul(self, b: Lanes) -> Lanes {
        self.zip(b, |x, y| x * y)
    }
}
impl Div for Lanes {
    type Output = Lanes;
    #[inline(always)]
    fn div(self, b: Lanes) -> Lanes {
        self.zip(b, |x, y| x / y)
    }
}
impl Neg for Lanes {
    type Output = Lanes;
    #[inline(always)]
    fn neg(self) -> Lanes {
        self.map(|x| -x)
    }
}

impl Num for Lanes {
    type Elem = f64;
    #[inline(always)]
    fn zero() -> Self {
        Lanes::splat(0.0)
    }
    #[inline(always)]
    fn one() -> Self {
        Lanes::splat(1.0)
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        Lanes::splat(v)
    }
    #[inline(always)]
    fn from_usize(v: usize) -> Self {
        Lanes::splat(v as f64)
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self.0[0]
    }
    #[inline(always)]
    fn map2(a: Self, b: Self, f: impl Fn(f64, f64) -> f64) -> Self {
        a.zip(b, f)
    }
    fn ratio_of(_: Self, _: Self, _: impl Fn(f64, f64) -> Option<f64>) -> Option<Self> {
        None
    }
    #[inline(always)]
    fn is_zero(self) -> bool {
        self.0.iter().all(|v| *v == 0.0)
    }
    #[inline(always)]
    fn all_positive(self) -> bool {
        self.0.iter().all(|v| *v > 0.0)
    }
    #[inline(always)]
    fn all_finite(self) -> bool {
        self.0.iter().all(|v| v.is_finite())
    }
    #[inline(always)]
    fn max0(self) -> Self {
        self.map(Num::max0)
    }
    #[inline(always)]
    fn min(self, other: Self) -> Self {
        self.zip(other, Num::min)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        self.map(Num::abs)
    }
    #[inline(always)]
    fn zero_if_within(self, eps: f64) -> Self {
        self.map(|v| v.zero_if_within(eps))
    }
    #[inline(always)]
    fn ratio(self, d: Self) -> Self {
        self.zip(d, Num::ratio)
    }
}

/// Decimal places of a yuan the exact ledger keeps (a millionth of a 分). Amounts up to 10^20
/// yuan keep every place inside rust_decimal's 28 digits, so adding booked amounts never rounds;
/// a fixed scale keeps the arithmetic on its fast paths (the 28-digit values that a division
/// such as rate/(1 + rate) leaves behind made every later sum rescale), and at 8 places an
/// amount below 1.8·10^11 yuan has a 64-bit mantissa, which rust_decimal adds in one step.
pub const MONEY_DP: u32 = 8;

/// 10^0 … 10^28, rust_decimal's scales.
const POW10_U128: [u128; 29] = {
    let mut p = [1u128; 29];
    let mut i = 1;
    while i < 29 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// 10^0 … 10^22, each exact in f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// m / 10^scale when Clinger's fast path makes it exact: a mantissa below 2^53 and a power of
/// ten up to 10^22 are both exact in f64, and one IEEE division rounds their quotient
/// correctly, the value the decimal text gives. `None` otherwise.
#[inline]
pub fn exact_quotient(m: u64, scale: usize) -> Option<f64> {
    (m < 1 << 53 && scale < POW10.len()).then(|| m as f64 / POW10[scale])
}

impl Num for Decimal {
    type Elem = Decimal;
    #[inline]
    fn money(self) -> Self {
        let s = self.scale();
        if s <= MONEY_DP {
            return self;
        }
        // round_dp's half-to-even rounding on the mantissa directly: one u128 division
        // instead of rust_decimal's limb loop (a test holds the two equal bit for bit)
        let m = self.mantissa();
        let p = POW10_U128[(s - MONEY_DP) as usize];
        let a = m.unsigned_abs();
        let (q, r) = (a / p, a % p);
        let half = p / 2;
        let q = q + u128::from(r > half || (r == half && q & 1 == 1));
        let mut d = Decimal::from_i128_with_scale(q as i128, MONEY_DP);
        // a value that rounds to zero loses its sign; a negative zero keeps it, as in round_dp
        d.set_sign_negative(self.is_sign_negative() && (q != 0 || a == 0));
        d
    }
    scalar_order!();
    fn all_finite(self) -> bool {
        true
    }
    fn zero() -> Self {
        Decimal::ZERO
    }
    fn one() -> Self {
        Decimal::ONE
    }
    fn from_f64(v: f64) -> Self {
        decimal_from_f64(v)
    }
    fn from_usize(v: usize) -> Self {
        Decimal::from(v as u64)
    }
    fn to_f64(self) -> f64 {
        // Exact fast path ([`exact_quotient`]); trailing zeros are shed first (exact).
        let (mut m, mut s) = (self.mantissa(), self.scale());
        while s > 0 && m % 10 == 0 && m != 0 {
            m /= 10;
            s -= 1;
        }
        let fast = u64::try_from(m.unsigned_abs())
            .ok()
            .and_then(|a| exact_quotient(a, s as usize));
        if let Some(v) = fast {
            return if m < 0 { -v } else { v };
        }
        // Exact in integers for any scale: m / 10^s = (m / 5^s) · 2^−s, and 5^28 < 2^66, so
        // |m| shifted to fill 127 bits over 5^s leaves a quotient of at least 61 significant
        // bits. Folding a non-zero remainder into its lowest bit (a sticky bit below the
        // rounding position) lets the one correctly rounded u128 → f64 conversion round the
        // exact value correctly; the power of two is exact.
        if m != 0 {
            let a = m.unsigned_abs();
            let k = a.leading_zeros() - 1;
            let d = 5u128.pow(s);
            let n = a << k;
            let (q, r) = (n / d, n % d);
            if q >> 56 != 0 {
                let q = q | u128::from(r != 0);
                let v = (q as f64) * f64::powi(2.0, -(k as i32) - s as i32);
                return if m < 0 { -v } else { v };
            }
        }
        // Decimal → f64 through the text is correctly rounded; ToPrimitive is not always.
        f64::from_str(&self.to_string())
            .unwrap_or_else(|_| ToPrimitive::to_f64(&self).unwrap_or(0.0))
    }
}

/// The decimal an analyst meant by a float read from a file: its shortest round-trip text.
/// Validation keeps inputs inside ranges where this always succeeds; the fallbacks only guard
/// against values far outside them (they never panic).
pub fn decimal_from_f64(v: f64) -> Decimal {
    if !v.is_finite() {
        return Decimal::ZERO;
    }
    // whole numbers (areas, prices, years) are their integer; a zero keeps its text's sign
    if v != 0.0 && v.fract() == 0.0 && v.abs() < 9.0e15 {
        return Decimal::from(v as i64);
    }
    // the shortest text, written on the stack when it is short (it is, for any input a
    // scenario may hold): a batch converts some sixty inputs per parcel
    let mut buf = [0u8; 48];
    let short = {
        use std::io::Write;
        let mut cur = &mut buf[..];
        write!(cur, "{v}").ok().map(|_| 48 - cur.len())
    };
    if let Some(d) = short
        .and_then(|n| std::str::from_utf8(&buf[..n]).ok())
        .and_then(|t| Decimal::from_str(t).ok())
    {
        return d;
    }
    let text = format!("{v}");
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&format!("{v:e}")))
        .ok()
        .or_else(|| <Decimal as FromPrimitive>::from_f64(v))
        .unwrap_or(Decimal::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_to_f64_fast_path_equals_the_correctly_rounded_text() {
        use std::str::FromStr;
        let mut next = crate::xorshift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..200_000 {
            let x = next();
            let m = (x >> (x % 40)) as i64 * if x & 1 == 0 { 1 } else { -1 };
            let scale = (x >> 50) as u32 % 29;
            let d = Decimal::new(m, scale.min(28));
            let want = f64::from_str(&d.to_string()).unwrap();
            assert_eq!(Num::to_f64(d).to_bits(), want.to_bits(), "{d}");
            // wide mantissas, up to 96 bits, as products and quotients leave them
            let wide = (i128::from(m) << (x % 33)) % (1i128 << 95);
            let d = Decimal::from_i128_with_scale(wide, scale.min(28));
            let want = f64::from_str(&d.to_string()).unwrap();
            assert_eq!(Num::to_f64(d).to_bits(), want.to_bits(), "{d}");
        }
    }

    #[test]
    fn decimal_from_f64_fast_paths_equal_the_text() {
        let mut next = crate::xorshift(0x9E37_79B9_7F4A_7C15);
        let mut cases = vec![
            0.0,
            -0.0,
            1.0,
            -41481.0,
            8.9e15,
            9.1e15,
            1e22,
            0.1,
            1e-300,
            4.5,
            1034.5,
            0.6666666666666666,
            123456.789,
            -2.5e-7,
            0.045,
        ];
        for _ in 0..100_000 {
            let x = next();
            let v = f64::from_bits(x);
            if v.is_finite() {
                cases.push(v);
                cases.push(v.round());
                // moderate values, as scenarios hold: the stack-buffer path
                cases.push((x % 10_000_000) as f64 / 1000.0);
            }
        }
        for v in cases {
            let want = Decimal::from_str(&format!("{v}"))
                .or_else(|_| Decimal::from_scientific(&format!("{v:e}")))
                .ok()
                .or_else(|| <Decimal as FromPrimitive>::from_f64(v))
                .unwrap_or(Decimal::ZERO);
            let got = decimal_from_f64(v);
            assert_eq!(got, want, "{v}");
            assert_eq!(got.to_string(), want.to_string(), "{v}");
        }
    }

    #[test]
    fn all_finite_asks_every_lane() {
        let mut l = Lanes::splat(1.0);
        assert!(l.all_finite());
        l.0[LANES - 1] = f64::NAN;
        assert!(!l.all_finite());
        l.0[LANES - 1] = f64::NEG_INFINITY;
        assert!(!l.all_finite());
        assert!(!f64::INFINITY.all_finite() && 0.0f64.all_finite());
        assert!(Decimal::MAX.all_finite());
    }

    #[test]
    fn decimal_keeps_the_typed_digits() {
        assert_eq!(decimal_from_f64(0.1).to_string(), "0.1");
        assert_eq!(
            decimal_from_f64(0.6666666666666666).to_string(),
            "0.6666666666666666"
        );
        assert_eq!(decimal_from_f64(1e12).to_string(), "1000000000000");
        assert_eq!(decimal_from_f64(-2.5).to_string(), "-2.5");
    }

    #[test]
    fn decimal_round_trips_to_f64() {
        for v in [0.1, 123456789.123, 1e-7, 0.045, 986520000.0] {
            assert_eq!(Num::to_f64(decimal_from_f64(v)), v);
        }
    }

    /// `money` is rust_decimal's `round_dp(MONEY_DP)` (half to even) bit for bit: random
    /// mantissas over every width and scale, both signs, exact halves on both sides of even,
    /// and values that round to a signed zero.
    #[test]
    fn money_is_round_dp_bit_for_bit() {
        let mut next = crate::xorshift(0x9E37_79B9_7F4A_7C15u64);
        let mut cases = Vec::new();
        for _ in 0..200_000 {
            let bits = next() % 97;
            let m = ((u128::from(next()) << 64) | u128::from(next())) & ((1u128 << bits) - 1);
            let scale = (next() % 29) as u32;
            let mut d = Decimal::from_i128_with_scale(m as i128, scale);
            d.set_sign_negative(next() & 1 == 1);
            cases.push(d);
        }
        for scale in 13..=28u32 {
            let p = POW10_U128[(scale - MONEY_DP) as usize];
            for q in [0u128, 1, 2, 3, 999, 1_000_001] {
                for r in [p / 2 - 1, p / 2, p / 2 + 1, 0, p - 1] {
                    for neg in [false, true] {
                        let mut d = Decimal::from_i128_with_scale((q * p + r) as i128, scale);
                        d.set_sign_negative(neg);
                        cases.push(d);
                    }
                }
            }
        }
        for d in cases {
            let (a, b) = (Num::money(d), d.round_dp(MONEY_DP));
            assert_eq!(a.serialize(), b.serialize(), "{d:?}: {a:?} against {b:?}");
        }
    }
}
