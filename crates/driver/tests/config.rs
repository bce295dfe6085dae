//! Experiment configs: a valid file checks, and each broken rule is refused with the file, the field
//! and the rule in the message.

use mangen_driver::{Experiment, Profile};
use std::path::Path;

/// A valid experiment; each case breaks one rule of it.
const VALID: &str = include_str!("data/sphere.toml");

fn parse(text: &str) -> Result<Experiment, String> {
    Experiment::parse(
        text,
        Path::new("data/experiments/e.toml"),
        Profile::Standard,
    )
    .map_err(|e| format!("{e:#}"))
}

#[test]
fn a_valid_config_checks_and_describes_its_model() {
    let e = parse(VALID).unwrap();
    assert_eq!(e.name, "e");
    assert_eq!(e.manifold.intrinsic_dim(), 2);
    assert_eq!(e.manifold.ambient_dim(), 4);
    assert_eq!(e.scores[0].label, "smoothed(h=0.5*N^-0.5)");
    assert_eq!(e.scores[0].kind(), "smoothed");
    assert_eq!(e.samplers[0].label, "sde(t0=0.001,steps=100)");
    assert_eq!(e.samplers[0].config.steps, 100);
}

#[test]
fn a_finding_may_name_a_checkpoint_curve_of_its_score() {
    for suffix in ["@least", "@epoch=300"] {
        let text = VALID.replacen(
            "[[score]]",
            &format!("[[finding]]\nclaim = \"c\"\nscore = \"smoothed(h=0.5*N^-0.5){suffix}\"\nmetric = \"w2\"\n[[score]]"),
            1,
        );
        assert!(parse(&text).is_ok(), "{suffix}: {:?}", parse(&text).err());
        let other = text.replace("smoothed(h=0.5*N^-0.5)", "projection(m=9)");
        let message = parse(&other).expect_err(suffix);
        assert!(message.contains("`finding[0].score`"), "{message}");
    }
}

