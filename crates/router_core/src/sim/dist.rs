//! Random streams and the distributions the simulator draws from.
//!
//! Every purpose (arrivals of one contact type, its handle times, its
//! patience, its customers, the router's own generator) has its own
//! ChaCha8 stream derived from the scenario seed, the replication and the
//! purpose, so that a change in one (another policy consumes the router's
//! stream differently) never shifts the numbers drawn for another: the same
//! contact gets the same arrival time, handle time and patience under every
//! policy (common random numbers).
//!
//! Only IEEE-754 basic operations and the pure-Rust `libm` functions are
//! used on the draws (no platform `ln`/`exp`), so a run is the same bit for
//! bit on every machine.

use crate::error::{Error, Result};
use rand::RngCore;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// What a random stream is used for; part of the stream's identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Inter-arrival times of one contact type.
    Arrivals = 1,
    /// Handle times of one contact type.
    Handle = 2,
    /// Patience of one contact type.
    Patience = 3,
    /// Returning-customer draws of one contact type.
    Customers = 4,
    /// The router's own generator (the `random` policy).
    Router = 5,
    /// Transfers of one contact type (the draw, the new handle time and
    /// patience): a stream of its own, so that a scenario with transfers
    /// draws every other number as one without.
    Transfer = 6,
    /// Callbacks and scheduled work of one contact type (who chooses a
    /// callback, whether a call is answered, which contacts are scheduled
    /// and their delay): a stream of its own, as transfers have.
    Callback = 7,
    /// Draws a caller asks for ([`Dist::sample`]).
    Sample = 8,
}

/// SplitMix64 step: a well-mixed 64-bit value from any input.
pub fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The seed of replication `rep` of a scenario seeded with `seed`.
pub fn replication_seed(seed: u64, rep: u32) -> u64 {
    splitmix64(seed ^ splitmix64(u64::from(rep).wrapping_add(0xC0FF_EE00)))
}

/// An independent stream for `purpose` of contact type `index` in the
/// replication whose seed is `rep_seed`.
pub fn stream(rep_seed: u64, purpose: Purpose, index: u32) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(rep_seed);
    rng.set_stream(((purpose as u64) << 32) | u64::from(index));
    rng
}

/// A uniform draw in `[0, 1)` with 53 random bits.
#[inline]
pub fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// A uniform draw in `(0, 1]`, safe for `ln`.
#[inline]
fn uniform_open0(rng: &mut ChaCha8Rng) -> f64 {
    1.0 - uniform(rng)
}

/// The 256-layer ziggurat of the standard exponential (Marsaglia & Tsang
/// 2000): layer `i` is the rectangle `[0, x[i]] × [f[i], f[i+1]]` with
/// `f = exp(-x)`, all of area `V`; layer 0 also holds the tail beyond `R`.
struct Ziggurat {
    x: [f64; 257],
    f: [f64; 257],
}

const ZIG_R: f64 = 7.697_117_470_131_05;
const ZIG_V: f64 = 0.003_949_659_822_581_557;

fn ziggurat() -> &'static Ziggurat {
    static TABLES: std::sync::OnceLock<Ziggurat> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let mut x = [0.0; 257];
        x[0] = ZIG_V / libm::exp(-ZIG_R);
        x[1] = ZIG_R;
        for i in 1..256 {
            x[i + 1] = (-libm::log(ZIG_V / x[i] + libm::exp(-x[i]))).max(0.0);
        }
        x[256] = 0.0;
        let mut f = [0.0; 257];
        for i in 0..257 {
            f[i] = libm::exp(-x[i]);
        }
        Ziggurat { x, f }
    })
}

/// A standard exponential draw: one 64-bit draw and a table look-up about
/// 99 % of the time; `libm` only in the rare wedge and tail cases.
#[inline]
fn exp1(rng: &mut ChaCha8Rng) -> f64 {
    let z = ziggurat();
    loop {
        let bits = rng.next_u64();
        let i = (bits & 0xff) as usize;
        let x = (bits >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0) * z.x[i];
        if x < z.x[i + 1] {
            return x;
        }
        if i == 0 {
            return ZIG_R - libm::log(uniform_open0(rng));
        }
        if z.f[i] + (z.f[i + 1] - z.f[i]) * uniform(rng) < libm::exp(-x) {
            return x;
        }
    }
}

/// An exponential draw with the given mean.
#[inline]
pub fn exponential(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    mean * exp1(rng)
}

