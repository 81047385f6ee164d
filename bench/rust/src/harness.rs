//! The timing harness: interleaved batches of every case of a workload, their summaries, and
//! the rows written to the JSON report.

use std::time::Instant;

use serde_json::{json, Value};

pub(crate) struct Plan {
    pub(crate) smoke: bool,
    pub(crate) batches: usize,
    pub(crate) batch_ns: f64,
    pub(crate) warmup_ns: f64,
}

pub(crate) type Case<'a> = (&'static str, Box<dyn FnMut() + 'a>);

pub(crate) fn summarize(samples: &[f64]) -> Value {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let pos = (s.len() - 1) as f64 * p;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        s[lo] + (s[hi] - s[lo]) * (pos - lo as f64)
    };
    json!({
        "median": q(0.5), "min": s[0], "max": s[s.len() - 1], "q1": q(0.25), "q3": q(0.75),
        "batches": samples,
    })
}

/// Interleaved batches of every case: (case name, summary of ns/op, iterations per batch).
pub(crate) fn measure(cases: &mut [Case<'_>], plan: &Plan) -> Vec<(&'static str, Value, usize)> {
    let mut iters = Vec::new();
    for (_, f) in cases.iter_mut() {
        let start = Instant::now();
        let mut n = 0usize;
        while n < 2 || (start.elapsed().as_nanos() as f64) < plan.warmup_ns {
            f();
            n += 1;
        }
        let per_op = start.elapsed().as_nanos() as f64 / n as f64;
        iters.push(((plan.batch_ns / per_op) as usize).max(1));
    }
    let mut samples = vec![Vec::new(); cases.len()];
    for b in 0..plan.batches {
        for k in 0..cases.len() {
            let i = (k + b) % cases.len();
            let n = iters[i];
            let f = &mut cases[i].1;
            let t0 = Instant::now();
            for _ in 0..n {
                f();
            }
            samples[i].push(t0.elapsed().as_nanos() as f64 / n as f64);
        }
    }
    cases
        .iter()
        .zip(samples)
        .zip(iters)
        .map(|(((name, _), s), n)| (*name, summarize(&s), n))
        .collect()
}

#[derive(Default)]
pub(crate) struct Results {
    pub(crate) rows: Vec<Value>,
    pub(crate) notes: serde_json::Map<String, Value>,
}

impl Results {
    /// `peers`: case name -> label; the case named `portcullis` is portcullis.
    pub(crate) fn add(
        &mut self,
        group: &str,
        op: &str,
        measured: Vec<(&'static str, Value, usize)>,
        peers: &[(&str, &str)],
    ) {
        for (name, mut summary, iters) in measured {
            let is_pc = name == "portcullis";
            let label = peers
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(name, |(_, l)| l);
            println!(
                "  {op:<48} {label:<40} {:>12.0} ns/op",
                summary["median"].as_f64().unwrap_or(0.0)
            );
            summary["iters"] = json!(iters);
            self.rows.push(json!({
                "group": group, "op": op, "impl": label, "is_portcullis": is_pc, "case": name,
                "ns": summary,
            }));
        }
    }
}

pub(crate) fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}
