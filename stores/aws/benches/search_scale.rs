//! The search index at the size issue 17 names: one community with 10,000
//! threads and 100,000 replies (20 spaces, synthetic English-like text from
//! a fixed vocabulary, the same every run).
//!
//! Prints:
//! - **build**: the index built in a folder and packed (what the indexer's
//!   rebuild does), against the same entries put into an in-memory
//!   `TantivyIndex` in this run (the embedded index: the baseline);
//! - **size** of the packed index (the S3 object);
//! - **warm query** median and p99 over 300 queries (common, rare and
//!   two-word queries, a phrase, a title prefix) from the API function's
//!   local copy, and the same with an ETag check (`If-None-Match`, 304) at
//!   every query, each against the embedded index's median in this run;
//! - **cold first query**: a fresh sandbox downloading the object from S3
//!   (moto), unpacking and answering, against a warm query.
//!
//! `AWS_ENDPOINT_URL=http://127.0.0.1:5599 AWS_ACCESS_KEY_ID=test
//! AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 cargo bench -p copkit-aws
//! --bench search_scale` with a moto server running (`moto_server -H
//! 127.0.0.1 -p 5599`); without one only the local half runs.
//! `SEARCH_SCALE_THREADS=1000` runs a tenth of the size.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use copkit_aws::{S3SearchIndex, emulator};
use copkit_core::UserId;
use copkit_core::ids::{CommunityId, SpaceId, ThreadId};
use copkit_core::model::SearchKind;
use copkit_core::search::{IndexChange, SearchEntry, SearchIndex, SearchRequest, SearchScope};
use copkit_search::{FolderIndex, TantivyIndex};
use jiff::Timestamp;

const SPACES: usize = 20;
const POSTS_PER_THREAD: usize = 10;
const QUERIES: usize = 300;
const VOCABULARY: usize = 6_000;

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A word index, skewed towards common words (roughly Zipf).
    fn word(&mut self) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((VOCABULARY as f64).powf(u) as usize).saturating_sub(1)
    }
}

fn vocabulary() -> Vec<String> {
    let syllables = [
        "ap", "pra", "is", "al", "tool", "kit", "ro", "ta", "men", "tor", "car", "di", "o", "lo",
        "gy", "pa", "ti", "ent", "sur", "ge", "ry", "vi", "sit", "hand", "over", "train", "ee",
        "ca", "se", "re", "view", "prac", "tice", "clin", "ic", "nur", "sing", "du", "ty",
    ];
    let mut rng = Rng(7);
    let mut seen = std::collections::HashSet::new();
    let mut words = Vec::with_capacity(VOCABULARY);
    while words.len() < VOCABULARY {
        let parts = 2 + rng.below(3);
        let word: String = (0..parts)
            .map(|_| syllables[rng.below(syllables.len())])
            .collect();
        if seen.insert(word.clone()) {
            words.push(word);
        }
    }
    words
}