/// A standard normal draw (Box–Muller, one value per two uniforms).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1 = uniform_open0(rng);
    let u2 = uniform(rng);
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(std::f64::consts::TAU * u2)
}

/// A gamma draw with shape `k` and scale 1 (Marsaglia & Tsang 2000; shape
/// below 1 boosted by `U^(1/k)`).
fn gamma1(rng: &mut ChaCha8Rng, k: f64) -> f64 {
    if k < 1.0 {
        let u = uniform_open0(rng);
        return gamma1(rng, k + 1.0) * libm::pow(u, 1.0 / k);
    }
    let d = k - 1.0 / 3.0;
    let c = 1.0 / libm::sqrt(9.0 * d);
    loop {
        let x = normal(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = uniform_open0(rng);
        if u < 1.0 - 0.0331 * x * x * x * x
            || libm::log(u) < 0.5 * x * x + d * (1.0 - v + libm::log(v))
        {
            return d * v;
        }
    }
}

/// A distribution of durations in seconds (handle time, patience).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Dist {
    /// Exponential with the given mean.
    Exponential {
        /// Mean in seconds.
        mean: f64,
    },
    /// Log-normal with the given mean and standard deviation (of the value,
    /// not of its logarithm).
    Lognormal {
        /// Mean in seconds.
        mean: f64,
        /// Standard deviation in seconds.
        sd: f64,
    },
    /// Gamma with the given mean and standard deviation.
    Gamma {
        /// Mean in seconds.
        mean: f64,
        /// Standard deviation in seconds.
        sd: f64,
    },
    /// Always the same value.
    Constant {
        /// The value in seconds.
        value: f64,
    },
    /// Uniform resampling of observed values.
    Empirical {
        /// The observed values in seconds.
        samples: Vec<f64>,
    },
}

impl Dist {
    /// Checks the parameters; `what` names the field in errors.
    pub fn validate(&self, what: &str) -> Result<()> {
        let pos = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(Error::invalid(format!(
                    "{what}.{name}: {v} is not a positive number of seconds"
                )))
            }
        };
        match self {
            Dist::Exponential { mean } => pos("mean", *mean),
            Dist::Lognormal { mean, sd } | Dist::Gamma { mean, sd } => {
                pos("mean", *mean)?;
                pos("sd", *sd)
            }
            Dist::Constant { value } => {
                if value.is_finite() && *value >= 0.0 {
                    Ok(())
                } else {
                    Err(Error::invalid(format!(
                        "{what}.value: {value} is not a non-negative number of seconds"
                    )))
                }
            }
            Dist::Empirical { samples } => {
                if samples.is_empty() {
                    return Err(Error::invalid(format!(
                        "{what}.samples: needs at least one value"
                    )));
                }
                match samples.iter().position(|v| !v.is_finite() || *v < 0.0) {
                    Some(i) => Err(Error::invalid(format!(
                        "{what}.samples[{i}]: {} is not a non-negative number of seconds",
                        samples[i]
                    ))),
                    None => Ok(()),
                }
            }
        }
    }

    /// The mean of the distribution.
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Exponential { mean }
            | Dist::Lognormal { mean, .. }
            | Dist::Gamma { mean, .. } => *mean,
            Dist::Constant { value } => *value,
            Dist::Empirical { samples } => samples.iter().sum::<f64>() / samples.len() as f64,
        }
    }

    /// Compiles the distribution into a sampler.
    pub fn sampler(&self) -> Sampler {
        match self {
            Dist::Exponential { mean } => Sampler::Exponential(*mean),
            Dist::Lognormal { mean, sd } => {
                let s2 = libm::log(1.0 + (sd / mean) * (sd / mean));
                Sampler::Lognormal { mu: libm::log(*mean) - 0.5 * s2, sigma: libm::sqrt(s2) }
            }
            Dist::Gamma { mean, sd } => {
                let shape = (mean / sd) * (mean / sd);
                Sampler::Gamma { shape, scale: mean / shape }
            }
            Dist::Constant { value } => Sampler::Constant(*value),
            Dist::Empirical { samples } => Sampler::Empirical(samples.clone()),
        }
    }
}

impl Dist {
    /// `n` draws from a stream of its own seeded with `seed`, by the
    /// algorithm the simulator draws with (same seed, same values on every
    /// machine). Errors: `InvalidInput` for bad parameters.
    pub fn sample(&self, n: usize, seed: u64) -> Result<Vec<f64>> {
        self.validate("distribution")?;
        let sampler = self.sampler();
        let mut rng = stream(seed, Purpose::Sample, 0);
        Ok((0..n).map(|_| sampler.draw(&mut rng)).collect())
    }
}

