//! `fuzz-seed DIR [TARGET...]`: writes each target's seeds (from tests/vectors) to
//! `DIR/<target>/seed-<n>`, the corpus folders `cargo fuzz run <target> DIR/<target>` reads.
//! Without targets, every target.

use std::path::PathBuf;
use std::process::ExitCode;

use portcullis_fuzz_targets::{seeds, source, TARGETS};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: fuzz-seed DIR [TARGET...]");
        return ExitCode::from(2);
    };
    let wanted: Vec<String> = args.collect();
    for (name, _) in TARGETS {
        if !wanted.is_empty() && !wanted.iter().any(|w| w == name) {
            continue;
        }
        let folder = dir.join(name);
        let seeds = seeds(name);
        let written = std::fs::create_dir_all(&folder).and_then(|()| {
            seeds
                .iter()
                .enumerate()
                .try_for_each(|(n, seed)| std::fs::write(folder.join(format!("seed-{n}")), seed))
        });
        if let Err(e) = written {
            eprintln!("fuzz-seed: cannot write {}: {e}", folder.display());
            return ExitCode::FAILURE;
        }
        println!("{name}: {} seeds from {}", seeds.len(), source());
    }
    ExitCode::SUCCESS
}
