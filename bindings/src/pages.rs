//! One page of a list, per item type (uniffi records cannot be generic).

use copkit_core::model::Cursor;
use copkit_core::model::{
    Activity, Document, DocumentVersion, Event, Mail, Membership, ModerationEntry, Page,
    PageRequest, Post, Report, Rsvp, SearchHit, Thread, ValueStory,
};
use copkit_core::service::{
    CommunityCard, InvitationView, JoinRequestView, MemberView, MyCommunity, PollView,
};

/// The core page request from a binding call's `limit` and `cursor`.
pub(crate) fn request(limit: Option<u32>, cursor: Option<String>) -> PageRequest {
    PageRequest {
        limit,
        cursor: cursor.map(Cursor),
    }
}

macro_rules! pages {
    ($($(#[$doc:meta])* $name:ident of $item:ty;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
        pub struct $name {
            /// The items on this page.
            pub items: Vec<$item>,
            /// Pass as `cursor` for the next page; absent on the last page.
            pub next: Option<String>,
        }

        impl From<Page<$item>> for $name {
            fn from(page: Page<$item>) -> Self {
                $name {
                    items: page.items,
                    next: page.next.map(|c| c.0),
                }
            }
        }
    )*};
}

pages! {
    /// Communities in the directory.
    CommunityCardPage of CommunityCard;
    /// The caller's communities.
    MyCommunityPage of MyCommunity;
    /// Members with their profiles.
    MemberPage of MemberView;
    /// Memberships (the banned list).
    MembershipPage of Membership;
    /// Pending join requests.
    JoinRequestPage of JoinRequestView;
    /// Invitations.
    InvitationPage of InvitationView;
    /// Digests sent, newest first.
    MailPage of Mail;
    /// Reports, oldest first.
    ReportPage of Report;
    /// Moderation decisions, newest first.
    ModerationEntryPage of ModerationEntry;
    /// Threads, most recently active first.
    ThreadPage of Thread;
    /// Posts of a thread, oldest first.
    PostPage of Post;
    /// Documents of a space.
    DocumentPage of Document;
    /// Versions of a document, newest first.
    DocumentVersionPage of DocumentVersion;
    /// Events of a community.
    EventPage of Event;
    /// Answers to an occurrence.
    RsvpPage of Rsvp;
    /// Polls of a space.
    PollPage of PollView;
    /// Search results, best first.
    SearchHitPage of SearchHit;
    /// A community's activity, newest first.
    ActivityPage of Activity;
    /// Value stories, newest first.
    ValueStoryPage of ValueStory;
}