#[test]
fn each_broken_rule_names_file_field_and_rule() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "seed = 1",
            "seed = 1\ncolour = 3",
            &["unknown field `colour`", "line"],
        ),
        ("seed = 1", "seed = \"one\"", &["invalid type", "line 1"]),
        (
            "ambient_dim = 4",
            "ambient_dim = 2",
            &["`ambient_dim`", "must be ≥ 3"],
        ),
        (
            "kind = \"sphere\"",
            "kind = \"klein_bottle\"",
            &["unknown variant `klein_bottle`"],
        ),
        ("k = 2", "k = 2\nradius = -1", &["`manifold`", "radius"]),
        (
            "kind = \"sphere\"\nk = 2",
            "kind = \"lacunary_curve\"\namplitude = 50.0\nbeta = 3.5",
            &["`manifold`", "amplitude", "Σ_j b^(-jβ) < 1"],
        ),
        (
            "kind = \"sphere\"\nk = 2",
            "kind = \"lacunary_curve\"\namplitude = 0.5\nbeta = 3.5\nbase = 1",
            &["`manifold`", "base", "2..=64"],
        ),
        (
            "kind = \"sphere\"\nk = 2",
            "kind = \"fourier_curve\"\namplitude = 0.2\ndecay = 2.0\nharmonics = 0",
            &["`manifold`", "harmonics", "1..=256"],
        ),
        (
            "kind = \"sphere\"\nk = 2",
            "kind = \"fourier_curve\"\namplitude = 0.2\ndecay = 2.0",
            &["missing field `harmonics`"],
        ),
        (
            "n_train = [10, 20, 40]",
            "n_train = []",
            &["`sweep.n_train`", "must not be empty"],
        ),
        (
            "n_train = [10, 20, 40]",
            "n_train = [0, 20, 40]",
            &["`sweep.n_train[0]`", "≥ 2 (got 0)"],
        ),
        (
            "n_train = [10, 20, 40]",
            "n_train = [10, 40, 20]",
            &["`sweep.n_train[2]`", "increase"],
        ),
        ("seeds = 2", "seeds = 0", &["`sweep.seeds`"]),
        ("samples = 30", "samples = 1", &["`sweep.samples`"]),
        (
            "t_min = 1e-3",
            "t_min = -1e-3",
            &["`sampler[0].t_min`", "> 0"],
        ),
        ("t_min = 1e-3", "t_min = 0.0", &["`sampler[0].t_min`"]),
        (
            "t_min = 1e-3",
            "t_min = 20.0",
            &["`sampler[0].t_min`", "must be < t_max = 10"],
        ),
        (
            "t_min = 1e-3",
            "t_min = 1e-3\nsteps = 0",
            &["`sampler[0].steps`"],
        ),
        (
            "t_min = 1e-3",
            "t_min = 1e-3\nmethod = \"leapfrog\"",
            &["unknown variant `leapfrog`"],
        ),
        (
            "kind = \"smoothed\"",
            "kind = \"neural\"",
            &["`score[0].kind`", "unknown score kind `neural`"],
        ),
        (
            "h_scale = 0.5",
            "h = 0.1\nh_scale = 0.5",
            &["`score[0].h`", "either h"],
        ),
        ("h_scale = 0.5", "h_scale = -0.5", &["`score[0].h_scale`"]),
        (
            "h_scale = 0.5",
            "h_scale = 0.5\nbandwith = 0.1",
            &["`score[0]`", "unknown field `bandwith`"],
        ),
        (
            "kind = \"smoothed\"",
            "kind = 3",
            &["`score[0].kind`", "must be a string"],
        ),
        (
            "novelty = true",
            "novelty = true\nsharpness = true",
            &["`metrics.sharpness`", "unknown metric `sharpness`"],
        ),
        (
            "wasserstein = { p = 2 }",
            "wasserstein = { p = 0.5 }",
            &["`metrics.wasserstein.p`"],
        ),
        (
            "novelty = true",
            "novelty = true\ngeneralizing = { tube = 0.0 }",
            &["`metrics.generalizing.tube`", "> 0"],
        ),
        (
            "novelty = true",
            "novelty = true\ngeneralizing = { radius = 0.1 }",
            &["`metrics.generalizing`", "unknown field `radius`"],
        ),
        (
            "novelty = true",
            "novelty = true\nw1_to_mu = { atoms = true }",
            &["`metrics.w1_to_mu`", "closed curves", "sphere(k=2"],
        ),
        (
            "novelty = true",
            "novelty = true\nw1_to_mu = 1",
            &["`metrics.w1_to_mu`", "true or false"],
        ),
        (
            "[[score]]",
            "[[finding]]\nclaim = \"c\"\nscore = \"smoothed\"\nmetric = \"w1\"\n[[score]]",
            &["`finding[0].metric`", "`w1` is not a metric"],
        ),
        (
            "[[score]]",
            "[[finding]]\nclaim = \"c\"\nscore = \"oracle\"\nmetric = \"w2\"\n[[score]]",
            &["`finding[0].score`", "oracle"],
        ),
        (
            "[[score]]",
            "[[finding]]\nclaim = \"c\"\nscore = \"smoothed\"\nmetric = \"w2\"\nat_least = 0.5\n[[score]]",
            &["`finding[0].at_least`", "levels are for fractions"],
        ),
        (
            "[[score]]",
            "[[finding]]\nclaim = \"c\"\nscore = \"smoothed\"\nmetric = \"memorized_fraction\"\n[[score]]",
            &["`finding[0].at_least`", "needs a finite level"],
        ),
        (
            "[[score]]",
            "[[finding]]\nclaim = \"c\"\nscore = \"smoothed\"\nmetric = \"w2\"\nsteeper_than = \"e1\"\n[[score]]",
            &["`finding[0].steeper_than`", "experiment/score/metric"],
        ),
        (
            "[[score]]",
            "[[finding]]\nclaim = \"c\"\nscore = \"smoothed\"\nmetric = \"w2\"\nagrees_with = \"e1/x\"\n[[score]]",
            &["`finding[0].agrees_with`", "experiment/score/metric"],
        ),
        (
            "[[score]]",
            "[[finding]]\nclaim = \"c\"\nscore = \"smoothed\"\nmetric = \"w2\"\nagrees_with = \"e/s/m\"\nsteeper_than = \"e/s/m\"\n[[score]]",
            &["`finding[0].agrees_with`", "one other slope"],
        ),
        (
            "metric = \"w2\"",
            "metric = \"w1\"",
            &["`theory[0].metric`", "`w1` is not a metric"],
        ),
        (
            "label = \"k = 2\"",
            "label = \"k = 2\"\nscores = [\"oracle\"]",
            &["`theory[0].scores`", "oracle"],
        ),
        (
            "[[score]]",
            "[fit]\nlevel = 1.5\n[[score]]",
            &["`fit.level`"],
        ),
        (
            "[[score]]",
            "[fit]\ntraining_targets = { kl = 0.1 }\n[[score]]",
            &["`fit.training_targets.kl`", "`kl` is not a metric"],
        ),
        (
            "[[score]]",
            "[fit]\ntraining_targets = { w2 = -0.1 }\n[[score]]",
            &["`fit.training_targets.w2`"],
        ),
        (
            "[[score]]",
            "[fit]\ntraining_epochs = [1000, 100]\n[[score]]",
            &["`fit.training_epochs[1]`", "must increase"],
        ),
        (
            "[[score]]",
            "[fit]\ntraining_epochs = [0, 100]\n[[score]]",
            &["`fit.training_epochs[0]`"],
        ),
    ];
    for (from, to, needles) in cases {
        assert!(VALID.contains(from), "case base `{from}`");
        let text = VALID.replacen(from, to, 1);
        let message = parse(&text).expect_err(to);
        assert!(message.starts_with("data/experiments/e.toml"), "{message}");
        for needle in *needles {
            assert!(message.contains(needle), "`{needle}` not in: {message}");
        }
    }
}

