//! Digest renderings: plain text and HTML from the same view, through
//! askama templates (`core/templates/digest.{txt,html}`; the HTML one
//! escapes every value, so titles and names cannot inject markup).

use askama::Template;
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::ids::MailId;
use crate::model::{CommunityDigest, Digest, DigestFrequency, Mail, MailDelivery, ThreadKind};

/// One titled list of lines.
struct SectionView {
    title: &'static str,
    lines: Vec<String>,
}

/// One community's part of the rendering.
struct CommunityView {
    name: String,
    sections: Vec<SectionView>,
    truncated: bool,
}

#[derive(Template)]
#[template(path = "digest.txt", escape = "none")]
struct TextDigest<'a> {
    heading: &'a str,
    period: &'a str,
    communities: &'a [CommunityView],
    footer: &'a str,
    unsubscribe: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "digest.html")]
struct HtmlDigest<'a> {
    heading: &'a str,
    period: &'a str,
    communities: &'a [CommunityView],
    footer: &'a str,
    unsubscribe: Option<&'a str>,
}

/// `Tue 8 Dec 2026, 18:30` in `zone` (UTC when the zone is unknown).
fn local(at: Timestamp, zone: &str) -> String {
    let tz = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    at.to_zoned_datetime(tz)
        .strftime("%a %-d %b %Y, %H:%M")
        .to_string()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn community_view(c: &CommunityDigest) -> CommunityView {
    let mut sections = Vec::new();
    let mut add = |title: &'static str, lines: Vec<String>| {
        if !lines.is_empty() {
            sections.push(SectionView { title, lines });
        }
    };
    add(
        "For you",
        c.for_you.iter().map(|n| n.line.clone()).collect(),
    );
    add(
        "New threads",
        c.new_threads
            .iter()
            .map(|t| {
                let kind = match t.kind {
                    ThreadKind::Question => "Question",
                    ThreadKind::Discussion => "Discussion",
                };
                format!(
                    "{kind}: {} ({})",
                    t.title,
                    plural(t.post_count as usize, "post", "posts")
                )
            })
            .collect(),
    );
    add(
        "Questions waiting for an answer",
        c.unanswered_questions
            .iter()
            .map(|t| {
                format!(
                    "{} ({})",
                    t.title,
                    plural(t.post_count as usize, "post", "posts")
                )
            })
            .collect(),
    );
    add(
        "Answers accepted",
        c.accepted_answers.iter().map(|a| a.title.clone()).collect(),
    );
    add(
        "New documents",
        c.new_documents.iter().map(|d| d.title.clone()).collect(),
    );
    add(
        "Coming up in the next 7 days",
        c.upcoming_events
            .iter()
            .map(|e| format!("{}: {}", local(e.starts_at, &e.time_zone), e.title))
            .collect(),
    );
    add(
        "New members",
        c.new_members.iter().map(|m| m.name.clone()).collect(),
    );
    add(
        "Poll results",
        c.poll_results
            .iter()
            .map(|p| {
                let results = p
                    .results
                    .iter()
                    .map(|o| format!("{} {}", o.label, o.votes))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!(
                    "{}: {results} ({})",
                    p.question,
                    plural(p.voters as usize, "voter", "voters")
                )
            })
            .collect(),
    );
    CommunityView {
        name: c.name.clone(),
        sections,
        truncated: c.truncated,
    }
}

/// The digest as mail: subject, text and HTML renderings.
pub(crate) fn mail(
    id: MailId,
    email: Option<String>,
    digest: Digest,
    rhythm: Option<DigestFrequency>,
    now: Timestamp,
    unsubscribe_url: Option<String>,
) -> Mail {
    let communities: Vec<CommunityView> = digest.communities.iter().map(community_view).collect();
    let updates: usize = communities
        .iter()
        .flat_map(|c| c.sections.iter())
        .map(|s| s.lines.len())
        .sum();
    let subject = if updates == 0 {
        "Your copkit digest: nothing new".to_owned()
    } else {
        format!(
            "Your copkit digest: {} in {}",
            plural(updates, "update", "updates"),
            plural(communities.len(), "community", "communities")
        )
    };
    let period = format!(
        "What happened between {} and {} (UTC).",
        local(digest.since, "UTC"),
        local(digest.until, "UTC")
    );
    let footer = match rhythm {
        Some(DigestFrequency::Daily) => {
            "You receive this because you chose daily digests. Change or stop them in your copkit settings."
        }
        Some(DigestFrequency::Weekly) => {
            "You receive this because you chose weekly digests. Change or stop them in your copkit settings."
        }
        _ => "A preview of your digest. Choose a daily or weekly rhythm in your copkit settings.",
    };
    let heading = "Your communities since your last digest";
    let text = TextDigest {
        heading,
        period: &period,
        communities: &communities,
        footer,
        unsubscribe: unsubscribe_url.as_deref(),
    }
    .render()
    .unwrap_or_else(|e| format!("{subject}\n\n(rendering failed: {e})"));
    let html = HtmlDigest {
        heading,
        period: &period,
        communities: &communities,
        footer,
        unsubscribe: unsubscribe_url.as_deref(),
    }
    .render()
    .unwrap_or_else(|_| {
        "<p>This digest could not be rendered as HTML; see its plain-text part.</p>".to_owned()
    });
    Mail {
        id,
        to: digest.user.clone(),
        email,
        subject,
        text,
        html,
        digest,
        notification: None,
        unsubscribe_url,
        created_at: now,
        delivery: MailDelivery::pending(now),
        version: 1,
    }
}