/// A compiled distribution, ready to draw.
#[derive(Clone, Debug)]
pub enum Sampler {
    /// Mean.
    Exponential(f64),
    /// Parameters of the underlying normal.
    Lognormal {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
    /// Shape and scale.
    Gamma {
        /// Shape.
        shape: f64,
        /// Scale.
        scale: f64,
    },
    /// The value.
    Constant(f64),
    /// The samples.
    Empirical(Vec<f64>),
}

impl Sampler {
    /// One draw.
    #[inline]
    pub fn draw(&self, rng: &mut ChaCha8Rng) -> f64 {
        match self {
            Sampler::Exponential(mean) => exponential(rng, *mean),
            Sampler::Lognormal { mu, sigma } => libm::exp(mu + sigma * normal(rng)),
            Sampler::Gamma { shape, scale } => scale * gamma1(rng, *shape),
            Sampler::Constant(v) => *v,
            Sampler::Empirical(s) => s[((uniform(rng) * s.len() as f64) as usize).min(s.len() - 1)],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(d: &Dist, n: usize) -> (f64, f64) {
        let s = d.sampler();
        let mut rng = stream(42, Purpose::Handle, 0);
        let xs: Vec<f64> = (0..n).map(|_| s.draw(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
        (m, v.sqrt())
    }

    #[test]
    fn draws_have_the_requested_mean_and_sd() {
        let n = 100_000;
        let (m, s) = moments(&Dist::Exponential { mean: 100.0 }, n);
        assert!((m - 100.0).abs() < 1.5 && (s - 100.0).abs() < 2.0, "{m} {s}");
        let (m, s) = moments(&Dist::Lognormal { mean: 180.0, sd: 120.0 }, n);
        assert!((m - 180.0).abs() < 2.0 && (s - 120.0).abs() < 4.0, "{m} {s}");
        let (m, s) = moments(&Dist::Gamma { mean: 60.0, sd: 30.0 }, n);
        assert!((m - 60.0).abs() < 0.5 && (s - 30.0).abs() < 0.5, "{m} {s}");
        let (m, s) = moments(&Dist::Gamma { mean: 60.0, sd: 120.0 }, n);
        assert!((m - 60.0).abs() < 1.5 && (s - 120.0).abs() < 5.0, "{m} {s}");
        let (m, _) = moments(&Dist::Empirical { samples: vec![1.0, 2.0, 6.0] }, n);
        assert!((m - 3.0).abs() < 0.05, "{m}");
        assert_eq!(moments(&Dist::Constant { value: 5.0 }, 10), (5.0, 0.0));
    }

    #[test]
    fn exponential_tail_probabilities() {
        let mut rng = stream(9, Purpose::Arrivals, 0);
        let n = 300_000;
        let xs: Vec<f64> = (0..n).map(|_| exponential(&mut rng, 1.0)).collect();
        for t in [0.1, 0.5, 1.0, 2.0, 4.0, 8.0] {
            let p = xs.iter().filter(|&&x| x > t).count() as f64 / n as f64;
            let want = (-t).exp();
            let se = (want * (1.0 - want) / n as f64).sqrt();
            assert!((p - want).abs() < 5.0 * se + 1e-6, "P(X > {t}) = {p}, want {want}");
        }
        assert!(xs.iter().all(|&x| x >= 0.0 && x.is_finite()));
    }

    #[test]
    fn streams_are_independent_and_reproducible() {
        let mut a = stream(7, Purpose::Arrivals, 0);
        let mut b = stream(7, Purpose::Arrivals, 1);
        let mut a2 = stream(7, Purpose::Arrivals, 0);
        let x = uniform(&mut a);
        assert_ne!(x, uniform(&mut b));
        assert_eq!(x, uniform(&mut a2));
        assert_ne!(replication_seed(1, 0), replication_seed(1, 1));
    }

    #[test]
    fn bad_parameters_name_the_field() {
        let e = Dist::Gamma { mean: 1.0, sd: -2.0 }
            .validate("contact_types[0].handle_time")
            .unwrap_err();
        assert!(e.message().contains("contact_types[0].handle_time.sd"), "{e}");
        assert!(Dist::Empirical { samples: vec![] }.validate("x").is_err());
    }
}