fn sentence(rng: &mut Rng, words: &[String], length: usize) -> String {
    (0..length)
        .map(|_| words[rng.word()].as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn id(n: u128) -> ulid::Ulid {
    ulid::Ulid(((n + 1) << 20) | 0xbeec)
}

/// The community's entries: threads, each followed by its replies.
fn entries(
    community: CommunityId,
    spaces: &[SpaceId],
    threads: usize,
    words: &[String],
) -> Vec<SearchEntry> {
    let mut rng = Rng(42);
    let start = Timestamp::from_second(1_767_225_600).unwrap();
    let mut out = Vec::with_capacity(threads * (1 + POSTS_PER_THREAD));
    for t in 0..threads {
        let thread = ThreadId(id(t as u128));
        let space = spaces[t % spaces.len()];
        let at = start + Duration::from_secs(600 * t as u64);
        out.push(SearchEntry {
            kind: SearchKind::Thread,
            id: thread.to_string(),
            community,
            space,
            thread: Some(thread),
            title: sentence(&mut rng, words, 5),
            body: sentence(&mut rng, words, 60),
            tags: vec![words[rng.below(50)].clone()],
            author: UserId::new(format!("u{}", rng.below(300))).unwrap(),
            at,
        });
        for p in 0..POSTS_PER_THREAD {
            out.push(SearchEntry {
                kind: SearchKind::Post,
                id: id((1 << 40) + (t * POSTS_PER_THREAD + p) as u128).to_string(),
                community,
                space,
                thread: Some(thread),
                title: String::new(),
                body: sentence(&mut rng, words, 40),
                tags: vec![],
                author: UserId::new(format!("u{}", rng.below(300))).unwrap(),
                at: at + Duration::from_secs(30 * p as u64),
            });
        }
    }
    out
}

/// Common, rare and two-word queries, a phrase, a title prefix.
fn queries(words: &[String]) -> Vec<String> {
    let mut rng = Rng(99);
    (0..QUERIES)
        .map(|n| match n % 5 {
            0 => words[rng.below(20)].clone(),
            1 => words[1_000 + rng.below(4_000)].clone(),
            2 => format!("{} {}", words[rng.below(200)], words[rng.below(200)]),
            3 => format!("\"{} {}\"", words[rng.below(50)], words[rng.below(50)]),
            _ => words[rng.below(300)][..3].to_owned(),
        })
        .collect()
}

fn request(text: &str, community: CommunityId, spaces: &[SpaceId]) -> SearchRequest {
    SearchRequest {
        text: text.to_owned(),
        scopes: vec![SearchScope {
            community,
            spaces: spaces.to_vec(),
        }],
        kinds: vec![],
        tag: None,
        author: None,
        since: None,
        before: None,
        now: Timestamp::from_second(1_775_000_000).unwrap(),
        offset: 0,
        limit: 20,
    }
}

/// Median and 99th percentile of `index` answering every query, and the
/// hits found in all.
async fn latencies(
    index: &dyn SearchIndex,
    texts: &[String],
    community: CommunityId,
    spaces: &[SpaceId],
) -> (Duration, Duration, usize) {
    let mut times = Vec::with_capacity(texts.len());
    let mut found = 0;
    for text in texts {
        let started = Instant::now();
        let results = index
            .search(&request(text, community, spaces))
            .await
            .unwrap();
        times.push(started.elapsed());
        found += results.hits.len();
    }
    times.sort();
    let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
    (times[times.len() / 2], p99, found)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let threads: usize = std::env::var("SEARCH_SCALE_THREADS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let words = vocabulary();
    let community = CommunityId(id(1 << 50));
    let spaces: Vec<SpaceId> = (0..SPACES)
        .map(|n| SpaceId(id((1 << 51) + n as u128)))
        .collect();
    let all = entries(community, &spaces, threads, &words);
    let texts = queries(&words);
    println!(
        "search_scale: {threads} threads, {} replies, {SPACES} spaces, {QUERIES} queries",
        threads * POSTS_PER_THREAD
    );

    // The baseline: the embedded index, in memory.
    let started = Instant::now();
    let embedded = TantivyIndex::in_memory().unwrap();
    embedded.replace(&community, all.clone()).await.unwrap();
    let embedded_build = started.elapsed();
    let (embedded_median, embedded_p99, embedded_found) =
        latencies(&embedded, &texts, community, &spaces).await;

    // The serverless index: built in a folder and packed.
    let scratch = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut folder = FolderIndex::open(&scratch.path().join("build")).unwrap();
    folder
        .apply(
            &community,
            all.iter().cloned().map(IndexChange::Put).collect(),
        )
        .unwrap();
    let packed = folder.pack().unwrap();
    let build = started.elapsed();
    println!(
        "build: {} (embedded in memory {}; ratio {:.2})",
        ms(build),
        ms(embedded_build),
        ratio(build, embedded_build)
    );
    println!(
        "size: {:.1} MB packed ({} bytes)",
        packed.len() as f64 / 1e6,
        packed.len()
    );
    println!(
        "embedded warm query: median {} p99 {} ({} hits in all)",
        ms(embedded_median),
        ms(embedded_p99),
        embedded_found
    );

    let Some(endpoint) = emulator::endpoint_from_env() else {
        println!("no AWS_ENDPOINT_URL: the S3 half (upload, cold and warm queries) needs moto");
        return;
    };
    let config = emulator::sdk_config(&endpoint).await;
    let s3 = copkit_aws::config::s3_client(&config);
    let bucket = emulator::unique_name("copkit-bench").unwrap();
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let sandbox = |name: &str, refresh: Duration| {
        S3SearchIndex::new(
            s3.clone(),
            &bucket,
            "search/",
            &scratch.path().join(name),
            refresh,
        )
        .unwrap()
    };
    let key = sandbox("keys", Duration::ZERO).key(&community);
    let started = Instant::now();
    s3.put_object()
        .bucket(&bucket)
        .key(&key)
        .body(packed.into())
        .send()
        .await
        .unwrap();
    println!("upload to S3 (moto): {}", ms(started.elapsed()));

    // A fresh API sandbox: the first query downloads and unpacks.
    let cold = sandbox("cold", Duration::from_secs(3600));
    let started = Instant::now();
    cold.search(&request(&texts[0], community, &spaces))
        .await
        .unwrap();
    let cold_first = started.elapsed();
    let (warm_median, warm_p99, warm_found) = latencies(&cold, &texts, community, &spaces).await;
    assert_eq!(
        warm_found, embedded_found,
        "the copy answers as the embedded index does"
    );
    let checking = sandbox("checking", Duration::ZERO);
    checking
        .search(&request(&texts[0], community, &spaces))
        .await
        .unwrap();
    let (check_median, check_p99, _) = latencies(&checking, &texts, community, &spaces).await;
    println!(
        "warm query (local copy): median {} p99 {} (ratio to embedded: median {:.2}, p99 {:.2})",
        ms(warm_median),
        ms(warm_p99),
        ratio(warm_median, embedded_median),
        ratio(warm_p99, embedded_p99)
    );
    println!(
        "warm query with an ETag check each time (304): median {} p99 {} (ratio to embedded median {:.2})",
        ms(check_median),
        ms(check_p99),
        ratio(check_median, embedded_median)
    );
    println!(
        "cold first query (download from S3 on moto, unpack, answer): {} ({:.0}x a warm median)",
        ms(cold_first),
        ratio(cold_first, warm_median)
    );
}
