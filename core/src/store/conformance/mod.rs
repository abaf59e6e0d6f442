//! The store conformance suite: generic async checks every [`Store`](crate::store::Store) must
//! pass, and [`store_conformance_suite!`](crate::store_conformance_suite)
//! which turns them into one `#[tokio::test]` each.
//!
//! The checks are grouped by family of records, one file each with the
//! same name as the store contract's (`events.rs`, ...), plus
//! `transactions.rs` (the write itself) and `erasure.rs` (across families).
//!
//! Every check creates its own uniquely named data, so several checks may
//! share one database (as they do against DynamoDB).
//!
//! ```ignore
//! copkit_core::store_conformance_suite!(copkit_core::MemoryStore::new());
//! ```

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod activity;
mod communities;
mod digests;
mod discussions;
mod documents;
mod ephemeral;
mod erasure;
mod events;
mod fixtures;
mod invitations;
mod moderation;
mod notifications;
mod polls;
mod profiles;
mod spaces;
mod transactions;

pub use activity::*;
pub use communities::*;
pub use digests::*;
pub use discussions::*;
pub use documents::*;
pub use ephemeral::*;
pub use erasure::*;
pub use events::*;
pub use fixtures::{community, membership, pending_mail, t0, unique, user};
pub use invitations::*;
pub use moderation::*;
pub use notifications::*;
pub use polls::*;
pub use profiles::*;
pub use spaces::*;
pub use transactions::*;

/// Turns every check of the suite into a `#[tokio::test]`.
///
/// `store_conformance_suite!(expr)` evaluates `expr` (which may `.await`) once
/// per test to get a store.
///
/// `store_conformance_suite!(ignore = "why", expr)` marks every test
/// `#[ignore = "why"]`, so a plain `cargo test` lists them as ignored with
/// the reason (never as passed); `cargo test -- --include-ignored` runs
/// them, and `expr` should then panic with a clear message when the store it
/// needs is not configured.
#[macro_export]
macro_rules! store_conformance_suite {
    (ignore = $reason:literal, $make:expr) => {
        $crate::store_conformance_suite!(@with [#[ignore = $reason]] $make);
    };
    ($make:expr) => {
        $crate::store_conformance_suite!(@with [] $make);
    };
    (@with $attrs:tt $make:expr) => {
        $crate::__conformance_tests!($attrs $make;
            profiles_put_get_and_version,
            communities_create_and_read,
            slugs_are_unique,
            secret_communities_claim_no_slug,
            community_update_moves_the_slug,
            counts_guard_the_last_owner_and_limits,
            failed_transactions_write_nothing,
            malformed_transactions_are_rejected,
            memberships_put_get_and_version,
            writes_conditioned_on_a_membership_need_it_unchanged,
            roster_lists_by_role_and_pages,
            user_memberships_list_active_and_page,
            access_facts_read_together,
            directory_lists_only_listed_by_name,
            join_requests_and_pending_list,
            invitations_create_read_list_revoke,
            invitation_use_respects_every_limit,
            single_use_invitation_race_has_one_winner,
            spaces_put_get_list,
            grants_put_list_delete,
            activity_record_and_list,
            foreign_positions_are_rejected,
            each_item_carries_the_position_after_it,
            concurrent_versioned_writers_lose_nothing,
            handles_are_unique_and_move,
            calendar_feeds_claim_their_token_and_rotate,
            threads_order_by_activity_and_keep_their_stats,
            threads_sharing_a_millisecond_page_without_loss,
            participation_is_kept_and_reviewed_when_due,
            digest_schedules_come_due_and_the_outbox_lists,
            notifications_list_count_and_queue,
            reports_queue_by_status_and_the_log_lists_newest_first,
            erasure_anonymises_and_forgets,
            erasure_reaches_every_personal_record,
            roster_lists_by_level,
            value_stories_list_by_community_and_author,
            people_list_their_own_activity_and_attendance,
            posts_and_reactions_count_once,
            documents_and_their_versions,
            purges_come_due_in_order,
            events_rsvps_tallies_and_attendance,
            rsvp_capacity_race_never_overbooks,
            polls_ballots_and_tallies,
            records_read_together,
            remembered_keys_are_taken_once_and_lapse,
            a_key_raced_for_is_taken_once,
            tallies_count_to_their_limit_and_lapse,
            a_tally_raced_for_never_passes_its_limit,
        );
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_tests {
    ($attrs:tt $make:expr; $($name:ident),* $(,)?) => {
        $(
            $crate::__conformance_test!($attrs $make; $name);
        )*
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_test {
    ([$($attrs:tt)*] $make:expr; $name:ident) => {
        #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $($attrs)*
        async fn $name() {
            let store = $make;
            $crate::store::conformance::$name(&store).await;
        }
    };
}
