//! The one piece of linear algebra validation needs: whether a correlation matrix is positive
//! semi-definite, by its Cholesky factor (which Monte Carlo then uses to mix normal scores).

/// Lower-triangular Cholesky factor (row-major n×n) of a correlation matrix. A matrix that is
/// positive semi-definite but singular (e.g. ρ = 1) is accepted; `Err(k)` names the first
/// row at which the matrix is found not to be positive semi-definite.
pub fn cholesky(m: &[f64], n: usize) -> Result<Vec<f64>, usize> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = m[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if s < -1e-10 {
                    return Err(i);
                }
                l[i * n + i] = s.max(0.0).sqrt();
            } else if l[j * n + j] > 1e-12 {
                l[i * n + j] = s / l[j * n + j];
            } else if s.abs() > 1e-9 {
                // a zero pivot with a non-zero remainder: no PSD completion exists
                return Err(i);
            }
        }
    }
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_accepts_psd_and_rejects_the_rest() {
        let m = [1.0, 0.5, 0.5, 1.0];
        let l = cholesky(&m, 2).unwrap();
        assert!((l[2] - 0.5).abs() < 1e-15 && (l[3] - 0.75f64.sqrt()).abs() < 1e-15);
        assert!(cholesky(&[1.0, 1.0, 1.0, 1.0], 2).is_ok(), "ρ = 1 is PSD");
        // three variables pairwise −0.9: not PSD
        let m = [1.0, -0.9, -0.9, -0.9, 1.0, -0.9, -0.9, -0.9, 1.0];
        assert_eq!(cholesky(&m, 3), Err(2));
    }
}
