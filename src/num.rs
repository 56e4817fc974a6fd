//! The numeric type the cash-flow model is written against, so that one model serves both the
//! exact reported ledger (`rust_decimal::Decimal`) and the Monte Carlo hot loop (`f64`).

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;
use std::fmt::Debug;
use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub, SubAssign};
use std::str::FromStr;

/// Arithmetic the ledger needs. Implemented for `Decimal` (exact, reported) and `f64` (fast).
pub trait Num:
    Copy
    + Debug
    + PartialOrd
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
    fn zero() -> Self;
    fn one() -> Self;
    /// Converts an input number. For `Decimal` this goes through the shortest decimal text of the
    /// float, so `0.1` in a scenario is exactly 0.1, as the analyst typed it.
    fn from_f64(v: f64) -> Self;
    fn from_usize(v: usize) -> Self;
    fn to_f64(self) -> f64;
    fn is_zero(self) -> bool {
        self == Self::zero()
    }
    fn max0(self) -> Self {
        if self > Self::zero() {
            self
        } else {
            Self::zero()
        }
    }
    fn min(self, other: Self) -> Self {
        if other < self {
            other
        } else {
            self
        }
    }
    /// `self / d`, or zero when `d` is zero (a `Decimal` division by zero would panic; every
    /// ratio of the model is a share of something that may legitimately be empty).
    fn ratio(self, d: Self) -> Self {
        if d.is_zero() {
            Self::zero()
        } else {
            self / d
        }
    }
    /// `self^k` by repeated multiplication (k is a small count of years).
    fn powu(self, k: usize) -> Self {
        let mut r = Self::one();
        for _ in 0..k {
            r = r * self;
        }
        r
    }
    fn abs(self) -> Self {
        if self < Self::zero() {
            -self
        } else {
            self
        }
    }
}

impl Num for f64 {
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

/// 10^0 … 10^22, each exact in f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

impl Num for Decimal {
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
        // Exact fast path (Clinger): a mantissa below 2^53 over a power of ten up to 10^22 are
        // both exact in f64, and one IEEE division rounds their quotient correctly — the same
        // value the text gives. Trailing zeros are shed first (exact).
        let (mut m, mut s) = (self.mantissa(), self.scale());
        while s > 0 && m % 10 == 0 && m != 0 {
            m /= 10;
            s -= 1;
        }
        if m.unsigned_abs() < (1u128 << 53) && s <= 22 {
            return m as f64 / POW10[s as usize];
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
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
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
}
