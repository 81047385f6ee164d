//! The fuzz smoke test (stable; `make fuzz-smoke`, and part of `cargo test --workspace`): every
//! target replays its seeds and the committed inputs under fuzz/regressions/<target>/, then a
//! bounded, deterministic mutation pass (bit flips, byte inserts and deletes, truncation,
//! splices of two seeds). A panic in a target is a finding, as under libFuzzer.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use portcullis_fuzz_targets::{seeds, Target, TARGETS};

/// Mutants run per target: enough to leave the seeds' paths, few enough for a debug build.
const MUTANTS: usize = 5000;
/// Stop mutating a target after this long (a slow target still runs every seed).
const MUTATION_BUDGET: Duration = Duration::from_secs(4);
/// Longest mutant: inputs grow by inserts and splices.
const MAX_LEN: usize = 64 * 1024;

/// xorshift64*: deterministic, so a failing mutant is the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1) as u64) as usize
    }
}

/// Bytes the mutator inserts besides random ones: the separators and quotes the parsers split on.
const INTERESTING: &[u8] = b"\n\"{}[],:;=.\\ %-_/+0\x00\xff";

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut out = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] ^= 1 << rng.below(8);
            }
            1 => {
                let b = if rng.below(2) == 0 {
                    INTERESTING[rng.below(INTERESTING.len())]
                } else {
                    rng.below(256) as u8
                };
                out.insert(at, b);
            }
            2 if at < out.len() => {
                let n = 1 + rng.below((out.len() - at).min(16));
                out.drain(at..at + n);
            }
            3 => out.truncate(at),
            4 => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len() + 1);
                out.truncate(at);
                out.extend_from_slice(&other[from..]);
            }
            _ if at < out.len() => {
                // Repeat a slice: repeated members and headers are what strict readers refuse.
                let n = 1 + rng.below((out.len() - at).min(32));
                let slice = out[at..at + n].to_vec();
                out.splice(at..at, slice);
            }
            _ => {}
        }
    }
    out.truncate(MAX_LEN);
    out
}

/// The committed inputs of `target`: crashes found and fixed, kept as regressions.
fn regressions(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    paths
        .iter()
        .filter(|p| p.is_file())
        .map(|p| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .collect()
}

/// Runs `target` on `input`; on a finding, prints the input (escaped) before the panic goes on.
fn attempt(name: &str, target: Target, input: &[u8]) {
    if let Err(panic) = std::panic::catch_unwind(|| target(input)) {
        eprintln!(
            "{name} failed on input {:?}",
            input.escape_ascii().to_string()
        );
        std::panic::resume_unwind(panic);
    }
}

fn run(name: &str, target: Target, seed: u64) {
    let seeds = seeds(name);
    assert!(!seeds.is_empty(), "{name} has no seeds: seeds() misses it");
    let fixed = regressions(name);
    for input in seeds.iter().chain(&fixed) {
        attempt(name, target, input);
    }
    let start = Instant::now();
    let mut rng = Rng(seed | 1);
    let mut ran = 0;
    while ran < MUTANTS && start.elapsed() < MUTATION_BUDGET {
        attempt(name, target, &mutate(&mut rng, &seeds));
        ran += 1;
    }
    println!(
        "{name}: {} seeds, {} regressions, {ran} mutants in {:.1?}",
        seeds.len(),
        fixed.len(),
        start.elapsed()
    );
}

#[test]
fn every_target_survives_its_seeds_regressions_and_mutants() {
    for (i, (name, target)) in TARGETS.iter().enumerate() {
        run(name, *target, 0x9E37_79B9_7F4A_7C15 ^ ((i as u64) << 32));
    }
}

#[test]
fn every_fuzz_harness_names_a_target() {
    // fuzz/fuzz_targets/<target>.rs and fuzz/Cargo.toml's [[bin]]s must match TARGETS.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz_targets");
    let mut harnesses: Vec<String> = std::fs::read_dir(&dir)
        .expect("fuzz/fuzz_targets")
        .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(str::to_owned))
        .collect();
    harnesses.sort();
    let mut names: Vec<String> = TARGETS.iter().map(|(n, _)| (*n).to_owned()).collect();
    names.sort();
    assert_eq!(harnesses, names);
    let manifest = std::fs::read_to_string(dir.join("../Cargo.toml")).expect("fuzz/Cargo.toml");
    for name in names {
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "fuzz/Cargo.toml has no [[bin]] {name}"
        );
    }
}
