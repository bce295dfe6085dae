//! Prints the error of the projection score's π̂_N against the exact π on the circle and S^2, and its log–log slope in N.
//!
//! Run: `cargo run --release -p mangen-scores --example projection_rates`.
#![allow(clippy::print_stdout)]

#[path = "../tests/common/rates.rs"]
mod rates;

use mangen_geometry::{Embedded, Manifold, Sphere};
use mangen_scores::MAX_DEGREE;
use rates::{projection_error, slope};

fn main() {
    let circle = Embedded::random(Sphere::circle(1.0).expect("valid"), 10, 1).expect("valid");
    let sphere = Embedded::random(Sphere::new(2, 1.0).expect("valid"), 10, 2).expect("valid");
    let cases: [(&dyn Manifold, Vec<usize>); 2] = [
        (&circle, vec![100, 200, 400, 800, 1600]),
        (&sphere, vec![500, 1000, 2000, 4000, 8000]),
    ];
    println!("manifold,degree,N,mean_error");
    let mut summary = Vec::new();
    for (manifold, sizes) in cases {
        for degree in 1..=MAX_DEGREE {
            let errors: Vec<f64> = sizes
                .iter()
                .map(|&n| projection_error(manifold, n, degree, 7, 0.05))
                .collect();
            for (n, e) in sizes.iter().zip(&errors) {
                println!("{},{degree},{n},{e:.3e}", manifold.name());
            }
            let k = manifold.intrinsic_dim() as f64;
            summary.push(format!(
                "{} m={degree}: slope {:.2} (theory −(m+1)/k = {:.2})",
                manifold.name(),
                slope(&sizes, &errors),
                -(degree as f64 + 1.0) / k
            ));
        }
    }
    for line in summary {
        println!("{line}");
    }
}