#[test]
fn a_projection_needs_more_neighbours_than_coefficients() {
    let text = VALID.replace(
        "kind = \"smoothed\"\nh_scale = 0.5\nh_exponent = -0.5",
        "kind = \"projection\"\ndegree = 2\nneighbours = 6",
    );
    let message = parse(&text).unwrap_err();
    assert!(
        message.contains("`score[0].neighbours`") && message.contains("exceed the 6 coefficients"),
        "{message}"
    );
}

#[test]
fn duplicate_scores_are_refused() {
    let text = VALID.replace(
        "[metrics]",
        "[[score]]\nkind = \"smoothed\"\nh_scale = 0.5\nh_exponent = -0.5\n\n[metrics]",
    );
    let message = parse(&text).unwrap_err();
    assert!(
        message.contains("`score[1]`") && message.contains("repeats"),
        "{message}"
    );
}

#[test]
fn the_steps_factor_is_applied_in_the_check_and_an_overflow_is_refused() {
    let registry = mangen_driver::Registry::standard();
    let options = |steps_factor| mangen_driver::LoadOptions {
        steps_factor,
        ..mangen_driver::LoadOptions::new(Profile::Standard, &registry)
    };
    let file = Path::new("data/experiments/e.toml");
    let doubled = Experiment::parse_with(VALID, file, &options(2)).unwrap();
    assert_eq!(doubled.samplers[0].config.steps, 200);
    assert_eq!(doubled.samplers[0].label, "sde(t0=0.001,steps=200)");
    assert_eq!(doubled.raw.sampler[0].steps, 200, "the config as run");
    let zero = format!(
        "{:#}",
        Experiment::parse_with(VALID, file, &options(0)).unwrap_err()
    );
    assert!(
        zero.contains("`sampler`") && zero.contains("--steps-factor"),
        "{zero}"
    );
    let message = format!(
        "{:#}",
        Experiment::parse_with(VALID, file, &options(usize::MAX)).unwrap_err()
    );
    assert!(
        message.contains("`sampler[0].steps`") && message.contains("steps factor"),
        "{message}"
    );
}

#[test]
fn a_score_kept_to_the_large_profile_runs_only_there_and_is_checked_in_every_profile() {
    let text = VALID.replace(
        "[metrics]",
        "[[score]]\nkind = \"projection\"\ndegree = 2\nneighbours = 12\nprofiles = [\"large\"]\n\n[metrics]",
    );
    let file = Path::new("data/experiments/e.toml");
    let labels = |profile| {
        let experiment = Experiment::parse(&text, file, profile).unwrap();
        experiment
            .scores
            .iter()
            .map(|s| s.label.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(labels(Profile::Standard), ["smoothed(h=0.5*N^-0.5)"]);
    assert_eq!(labels(Profile::Quick), ["smoothed(h=0.5*N^-0.5)"]);
    assert_eq!(
        labels(Profile::Large),
        ["smoothed(h=0.5*N^-0.5)", "projection(m=2,K=12)"]
    );
    let broken = text.replace("neighbours = 12", "neighbours = 5");
    let message = parse(&broken).unwrap_err();
    assert!(message.contains("`score[1].neighbours`"), "{message}");
    let unknown = text.replace("[\"large\"]", "[\"larger\"]");
    let message = parse(&unknown).unwrap_err();
    assert!(
        message.contains("`score[1].profiles[0]`") && message.contains("larger"),
        "{message}"
    );
    let none_left = VALID.replace(
        "h_exponent = -0.5",
        "h_exponent = -0.5\nprofiles = [\"large\"]",
    );
    let message = parse(&none_left).unwrap_err();
    assert!(
        message.contains("`score`") && message.contains("standard profile"),
        "{message}"
    );
}
