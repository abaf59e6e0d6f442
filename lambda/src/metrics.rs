//! CloudWatch metrics as embedded metric format (EMF) lines: JSON written
//! to the function's log, which CloudWatch turns into metrics without an API
//! call on the request path.
//!
//! The only dimension is `Service` (`api` or `scheduler`), so the number of
//! billed metrics stays fixed however many routes there are; the route and
//! status ride along as properties, searchable in Logs Insights.

use serde_json::{Value, json};

/// The CloudWatch namespace of every copkit metric.
pub const NAMESPACE: &str = "copkit";

/// The metrics of one API request: `Requests` (1), `ServerErrors` and
/// `ClientErrors` (0 or 1), `Latency` (ms) and `StoreCalls` (DynamoDB calls
/// the request made).
pub const REQUEST_METRICS: [(&str, &str); 5] = [
    ("Requests", "Count"),
    ("ServerErrors", "Count"),
    ("ClientErrors", "Count"),
    ("Latency", "Milliseconds"),
    ("StoreCalls", "Count"),
];

/// The metrics of one scheduled run: digests delivered and digests the
/// mailer did not take (retried next run).
pub const SCHEDULED_METRICS: [(&str, &str); 2] =
    [("DigestsSent", "Count"), ("DigestsFailed", "Count")];

/// What one request measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RequestFigures<'a> {
    /// The route template (`/threads/{id}`), or `unmatched`.
    pub route: &'a str,
    /// The answer's status.
    pub status: u16,
    /// From the request's arrival to its answer's head, in milliseconds.
    pub latency_ms: f64,
    /// DynamoDB calls made for it.
    pub store_calls: u64,
}

/// The EMF line of one request, stamped `timestamp_ms` (Unix ms).
pub fn request_line(figures: &RequestFigures<'_>, timestamp_ms: u64) -> String {
    let mut line = envelope("api", &REQUEST_METRICS, timestamp_ms);
    line["route"] = json!(figures.route);
    line["status"] = json!(figures.status);
    line["Requests"] = json!(1);
    line["ServerErrors"] = json!(u8::from(figures.status >= 500));
    line["ClientErrors"] = json!(u8::from((400..500).contains(&figures.status)));
    line["Latency"] = json!(figures.latency_ms);
    line["StoreCalls"] = json!(figures.store_calls);
    line.to_string()
}

/// The EMF line of one scheduled run.
pub fn scheduled_line(digests_sent: u32, digests_failed: u32, timestamp_ms: u64) -> String {
    let mut line = envelope("scheduler", &SCHEDULED_METRICS, timestamp_ms);
    line["DigestsSent"] = json!(digests_sent);
    line["DigestsFailed"] = json!(digests_failed);
    line.to_string()
}

/// Now, for stamping lines (the wall clock: metrics describe real time).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn envelope(service: &str, metrics: &[(&str, &str)], timestamp_ms: u64) -> Value {
    let declared: Vec<Value> = metrics
        .iter()
        .map(|(name, unit)| json!({ "Name": name, "Unit": unit }))
        .collect();
    json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Service"]],
                "Metrics": declared,
            }],
        },
        "Service": service,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// Every declared metric has a number on the line, under the
    /// declaration's one dimension (the EMF rules CloudWatch applies).
    fn assert_well_formed(line: &str, metrics: &[(&str, &str)]) -> Value {
        let line: Value = serde_json::from_str(line).unwrap();
        let directive = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], NAMESPACE);
        assert_eq!(directive["Dimensions"], json!([["Service"]]));
        assert!(line["Service"].is_string());
        let declared = directive["Metrics"].as_array().unwrap();
        assert_eq!(declared.len(), metrics.len());
        for (name, unit) in metrics {
            assert!(declared.contains(&json!({"Name": name, "Unit": unit})));
            assert!(line[name].is_number(), "{name} has a value: {line}");
        }
        assert!(line["_aws"]["Timestamp"].is_u64());
        line
    }

    #[test]
    fn a_request_line_declares_and_carries_every_request_metric() {
        let figures = RequestFigures {
            route: "/threads/{id}",
            status: 503,
            latency_ms: 12.5,
            store_calls: 3,
        };
        let line = assert_well_formed(&request_line(&figures, 1_767_225_600_000), &REQUEST_METRICS);
        assert_eq!(line["ServerErrors"], 1);
        assert_eq!(line["ClientErrors"], 0);
        assert_eq!(line["StoreCalls"], 3);
        assert_eq!(line["route"], "/threads/{id}");
        let client_error = RequestFigures {
            status: 404,
            ..figures
        };
        let line = assert_well_formed(&request_line(&client_error, 0), &REQUEST_METRICS);
        assert_eq!(
            (line["ServerErrors"].as_u64(), line["ClientErrors"].as_u64()),
            (Some(0), Some(1))
        );
    }

    #[test]
    fn a_scheduled_line_counts_digests_sent_and_failed() {
        let line = assert_well_formed(&scheduled_line(7, 2, 0), &SCHEDULED_METRICS);
        assert_eq!(
            (line["DigestsSent"].as_u64(), line["DigestsFailed"].as_u64()),
            (Some(7), Some(2))
        );
        assert_eq!(line["Service"], "scheduler");
    }
}
