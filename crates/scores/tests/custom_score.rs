//! Scores defined outside the crate work with its generic code: a `Denoiser` of our own inside a
//! `Hybrid`, batches through the provided methods, and a `Score` that is not a denoiser behind `dyn Score`.

use mangen_scores::{
    Denoiser, Estimate, GaussianScore, Hybrid, Result, Schedule, Score, ScoreModel, check_query,
};
use ndarray::{Array1, Array2, ArrayView1, array};

/// The exact denoiser of a point mass at `centre`: D(x, t) = centre.
struct PointMass {
    centre: Array1<f64>,
}

impl ScoreModel for PointMass {
    fn name(&self) -> String {
        "point mass".into()
    }

    fn dim(&self) -> usize {
        self.centre.len()
    }

    fn schedule(&self) -> Schedule {
        Schedule::VarianceExploding
    }
}

impl Denoiser for PointMass {
    fn denoise_estimate(&self, x: ArrayView1<f64>, t: f64) -> Result<Estimate> {
        check_query(x, self.dim(), t)?;
        Ok(Estimate {
            value: self.centre.clone(),
            error_bound: 0.0,
        })
    }
}

/// The score of N(0, I) under VE written directly, as a trained model would be: s = −x/(1 + t).
struct StandardNormalScore;

impl ScoreModel for StandardNormalScore {
    fn name(&self) -> String {
        "standard normal".into()
    }

    fn dim(&self) -> usize {
        2
    }

    fn schedule(&self) -> Schedule {
        Schedule::VarianceExploding
    }
}

impl Score for StandardNormalScore {
    fn score(&self, x: ArrayView1<f64>, t: f64) -> Result<Array1<f64>> {
        check_query(x, 2, t)?;
        Ok(&x * (-1.0 / (1.0 + t)))
    }
}

#[test]
fn a_custom_denoiser_is_a_score_and_joins_a_hybrid() {
    let point = PointMass {
        centre: array![1.0, 2.0],
    };
    let x = array![0.0, 0.0];
    assert_eq!(
        Score::score(&point, x.view(), 0.5).unwrap(),
        array![2.0, 4.0]
    );
    let gaussian = GaussianScore::new(
        array![0.0, 0.0],
        Array2::eye(2),
        Schedule::VarianceExploding,
    )
    .unwrap();
    let hybrid = Hybrid::new(gaussian, point, 0.1).unwrap();
    assert_eq!(hybrid.denoise(x.view(), 0.01).unwrap(), array![1.0, 2.0]);
    assert_eq!(hybrid.denoise(x.view(), 1.0).unwrap(), array![0.0, 0.0]);
    let batch = array![[0.0, 0.0], [3.0, 3.0]];
    let scores = hybrid.score_batch(batch.view(), 0.01).unwrap();
    assert_eq!(scores.row(1).to_owned(), array![-200.0, -100.0]);
    assert!(hybrid.denoise(array![1.0].view(), 0.01).is_err());
}

#[test]
fn a_custom_score_matches_the_gaussian_closed_form_behind_dyn_score() {
    let gaussian = GaussianScore::new(
        array![0.0, 0.0],
        Array2::eye(2),
        Schedule::VarianceExploding,
    )
    .unwrap();
    let scores: [&dyn Score; 2] = [&StandardNormalScore, &gaussian];
    let batch = array![[0.5, -1.0], [2.0, 0.25], [0.0, 0.0]];
    let [ours, built_in] = scores.map(|s| s.score_batch(batch.view(), 0.7).unwrap());
    assert!((&ours - &built_in).iter().all(|v| v.abs() < 1e-14));
    assert!(
        StandardNormalScore
            .score_batch(Array2::zeros((2, 3)).view(), 0.7)
            .is_err()
    );
}
